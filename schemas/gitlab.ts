/**
 * GitLab's payloads for the events most receivers handle, keyed by the body's `object_kind` (`push`,
 * `merge_request`, ...; a job's is `build`). GitLab adds fields over time, so objects take extra keys and states and
 * actions are strings (the values GitLab documents are listed on each); only what every delivery of the event carries
 * is required. The examples follow GitLab's documented ones (docs/user/project/integrations/webhook_events.md).
 */
import Type, { type Static, type TProperties } from 'typebox'
import { Nullable } from './common.js'

export const GitLabUser = Type.Object({
  id: Type.Optional(Type.Number()),
  name: Type.String(),
  username: Type.String(),
  avatar_url: Type.Optional(Nullable(Type.String())),
  email: Type.Optional(Type.String())
})

export const GitLabProject = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  web_url: Type.String(),
  path_with_namespace: Type.String(),
  default_branch: Type.Optional(Nullable(Type.String())),
  namespace: Type.Optional(Type.String()),
  visibility_level: Type.Optional(Type.Number()),
  git_ssh_url: Type.Optional(Type.String()),
  git_http_url: Type.Optional(Type.String())
})

const project = {
  id: 15,
  name: 'Diaspora',
  web_url: 'https://gitlab.example.com/mike/diaspora',
  path_with_namespace: 'mike/diaspora',
  default_branch: 'main',
  namespace: 'Mike',
  visibility_level: 0,
  git_ssh_url: 'git@gitlab.example.com:mike/diaspora.git',
  git_http_url: 'https://gitlab.example.com/mike/diaspora.git'
}
const user = {
  id: 1,
  name: 'Administrator',
  username: 'root',
  avatar_url: 'https://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon',
  email: 'admin@example.com'
}
const SHA = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7'
const BEFORE = '95790bf891e76fee5e1747ab589903a6a1f80f22'

function event<K extends string, P extends TProperties> (kind: K, properties: P, example: Record<string, unknown>) {
  return Type.Object(
    { object_kind: Type.Literal(kind), ...properties },
    { examples: [{ object_kind: kind, ...example }] }
  )
}

const Commit = Type.Object({
  id: Type.String(),
  message: Type.String(),
  timestamp: Type.String(),
  url: Type.String(),
  author: Type.Object({ name: Type.String(), email: Type.String() }),
  added: Type.Optional(Type.Array(Type.String())),
  modified: Type.Optional(Type.Array(Type.String())),
  removed: Type.Optional(Type.Array(Type.String()))
})

/** What a push and a tag push share: the ref, the SHAs before and after, who pushed, and (up to 20) commits. */
const pushed = {
  /** `refs/heads/main`, `refs/tags/v1.0.0` */
  ref: Type.String(),
  before: Type.String(),
  after: Type.String(),
  /** null when the branch or tag was deleted */
  checkout_sha: Nullable(Type.String()),
  user_id: Type.Number(),
  user_name: Type.String(),
  user_username: Type.Optional(Type.String()),
  project_id: Type.Number(),
  project: GitLabProject,
  /** the first 20 commits at most: `total_commits_count` counts them all */
  commits: Type.Array(Commit),
  total_commits_count: Type.Number()
}

export const GitLabPush = event('push', pushed, {
  event_name: 'push',
  before: BEFORE,
  after: SHA,
  ref: 'refs/heads/main',
  checkout_sha: SHA,
  user_id: 4,
  user_name: 'John Smith',
  user_username: 'jsmith',
  project_id: 15,
  project,
  commits: [{
    id: SHA,
    message: 'fixed readme',
    timestamp: '2012-01-03T23:36:29+02:00',
    url: `https://gitlab.example.com/mike/diaspora/commit/${SHA}`,
    author: { name: 'GitLab dev user', email: 'gitlabdev@example.com' },
    added: ['CHANGELOG'],
    modified: ['app/controller/application.rb'],
    removed: []
  }],
  total_commits_count: 1
})

