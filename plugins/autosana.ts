import { stringField } from '../lib/fields.js'
import { hmacHex } from '../lib/hmac-hex.js'
import { autosanaEvents } from '../schemas/autosana.js'
import { defineProvider } from './receiver.js'
import type { EventFor } from './types.js'

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

export type AutosanaEvent = EventFor<typeof autosana>

declare module 'fastify' {
  interface FastifyWebhookProviders { autosana: AutosanaEvent }
}

export default autosana
