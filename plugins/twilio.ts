import { randomBytes } from 'node:crypto'
import { formBody } from '../lib/core/body-format.js'
import { stringField } from '../lib/core/fields.js'
import { hmac } from '../lib/schemes/index.js'
import { headerValue } from '../lib/schemes/scheme.js'
import { twilioEvents } from '../schemas/plain/twilio.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Twilio: `X-Twilio-Signature: <base64>`, HMAC-SHA1 keyed with the account's auth token of the whole URL Twilio
 * called, then each POST field's name and value, sorted by name (a name sent twice: each distinct value, sorted).
 * The URL is taken with or without its port, as Twilio's SDK does. Behind a proxy, give the receiver `publicUrl`.
 */
export const twilioScheme = hmac({
  name: 'twilio',
  title: 'Twilio',
  digest: 'sha1',
  encoding: 'base64',
  signed: '{url}{form}',
  signature: { header: 'x-twilio-signature' },
  urlPort: 'either'
})

/**
 * Twilio sends no type: it is read from the fields the request carries. A recording's callback (it has a
 * `RecordingStatus`, and the call's `CallSid` too), a call's status callback (`CallbackSource`), a call to your
 * number (`CallSid`), a message's status callback (`MessageStatus`), a message to your number (`MessageSid`).
 */
function typeOf (payload: unknown): string | undefined {
  if (stringField(payload, 'RecordingStatus') !== undefined) return 'recording.status'
  if (stringField(payload, 'CallSid') !== undefined) {
    return stringField(payload, 'CallbackSource') === undefined ? 'call.incoming' : 'call.status'
  }
  if (stringField(payload, 'MessageStatus') !== undefined) return 'message.status'
  if (stringField(payload, 'MessageSid') !== undefined || stringField(payload, 'SmsMessageSid') !== undefined) {
    return 'message.incoming'
  }
  return undefined
}

/** A new id of Twilio's kind (`SM` and 32 hex digits), for each `send` of a sample. */
const sid = (prefix: string): string => `${prefix}${randomBytes(16).toString('hex')}`

/** `defineTwilio`'s options: another name, more (or other) schemas. */
export type TwilioOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Twilio receiver with more (or other) schemas than the ones shipped: `defineTwilio({ events })`. */
export const defineTwilio = preset({
  name: 'twilio',
  title: 'Twilio',
  scheme: twilioScheme,
  events: twilioEvents,
  body: formBody,
  typeOf,
  // The request's idempotency token, the same on Twilio's retries of it; else the SHA-256 of the body.
  idOf: (_payload, { headers }) => headerValue(headers, 'i-twilio-idempotency-token'),
  senderHeaders: ({ id }) => ({ 'i-twilio-idempotency-token': id }),
  sample: {
    type: 'message.incoming',
    fresh: fields => {
      const id = sid('SM')
      return { ...fields, MessageSid: id, SmsMessageSid: id, SmsSid: id }
    }
  }
})

export const twilio = defineTwilio()

/** A verified Twilio request: the union of all types, or `TwilioEvent<'message.incoming'>` the one of that type. */
export type TwilioEvent<T extends EventTypeFor<typeof twilio> = EventTypeFor<typeof twilio>> = EventFor<
  typeof twilio,
  T
>
/** The `on` option: one handler per Twilio request type. */
export type TwilioHandlers = HandlersFor<typeof twilio>

declare module 'fastify' {
  interface FastifyWebhookProviders { twilio: TwilioEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { twilio: true }
}

export default twilio
