import { stringAt, stringField } from '../lib/core/fields.js'
import type { DeliveryContext, EventSchemas, HandshakeAnswer } from '../lib/core/provider.js'
import { hmac } from '../lib/schemes/index.js'
import { headerValue } from '../lib/schemes/scheme.js'
import { twitchEvents } from '../schemas/plain/twitch.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex>`, HMAC-SHA256 of the message id, the timestamp
 * (RFC 3339, to nanoseconds) and the body, concatenated, keyed with the subscription's secret as UTF-8. Twitch asks
 * that a message older than 10 minutes be refused: the window is 600 s.
 */
export const twitchScheme = hmac({
  name: 'twitch',
  title: 'Twitch EventSub',
  signed: '{id}{timestamp}{body}',
  signature: { header: 'twitch-eventsub-message-signature', prefix: 'sha256=' },
  id: { header: 'twitch-eventsub-message-id' },
  timestamp: { header: 'twitch-eventsub-message-timestamp', format: 'rfc3339' },
  tolerance: 600
})

const MESSAGE_TYPE = 'twitch-eventsub-message-type'

/** A notification is typed by its subscription's type (`channel.follow`); a revocation is `revocation`. */
function typeOf (payload: unknown, { headers }: DeliveryContext): string | undefined {
  const message = headerValue(headers, MESSAGE_TYPE)
  if (message === 'notification') return stringAt(payload, 'subscription', 'type')
  return message === 'revocation' ? message : undefined
}

/** A new subscription's callback is checked: the `challenge` answered as text, once the signature verified. */
function handshake (payload: unknown, { headers }: DeliveryContext): HandshakeAnswer | undefined {
  if (headerValue(headers, MESSAGE_TYPE) !== 'webhook_callback_verification') return undefined
  return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: stringField(payload, 'challenge') ?? '' }
}

/** `defineTwitch`'s options: another name, more (or other) event schemas. */
export type TwitchOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Twitch EventSub receiver with more (or other) schemas than the ones shipped: `defineTwitch({ events })`. */
export const defineTwitch = preset({
  name: 'twitch',
  title: 'Twitch EventSub',
  scheme: twitchScheme,
  events: twitchEvents,
  // The message type is a header: a delivery without a known one (or a notification without its subscription's
  // type) is refused, as Twitch's own listener refuses it. The id is the signed message id, kept on Twitch's retries.
  typeOf,
  requiresType: true,
  handshake,
  senderHeaders: ({ type }): Record<string, string> => type === 'revocation'
    ? { [MESSAGE_TYPE]: 'revocation', 'twitch-eventsub-message-retry': '0' }
    : {
        [MESSAGE_TYPE]: 'notification',
        'twitch-eventsub-message-retry': '0',
        'twitch-eventsub-subscription-type': type
      },
  sample: { type: 'channel.follow' }
})

export const twitch = defineTwitch()

/** A verified Twitch event: the union of all types, or `TwitchEvent<'stream.online'>` the event of that type. */
export type TwitchEvent<T extends EventTypeFor<typeof twitch> = EventTypeFor<typeof twitch>> = EventFor<
  typeof twitch,
  T
>
/** The `on` option: one handler per subscription type, and `revocation`. */
export type TwitchHandlers = HandlersFor<typeof twitch>

declare module 'fastify' {
  interface FastifyWebhookProviders { twitch: TwitchEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { twitch: true }
}

export default twitch
