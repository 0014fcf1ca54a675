import { byContentType, jsonBody, jsonInForm } from '../lib/core/body-format.js'
import { hmac } from '../lib/schemes/index.js'
import { headerValue } from '../lib/schemes/scheme.js'
import { githubEvents } from '../schemas/plain/github.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
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

/** `defineGitHub`'s options: another name, more (or other) event schemas. */
export type GitHubOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A GitHub receiver with more (or other) event schemas than the ones shipped: `defineGitHub({ events })`. */
export const defineGitHub = preset({
  name: 'github',
  title: 'GitHub',
  scheme: githubScheme,
  events: githubEvents,
  body: byContentType([jsonBody, jsonInForm('payload')]),
  // The type and the id are headers, outside the signature: a delivery without its type is refused.
  typeOf: (_payload, { headers }) => headerValue(headers, 'x-github-event'),
  requiresType: true,
  // The delivery's GUID, kept by GitHub's "Redeliver".
  idOf: (_payload, { headers }) => headerValue(headers, 'x-github-delivery'),
  senderHeaders: ({ type, id }) => ({ 'x-github-event': type, 'x-github-delivery': id }),
  sample: { type: 'push' }
})

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
