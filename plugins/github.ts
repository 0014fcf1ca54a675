import { byContentType, jsonBody, jsonInForm } from '../lib/core/body-format.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { hmac } from '../lib/schemes/index.js'
import { headerValue } from '../lib/schemes/scheme.js'
import { withEvents } from '../schemas/common.js'
import { githubEvents } from '../schemas/github.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body with the secret as UTF-8 (the SHA-1
 * `X-Hub-Signature` GitHub also sends is not read). The body is JSON, or with the hook's "form" content type a form
 * whose `payload` field holds the JSON: the signature covers the bytes either way.
 */
export const githubScheme = hmac({
  name: 'github',
  title: 'GitHub',
  signature: { header: 'x-hub-signature-256', prefix: 'sha256=' }
})

export interface GitHubOptions<N extends string, E extends EventSchemas> {
  /** Default `github`: the path `/webhooks/<name>` and `request.webhook.provider`. */
  name?: N
  /** Schemas of more events (`X-GitHub-Event` names), or your own for one of ours (yours win). */
  events?: E
}

/** A GitHub receiver with more (or other) event schemas than the ones shipped: `defineGitHub({ events })`. */
export function defineGitHub<const N extends string = 'github', const E extends EventSchemas = {}> (
  options: GitHubOptions<N, E> = {}
) {
  return defineProvider({
    name: (options.name ?? 'github') as N,
    title: 'GitHub',
    scheme: githubScheme,
    events: withEvents(githubEvents, options.events),
    body: byContentType([jsonBody, jsonInForm('payload')]),
    // The type and the id are headers, outside the signature: a delivery without its type is refused.
    typeOf: (_payload, { headers }) => headerValue(headers, 'x-github-event'),
    requiresType: true,
    // The delivery's GUID, kept by GitHub's "Redeliver".
    idOf: (_payload, { headers }) => headerValue(headers, 'x-github-delivery'),
    senderHeaders: ({ type, id }) => ({ 'x-github-event': type, 'x-github-delivery': id }),
    sample: { type: 'push' }
  })
}

export const github = defineGitHub()

/** A verified GitHub event: the union of all types, or `GitHubEvent<'push'>` the event of that type. */
export type GitHubEvent<T extends EventTypeFor<typeof github> = EventTypeFor<typeof github>> = EventFor<
  typeof github,
  T
>
/** The `on` option: one handler per GitHub event (the `X-GitHub-Event` header's value). */
export type GitHubHandlers = HandlersFor<typeof github>

declare module 'fastify' {
  interface FastifyWebhookProviders { github: GitHubEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { github: true }
}

export default github
