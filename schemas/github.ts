/**
 * GitHub's payloads for the events most receivers handle, keyed by the `X-GitHub-Event` header's value. GitHub adds
 * fields and actions over time, so objects take extra keys and `action` is a string (the values GitHub documents
 * are listed on each); only what every delivery of the event carries is required.
 */
import Type, { type Static, type TProperties } from 'typebox'
import { Nullable } from './common.js'

export const GitHubUser = Type.Object({
  login: Type.String(),
  id: Type.Number(),
  type: Type.Optional(Type.String()),
  html_url: Type.Optional(Type.String())
})

export const GitHubRepository = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  full_name: Type.String(),
  private: Type.Boolean(),
  owner: Type.Object({ login: Type.Optional(Type.String()), id: Type.Optional(Type.Number()) }),
  html_url: Type.Optional(Type.String()),
  default_branch: Type.Optional(Type.String())
})

/** What every repository event carries besides its own fields: the repository, the sender, and a GitHub App's ids. */
const common = {
  repository: GitHubRepository,
  sender: GitHubUser,
  /** on deliveries to a GitHub App */
  installation: Type.Optional(Type.Object({ id: Type.Number() })),
  organization: Type.Optional(Type.Object({ login: Type.String(), id: Type.Number() }))
}

function event<P extends TProperties> (properties: P, example: Record<string, unknown>) {
  return Type.Object({ ...common, ...properties }, { examples: [{ ...exampleCommon, ...example }] })
}

const octocat = { login: 'octocat', id: 583231, type: 'User', html_url: 'https://github.com/octocat' }
const exampleCommon = {
  repository: {
    id: 1296269,
    name: 'Hello-World',
    full_name: 'octocat/Hello-World',
    private: false,
    owner: { login: 'octocat', id: 583231 },
    html_url: 'https://github.com/octocat/Hello-World',
    default_branch: 'main'
  },
  sender: octocat
}

const Commit = Type.Object({
  id: Type.String(),
  message: Type.String(),
  timestamp: Type.String(),
  url: Type.String(),
  author: Type.Object({ name: Type.String(), email: Nullable(Type.String()), username: Type.Optional(Type.String()) }),
  added: Type.Optional(Type.Array(Type.String())),
  removed: Type.Optional(Type.Array(Type.String())),
  modified: Type.Optional(Type.Array(Type.String()))
})
const commit = {
  id: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
  message: 'Fix all the bugs',
  timestamp: '2025-01-15T10:30:00Z',
  url: 'https://github.com/octocat/Hello-World/commit/6dcb09b5b57875f334f61aebed695e2e4193db5e',
  author: { name: 'Monalisa Octocat', email: 'mona@github.com', username: 'octocat' },
  added: [],
  removed: [],
  modified: ['README.md']
}

export const GitHubPush = event({
  /** `refs/heads/main`, `refs/tags/v1.0.0` */
  ref: Type.String(),
  before: Type.String(),
  after: Type.String(),
  created: Type.Optional(Type.Boolean()),
  deleted: Type.Optional(Type.Boolean()),
  forced: Type.Optional(Type.Boolean()),
  base_ref: Type.Optional(Nullable(Type.String())),
  compare: Type.Optional(Type.String()),
  /** at most 2048; none for a deleted ref */
  commits: Type.Array(Commit),
  head_commit: Type.Optional(Nullable(Commit)),
  pusher: Type.Object({ name: Type.String(), email: Type.Optional(Nullable(Type.String())) })
}, {
  ref: 'refs/heads/main',
  before: '9049f1265b7d61be4a8904a9a27120d2064dab3b',
  after: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
  created: false,
  deleted: false,
  forced: false,
  base_ref: null,
  compare: 'https://github.com/octocat/Hello-World/compare/9049f1265b7d...6dcb09b5b578',
  commits: [commit],
  head_commit: commit,
  pusher: { name: 'octocat', email: 'mona@github.com' }
})

