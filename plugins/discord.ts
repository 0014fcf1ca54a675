import { randomInt } from 'node:crypto'
import { field, stringField } from '../lib/core/fields.js'
import type { EventSchemas, HandshakeAnswer } from '../lib/core/provider.js'
import { ed25519 } from '../lib/schemes/index.js'
import { discordEvents } from '../schemas/plain/discord.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Discord interactions: `X-Signature-Ed25519: <hex>`, an ed25519 signature of `<X-Signature-Timestamp><body>`; the
 * receiver's `secret` is the application's public key, 32 bytes in hex.
 */
export const discordScheme = ed25519({
  name: 'discord',
  title: 'Discord',
  signed: '{timestamp}{body}',
  signature: { header: 'x-signature-ed25519' },
  timestamp: { header: 'x-signature-timestamp' }
})

/** An interaction's numeric `type`, by name; 1, the PING, is the handshake. */
const TYPES: Readonly<Record<number, string>> = {
  2: 'application_command',
  3: 'message_component',
  4: 'application_command_autocomplete',
  5: 'modal_submit'
}

/** The name of an interaction's type, `type_<n>` for a number Discord adds later; none for a type not a number. */
function typeOf (payload: unknown): string | undefined {
  const type = field(payload, 'type')
  if (typeof type !== 'number' || !Number.isSafeInteger(type) || type < 0) return undefined
  return TYPES[type] ?? `type_${type}`
}

const PONG: HandshakeAnswer = { body: { type: 1 } }

/** Discord checks the endpoint with a PING (type 1), when it is saved and now and then: answered with a PONG. */
function handshake (payload: unknown): HandshakeAnswer | undefined {
  return field(payload, 'type') === 1 ? PONG : undefined
}

/** Discord's epoch, 2015-01-01, in milliseconds: a snowflake's top bits count from it. */
const DISCORD_EPOCH = 1420070400000n

/** `defineDiscord`'s options: another name, more (or other) event schemas. */
export type DiscordOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Discord receiver with more (or other) schemas than the ones shipped: `defineDiscord({ events })`. */
export const defineDiscord = preset({
  name: 'discord',
  title: 'Discord',
  scheme: discordScheme,
  events: discordEvents,
  typeOf,
  handshake,
  // The interaction's snowflake: Discord does not retry an interaction, so a second one of the same id is a replay.
  idOf: payload => stringField(payload, 'id'),
  sample: {
    type: 'application_command',
    fresh: payload => ({
      ...payload,
      id: String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | BigInt(randomInt(1 << 22)))
    })
  }
})

export const discord = defineDiscord()

/** A verified Discord interaction: the union of all types, or `DiscordEvent<'application_command'>` one type's. */
export type DiscordEvent<T extends EventTypeFor<typeof discord> = EventTypeFor<typeof discord>> = EventFor<
  typeof discord,
  T
>
/** The `on` option: one handler per interaction type. */
export type DiscordHandlers = HandlersFor<typeof discord>

declare module 'fastify' {
  interface FastifyWebhookProviders { discord: DiscordEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { discord: true }
}

export default discord
