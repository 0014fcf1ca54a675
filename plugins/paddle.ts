import { randomBytes } from 'node:crypto'
import { stringField } from '../lib/core/fields.js'
import { hmac } from '../lib/schemes/index.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { paddleEvents } from '../schemas/plain/paddle.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>`, HMAC-SHA256 of `<ts>:<body>` keyed with the whole
 * `pdl_ntfset_…` secret as UTF-8. Several `h1` entries may come while a secret is rotated. The window is Paddle's
 * SDK's, 5 seconds; the type and the id (`evt_…`, the same on every retry) are the body's.
 */
export const paddleScheme = hmac({
  name: 'paddle',
  title: 'Paddle',
  signed: '{timestamp}:{body}',
  signature: { header: 'paddle-signature', entries: { separator: ';', assign: '=', signature: 'h1' } },
  timestamp: { entry: 'ts' },
  secret: { prefix: 'pdl_ntfset_' },
  tolerance: 5
})

/** `definePaddle`'s options: another name, more (or other) event schemas. */
export type PaddleOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Paddle receiver with more (or other) event schemas than the ones shipped: `definePaddle({ events })`. */
export const definePaddle = preset({
  name: 'paddle',
  title: 'Paddle',
  scheme: paddleScheme,
  events: paddleEvents,
  typeOf: payload => stringField(payload, 'event_type'),
  idOf: payload => stringField(payload, 'event_id'),
  sample: {
    type: 'transaction.completed',
    fresh: event => ({
      ...event,
      event_id: `evt_${randomBytes(13).toString('hex')}`,
      notification_id: `ntf_${randomBytes(13).toString('hex')}`,
      occurred_at: new Date().toISOString()
    })
  }
})

export const paddle = definePaddle()

/** A verified Paddle event: the union of all types, or `PaddleEvent<'transaction.completed'>` one type's. */
export type PaddleEvent<T extends EventTypeFor<typeof paddle> = EventTypeFor<typeof paddle>> = EventFor<
  typeof paddle,
  T
>
/** The `on` option: one handler per Paddle event type. */
export type PaddleHandlers = HandlersFor<typeof paddle>

declare module 'fastify' {
  interface FastifyWebhookProviders { paddle: PaddleEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { paddle: true }
}

export default paddle
