import { stringField } from '../lib/core/fields.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { sharedToken } from '../lib/schemes/index.js'
import { headerValue } from '../lib/schemes/scheme.js'
import { gitlabEvents } from '../schemas/plain/gitlab.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * GitLab: the webhook's secret token itself in `X-Gitlab-Token`, compared in constant time. Nothing of the body is
 * signed, so a changed body or a replay is not caught by it: deduplication on `Idempotency-Key` is the replay
 * defence, and the token must travel over HTTPS only.
 */
export const gitlabScheme = sharedToken({ name: 'gitlab', title: 'GitLab', header: 'x-gitlab-token' })

/**
 * The `X-Gitlab-Event` header GitLab sends with each `object_kind`: `Push Hook`, `Merge Request Hook`; a job
 * (`build`) is a `Job Hook`. For the testing kit and `send`.
 */
const HOOKS: Readonly<Record<string, string>> = { build: 'Job Hook', wiki_page: 'Wiki Page Hook' }
function hookName (kind: string): string {
  return HOOKS[kind] ?? `${kind.split('_').map(word => word.charAt(0).toUpperCase() + word.slice(1)).join(' ')} Hook`
}

/** `defineGitLab`'s options: another name, more (or other) event schemas. */
export type GitLabOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A GitLab receiver with more (or other) event schemas than the ones shipped: `defineGitLab({ events })`. */
export const defineGitLab = preset({
  name: 'gitlab',
  title: 'GitLab',
  scheme: gitlabScheme,
  events: gitlabEvents,
  // Every event's body names its kind (the `X-Gitlab-Event` header says the same in words: `Push Hook`); a group's
  // member, project and subgroup events have an `event_name` instead.
  typeOf: payload => stringField(payload, 'object_kind') ?? stringField(payload, 'event_name'),
  // Idempotency-Key is kept on GitLab's retries (GitLab 17.4 and later); X-Gitlab-Event-UUID is per event before.
  idOf: (_payload, { headers }) =>
    headerValue(headers, 'idempotency-key') ?? headerValue(headers, 'x-gitlab-event-uuid'),
  senderHeaders: ({ type, id }) =>
    ({ 'x-gitlab-event': hookName(type), 'x-gitlab-event-uuid': id, 'idempotency-key': id }),
  sample: { type: 'push' }
})

export const gitlab = defineGitLab()

/** A verified GitLab event: the union of all types, or `GitLabEvent<'push'>` the event of that type. */
export type GitLabEvent<T extends EventTypeFor<typeof gitlab> = EventTypeFor<typeof gitlab>> = EventFor<
  typeof gitlab,
  T
>
/** The `on` option: one handler per GitLab `object_kind`. */
export type GitLabHandlers = HandlersFor<typeof gitlab>

declare module 'fastify' {
  interface FastifyWebhookProviders { gitlab: GitLabEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { gitlab: true }
}

export default gitlab
