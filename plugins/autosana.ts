import { hmacHex } from '../lib/hmac-hex.js'
import { stringField } from '../schemas/common.js'
import { autosanaEvents } from '../schemas/autosana.js'
import { defineProvider, type EventFor } from './receiver.js'

/**
 * Autosana: `X-Autosana-Signature-256: sha256=<hex>`. Signing is optional on
 * Autosana's side; unsigned deliveries are accepted only with `allowUnsigned: true`.
 * The payload has no id: the SHA-256 of the body is the idempotency key.
 */
export const autosana = defineProvider<'autosana', typeof autosanaEvents, object, object, { allowUnsigned?: boolean }>({
  name: 'autosana',
  scheme: hmacHex({ headers: ['x-autosana-signature-256'], prefix: 'sha256=' }),
  events: autosanaEvents,
  typeOf: payload => stringField(payload, 'event'),
  unsigned: true
})

export type AutosanaEvent = EventFor<typeof autosana>

declare module 'fastify' {
  interface FastifyWebhookProviders { autosana: AutosanaEvent }
}

export default autosana
