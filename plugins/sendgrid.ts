import { randomBytes } from 'node:crypto'
import { jsonBody, type BodyFormat } from '../lib/core/body-format.js'
import { stringField } from '../lib/core/fields.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { ecdsa } from '../lib/schemes/index.js'
import { sendgridEvents } from '../schemas/plain/sendgrid.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * SendGrid's Event Webhook: `X-Twilio-Email-Event-Webhook-Signature`, a base64 DER ECDSA P-256 / SHA-256 signature
 * of `<X-Twilio-Email-Event-Webhook-Timestamp><body>`; the receiver's `secret` is the verification key SendGrid
 * shows, base64 of its DER (or PEM).
 */
export const sendgridScheme = ecdsa({
  name: 'sendgrid',
  title: 'SendGrid',
  signed: '{timestamp}{body}',
  signature: { header: 'x-twilio-email-event-webhook-signature' },
  timestamp: { header: 'x-twilio-email-event-webhook-timestamp' }
})

/** A JSON array of events; the testing kit and `send` post one event as a list of one, as SendGrid would. */
const eventList: BodyFormat = {
  ...jsonBody,
  serialize: payload => JSON.stringify(Array.isArray(payload) ? payload : [payload])
}

/** `defineSendGrid`'s options: another name, more (or other) event schemas. */
export type SendGridOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A SendGrid receiver with more (or other) schemas than the ones shipped: `defineSendGrid({ events })`. */
export const defineSendGrid = preset({
  name: 'sendgrid',
  title: 'SendGrid',
  scheme: sendgridScheme,
  events: sendgridEvents,
  body: eventList,
  // Each event of the array is typed, deduplicated and handled on its own; anything but an array is no delivery.
  eventsOf: payload => Array.isArray(payload) ? payload : undefined,
  typeOf: payload => stringField(payload, 'event'),
  idOf: payload => stringField(payload, 'sg_event_id'),
  sample: {
    type: 'delivered',
    fresh: event => ({
      ...event,
      sg_event_id: randomBytes(36).toString('base64url'),
      timestamp: Math.floor(Date.now() / 1000)
    })
  }
})

export const sendgrid = defineSendGrid()

/** A verified SendGrid event: the union of all types, or `SendGridEvent<'bounce'>` the event of that type. */
export type SendGridEvent<T extends EventTypeFor<typeof sendgrid> = EventTypeFor<typeof sendgrid>> = EventFor<
  typeof sendgrid,
  T
>
/** The `on` option: one handler per SendGrid event type, each run once per event of a delivery. */
export type SendGridHandlers = HandlersFor<typeof sendgrid>

declare module 'fastify' {
  interface FastifyWebhookProviders { sendgrid: SendGridEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { sendgrid: true }
}

export default sendgrid
