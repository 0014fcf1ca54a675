import { randomUUID } from 'node:crypto'
import { stringField } from '../lib/core/fields.js'
import { hmac } from '../lib/schemes/index.js'
import { squareEvents } from '../schemas/plain/square.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Square: `x-square-hmacsha256-signature: <base64>`, HMAC-SHA256 of the notification URL (as set on the subscription)
 * followed by the raw body, keyed with the subscription's signature key as UTF-8. The URL is the one Square called:
 * behind a proxy, give the receiver `publicUrl`.
 */
export const squareScheme = hmac({
  name: 'square',
  title: 'Square',
  encoding: 'base64',
  signed: '{url}{body}',
  signature: { header: 'x-square-hmacsha256-signature' }
})

/** `defineSquare`'s options: another name, more (or other) event schemas. */
export type SquareOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Square receiver with more (or other) event schemas than the ones shipped: `defineSquare({ events })`. */
export const defineSquare = preset({
  name: 'square',
  title: 'Square',
  scheme: squareScheme,
  events: squareEvents,
  typeOf: payload => stringField(payload, 'type'),
  // The same on each of Square's retries.
  idOf: payload => stringField(payload, 'event_id'),
  sample: {
    type: 'payment.updated',
    fresh: event => ({ ...event, event_id: randomUUID() })
  }
})

export const square = defineSquare()

/** A verified Square event: the union of all types, or `SquareEvent<'payment.updated'>` the event of that type. */
export type SquareEvent<T extends EventTypeFor<typeof square> = EventTypeFor<typeof square>> = EventFor<
  typeof square,
  T
>
/** The `on` option: one handler per Square event type. */
export type SquareHandlers = HandlersFor<typeof square>

declare module 'fastify' {
  interface FastifyWebhookProviders { square: SquareEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { square: true }
}

export default square
