import { stringField } from '../lib/core/fields.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { hmac } from '../lib/schemes/index.js'
import { headerValue } from '../lib/schemes/scheme.js'
import { linearEvents } from '../schemas/plain/linear.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Linear: `Linear-Signature: <hex>`, HMAC-SHA256 of the raw body keyed with the webhook's signing secret as UTF-8.
 * The signed timestamp is the body's `webhookTimestamp` (milliseconds), read once the signature matched; as in
 * `@linear/sdk`'s webhook client, a delivery more than 60 s from now is refused. The `Linear-Timestamp` header is
 * not signed, and not read.
 */
export const linearScheme = hmac({
  name: 'linear',
  title: 'Linear',
  signature: { header: 'linear-signature' },
  timestamp: { field: 'webhookTimestamp', format: 'milliseconds' },
  tolerance: 60
})

/** `defineLinear`'s options: another name, more (or other) event schemas. */
export type LinearOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Linear receiver with more (or other) event schemas than the ones shipped: `defineLinear({ events })`. */
export const defineLinear = preset({
  name: 'linear',
  title: 'Linear',
  scheme: linearScheme,
  events: linearEvents,
  // The entity's type is the signed body's (the `Linear-Event` header says the same, unsigned); `action` is a field.
  typeOf: payload => stringField(payload, 'type'),
  // The delivery's UUID, a header outside the signature; without it, the body's hash.
  idOf: (_payload, { headers }) => headerValue(headers, 'linear-delivery'),
  senderHeaders: ({ type, id }) => ({ 'linear-event': type, 'linear-delivery': id }),
  sample: { type: 'Issue' }
})

export const linear = defineLinear()

/** A verified Linear event: the union of all types, or `LinearEvent<'Issue'>` the event of that type. */
export type LinearEvent<T extends EventTypeFor<typeof linear> = EventTypeFor<typeof linear>> = EventFor<
  typeof linear,
  T
>
/** The `on` option: one handler per entity type (`Issue`, `Comment`, ...); `event.payload.action` says what changed. */
export type LinearHandlers = HandlersFor<typeof linear>

declare module 'fastify' {
  interface FastifyWebhookProviders { linear: LinearEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { linear: true }
}

export default linear
