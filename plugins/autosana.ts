import { stringField } from '../lib/core/fields.js'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { autosanaEvents } from '../schemas/plain/autosana.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Autosana: `X-Autosana-Signature-256: sha256=<hex>`. Signing is optional on
 * Autosana's side; unsigned deliveries are accepted only with `allowUnsigned: true`.
 * The payload has no id: the SHA-256 of the body is the idempotency key.
 */
export const autosana = defineProvider({
  name: 'autosana',
  title: 'Autosana',
  scheme: hmacHex({ headers: ['x-autosana-signature-256'], prefix: 'sha256=' }),
  events: autosanaEvents,
  typeOf: payload => stringField(payload, 'event'),
  unsigned: true,
  // The key is the body's hash: a new timestamp makes a new event.
  sample: { type: 'batch.completed', fresh: batch => ({ ...batch, timestamp: new Date().toISOString() }) }
})

/** A verified Autosana event: the union of all types, or `AutosanaEvent<'batch.completed'>` the event of that type. */
export type AutosanaEvent<T extends EventTypeFor<typeof autosana> = EventTypeFor<typeof autosana>> = EventFor<
  typeof autosana,
  T
>
/** The `on` option: one handler per Autosana event type. */
export type AutosanaHandlers = HandlersFor<typeof autosana>

declare module 'fastify' {
  interface FastifyWebhookProviders { autosana: AutosanaEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { autosana: true }
}

export default autosana