export const GitHubPullRequest = event({
  /** `opened`, `closed`, `reopened`, `synchronize`, `edited`, `ready_for_review`, `labeled`, `review_requested`, … */
  action: Type.String(),
  number: Type.Number(),
  pull_request: Type.Object({
    id: Type.Number(),
    number: Type.Number(),
    /** `open` or `closed` */
    state: Type.String(),
    title: Type.String(),
    body: Type.Optional(Nullable(Type.String())),
    html_url: Type.String(),
    user: GitHubUser,
    draft: Type.Optional(Type.Boolean()),
    /** with `action: 'closed'`, true when merged rather than closed */
    merged: Type.Optional(Nullable(Type.Boolean())),
    merged_at: Type.Optional(Nullable(Type.String())),
    merge_commit_sha: Type.Optional(Nullable(Type.String())),
    head: Type.Object({ ref: Type.String(), sha: Type.String() }),
    base: Type.Object({ ref: Type.String(), sha: Type.String() })
  })
}, {
  action: 'opened',
  number: 1347,
  pull_request: {
    id: 1,
    number: 1347,
    state: 'open',
    title: 'Amazing new feature',
    body: 'Please pull these awesome changes in!',
    html_url: 'https://github.com/octocat/Hello-World/pull/1347',
    user: octocat,
    draft: false,
    merged: false,
    merged_at: null,
    merge_commit_sha: null,
    head: { ref: 'new-topic', sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e' },
    base: { ref: 'main', sha: '9049f1265b7d61be4a8904a9a27120d2064dab3b' }
  }
})

export const GitHubIssues = event({
  /** `opened`, `closed`, `reopened`, `edited`, `assigned`, `labeled`, `deleted`, `transferred`, … */
  action: Type.String(),
  issue: Type.Object({
    id: Type.Number(),
    number: Type.Number(),
    title: Type.String(),
    /** `open` or `closed` */
    state: Type.String(),
    body: Type.Optional(Nullable(Type.String())),
    html_url: Type.String(),
    user: Nullable(GitHubUser),
    labels: Type.Optional(Type.Array(Type.Object({ name: Type.String() })))
  })
}, {
  action: 'opened',
  issue: {
    id: 1,
    number: 1347,
    title: 'Found a bug',
    state: 'open',
    body: "I'm having a problem with this.",
    html_url: 'https://github.com/octocat/Hello-World/issues/1347',
    user: octocat,
    labels: [{ name: 'bug' }]
  }
})

export const GitHubRelease = event({
  /** `published`, `created`, `released`, `prereleased`, `edited`, `unpublished`, `deleted` */
  action: Type.String(),
  release: Type.Object({
    id: Type.Number(),
    tag_name: Type.String(),
    name: Type.Optional(Nullable(Type.String())),
    body: Type.Optional(Nullable(Type.String())),
    draft: Type.Boolean(),
    prerelease: Type.Boolean(),
    html_url: Type.String(),
    target_commitish: Type.Optional(Type.String()),
    published_at: Type.Optional(Nullable(Type.String())),
    author: Type.Optional(GitHubUser)
  })
}, {
  action: 'published',
  release: {
    id: 1,
    tag_name: 'v1.0.0',
    name: 'v1.0.0',
    body: 'Description of the release',
    draft: false,
    prerelease: false,
    html_url: 'https://github.com/octocat/Hello-World/releases/v1.0.0',
    target_commitish: 'main',
    published_at: '2025-01-15T10:30:00Z',
    author: octocat
  }
})

export const GitHubWorkflowRun = event({
  /** `requested`, `in_progress` or `completed` */
  action: Type.String(),
  workflow_run: Type.Object({
    id: Type.Number(),
    name: Type.Optional(Nullable(Type.String())),
    head_branch: Type.Optional(Nullable(Type.String())),
    head_sha: Type.String(),
    /** `requested`, `in_progress`, `completed`, `queued`, `pending`, `waiting` */
    status: Nullable(Type.String()),
    /** with `status: 'completed'`: `success`, `failure`, `cancelled`, `skipped`, `timed_out`, `action_required`, … */
    conclusion: Nullable(Type.String()),
    html_url: Type.String(),
    run_number: Type.Number(),
    run_attempt: Type.Optional(Type.Number()),
    /** what triggered it: `push`, `pull_request`, `schedule`, `workflow_dispatch`, … */
    event: Type.String(),
    workflow_id: Type.Number(),
    created_at: Type.Optional(Type.String()),
    updated_at: Type.Optional(Type.String())
  }),
  workflow: Type.Optional(Nullable(Type.Object({ id: Type.Number(), name: Type.String(), path: Type.String() })))
}, {
  action: 'completed',
  workflow_run: {
    id: 30433642,
    name: 'CI',
    head_branch: 'main',
    head_sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e',
    status: 'completed',
    conclusion: 'success',
    html_url: 'https://github.com/octocat/Hello-World/actions/runs/30433642',
    run_number: 562,
    run_attempt: 1,
    event: 'push',
    workflow_id: 159038,
    created_at: '2025-01-15T10:30:00Z',
    updated_at: '2025-01-15T10:34:12Z'
  },
  workflow: { id: 159038, name: 'CI', path: '.github/workflows/ci.yml' }
})

/**
 * Sent once when the webhook is created, to check the endpoint. An organization's or an app's hook has no
 * repository, so nothing but `zen` and `hook_id` is required.
 */
export const GitHubPing = Type.Object({
  zen: Type.String(),
  hook_id: Type.Number(),
  hook: Type.Optional(Type.Object({
    type: Type.Optional(Type.String()),
    id: Type.Optional(Type.Number()),
    active: Type.Optional(Type.Boolean()),
    events: Type.Optional(Type.Array(Type.String())),
    config: Type.Optional(Type.Object({
      /** `json` or `form` */
      content_type: Type.Optional(Type.String()),
      url: Type.Optional(Type.String())
    }))
  })),
  repository: Type.Optional(GitHubRepository),
  sender: Type.Optional(GitHubUser),
  organization: Type.Optional(Type.Object({ login: Type.String(), id: Type.Number() }))
}, {
  examples: [{
    zen: 'Design for failure.',
    hook_id: 109948940,
    hook: {
      type: 'Repository',
      id: 109948940,
      active: true,
      events: ['push', 'pull_request'],
      config: { content_type: 'json', url: 'https://example.com/webhooks/github' }
    },
    ...exampleCommon
  }]
})

export const githubEvents = {
  push: GitHubPush,
  pull_request: GitHubPullRequest,
  issues: GitHubIssues,
  release: GitHubRelease,
  workflow_run: GitHubWorkflowRun,
  ping: GitHubPing
}

export type GitHubEventType = keyof typeof githubEvents
export type GitHubPayload<T extends GitHubEventType = GitHubEventType> = Static<typeof githubEvents[T]>