export const GitLabTagPush = event('tag_push', pushed, {
  event_name: 'tag_push',
  before: '0000000000000000000000000000000000000000',
  after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
  ref: 'refs/tags/v1.0.0',
  checkout_sha: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
  user_id: 1,
  user_name: 'John Smith',
  project_id: 15,
  project,
  commits: [],
  total_commits_count: 0
})

export const GitLabMergeRequest = event('merge_request', {
  event_type: Type.Optional(Type.String()),
  user: GitLabUser,
  project: GitLabProject,
  object_attributes: Type.Object({
    id: Type.Number(),
    iid: Type.Number(),
    title: Type.String(),
    source_branch: Type.String(),
    target_branch: Type.String(),
    /** `opened`, `closed`, `locked`, `merged` */
    state: Type.String(),
    url: Type.String(),
    /** `open`, `close`, `reopen`, `update`, `approved`, `unapproved`, `approval`, `unapproval`, `merge` */
    action: Type.Optional(Type.String()),
    description: Type.Optional(Nullable(Type.String())),
    draft: Type.Optional(Type.Boolean()),
    merge_status: Type.Optional(Type.String()),
    last_commit: Type.Optional(Type.Object({ id: Type.String() }))
  }),
  labels: Type.Optional(Type.Array(Type.Object({ id: Type.Number(), title: Type.String() }))),
  changes: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, {
  event_type: 'merge_request',
  user,
  project,
  object_attributes: {
    id: 99,
    iid: 1,
    title: 'MS-Viewport',
    source_branch: 'ms-viewport',
    target_branch: 'main',
    state: 'opened',
    url: 'https://gitlab.example.com/mike/diaspora/-/merge_requests/1',
    action: 'open',
    description: '',
    draft: false,
    merge_status: 'unchecked',
    last_commit: { id: SHA }
  },
  labels: [],
  changes: {}
})

export const GitLabIssue = event('issue', {
  event_type: Type.Optional(Type.String()),
  user: GitLabUser,
  project: GitLabProject,
  object_attributes: Type.Object({
    id: Type.Number(),
    iid: Type.Number(),
    title: Type.String(),
    /** `opened`, `closed` */
    state: Type.String(),
    url: Type.String(),
    /** `open`, `close`, `reopen`, `update` */
    action: Type.Optional(Type.String()),
    description: Type.Optional(Nullable(Type.String())),
    confidential: Type.Optional(Type.Boolean())
  }),
  labels: Type.Optional(Type.Array(Type.Object({ id: Type.Number(), title: Type.String() }))),
  changes: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, {
  event_type: 'issue',
  user,
  project,
  object_attributes: {
    id: 301,
    iid: 23,
    title: 'New API: create/update/delete file',
    state: 'opened',
    url: 'https://gitlab.example.com/mike/diaspora/-/issues/23',
    action: 'open',
    description: 'Create new API for manipulations with repository',
    confidential: false
  },
  labels: [{ id: 206, title: 'API' }],
  changes: {}
})

export const GitLabNote = event('note', {
  event_type: Type.Optional(Type.String()),
  user: GitLabUser,
  project_id: Type.Number(),
  project: GitLabProject,
  object_attributes: Type.Object({
    id: Type.Number(),
    note: Type.String(),
    /** `Commit`, `MergeRequest`, `Issue`, `Snippet` */
    noteable_type: Type.String(),
    url: Type.String(),
    author_id: Type.Optional(Type.Number()),
    /** `create`, `update` */
    action: Type.Optional(Type.String())
  }),
  /** the commented object, by `noteable_type` */
  commit: Type.Optional(Type.Object({ id: Type.String() })),
  merge_request: Type.Optional(Type.Object({ id: Type.Number(), iid: Type.Number() })),
  issue: Type.Optional(Type.Object({ id: Type.Number(), iid: Type.Number() })),
  snippet: Type.Optional(Type.Object({ id: Type.Number() }))
}, {
  event_type: 'note',
  user,
  project_id: 15,
  project,
  object_attributes: {
    id: 1241,
    note: 'Hello world',
    noteable_type: 'Issue',
    url: 'https://gitlab.example.com/mike/diaspora/-/issues/23#note_1241',
    author_id: 1,
    action: 'create'
  },
  issue: { id: 301, iid: 23, title: 'New API: create/update/delete file' }
})

export const GitLabPipeline = event('pipeline', {
  object_attributes: Type.Object({
    id: Type.Number(),
    ref: Type.String(),
    tag: Type.Boolean(),
    sha: Type.String(),
    /** `created`, `waiting_for_resource`, `preparing`, `pending`, `running`, `success`, `failed`, `canceled`, ... */
    status: Type.String(),
    source: Type.Optional(Type.String()),
    detailed_status: Type.Optional(Type.String()),
    stages: Type.Optional(Type.Array(Type.String())),
    duration: Type.Optional(Nullable(Type.Number())),
    url: Type.Optional(Type.String())
  }),
  user: Type.Optional(GitLabUser),
  project: GitLabProject,
  merge_request: Type.Optional(Nullable(Type.Object({ id: Type.Number(), iid: Type.Number() }))),
  builds: Type.Optional(Type.Array(Type.Object({
    id: Type.Number(),
    stage: Type.String(),
    name: Type.String(),
    status: Type.String()
  })))
}, {
  object_attributes: {
    id: 31,
    ref: 'main',
    tag: false,
    sha: SHA,
    status: 'success',
    source: 'push',
    detailed_status: 'passed',
    stages: ['build', 'test', 'deploy'],
    duration: 63,
    url: 'https://gitlab.example.com/mike/diaspora/-/pipelines/31'
  },
  user,
  project,
  merge_request: null,
  builds: [{ id: 380, stage: 'deploy', name: 'production', status: 'success' }]
})

export const GitLabRelease = event('release', {
  id: Type.Number(),
  name: Type.String(),
  tag: Type.String(),
  url: Type.String(),
  /** `create`, `update`, `delete` */
  action: Type.String(),
  description: Type.Optional(Type.String()),
  created_at: Type.Optional(Type.String()),
  released_at: Type.Optional(Type.String()),
  project: GitLabProject
}, {
  id: 1,
  name: 'v1.1',
  tag: 'v1.1',
  url: 'https://gitlab.example.com/mike/diaspora/-/releases/v1.1',
  action: 'create',
  description: 'v1.1 has been released',
  created_at: '2020-11-02 12:55:12 UTC',
  released_at: '2020-11-02 12:55:12 UTC',
  project
})

/** A job's status changed: GitLab calls jobs builds here (`X-Gitlab-Event: Job Hook`). */
export const GitLabJob = event('build', {
  ref: Type.String(),
  tag: Type.Boolean(),
  sha: Type.String(),
  build_id: Type.Number(),
  build_name: Type.String(),
  build_stage: Type.String(),
  /** `created`, `pending`, `running`, `success`, `failed`, `canceled`, `skipped`, `manual` */
  build_status: Type.String(),
  build_failure_reason: Type.Optional(Type.String()),
  build_duration: Type.Optional(Nullable(Type.Number())),
  pipeline_id: Type.Number(),
  project_id: Type.Number(),
  project_name: Type.Optional(Type.String()),
  project: Type.Optional(GitLabProject)
}, {
  ref: 'main',
  tag: false,
  before_sha: BEFORE,
  sha: SHA,
  build_id: 1977,
  build_name: 'test',
  build_stage: 'test',
  build_status: 'failed',
  build_failure_reason: 'script_failure',
  build_duration: 42.5,
  pipeline_id: 31,
  project_id: 15,
  project_name: 'Mike / Diaspora',
  project
})

export const gitlabEvents = {
  push: GitLabPush,
  tag_push: GitLabTagPush,
  merge_request: GitLabMergeRequest,
  issue: GitLabIssue,
  note: GitLabNote,
  pipeline: GitLabPipeline,
  release: GitLabRelease,
  build: GitLabJob
}

export type GitLabEventType = keyof typeof gitlabEvents
export type GitLabPayload<T extends GitLabEventType = GitLabEventType> = Static<typeof gitlabEvents[T]>
