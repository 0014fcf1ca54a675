import { randomBytes } from 'node:crypto'
import { byContentType, formBody, jsonBody, jsonInForm, type BodyFormat } from '../lib/core/body-format.js'
import { stringAt, stringField } from '../lib/core/fields.js'
import type { EventSchemas, HandshakeAnswer } from '../lib/core/provider.js'
import { hmac } from '../lib/schemes/index.js'
import { slackEvents } from '../schemas/plain/slack.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `v0:<X-Slack-Request-Timestamp>:<body>` with the signing
 * secret as UTF-8, the timestamp within 5 minutes.
 */
export const slackScheme = hmac({
  name: 'slack',
  title: 'Slack',
  signed: 'v0:{timestamp}:{body}',
  signature: { header: 'x-slack-signature', prefix: 'v0=' },
  timestamp: { header: 'x-slack-request-timestamp' }
})

/** The Events API's inner type, an interaction's type, or `slash_command` for a command's form. */
function typeOf (payload: unknown): string | undefined {
  const type = stringField(payload, 'type')
  if (type === 'event_callback') return stringAt(payload, 'event', 'type')
  if (type !== undefined) return type
  return stringField(payload, 'command') === undefined ? undefined : 'slash_command'
}

/** Slack checks the request URL with a `url_verification` challenge, and a command's with an `ssl_check`. */
function handshake (payload: unknown): HandshakeAnswer | undefined {
  if (stringField(payload, 'type') === 'url_verification') {
    return { body: { challenge: stringField(payload, 'challenge') ?? '' } }
  }
  return stringField(payload, 'ssl_check') === '1' ? { body: '' } : undefined
}

/** Commands post a form; interactivity a form whose `payload` field holds JSON; the Events API posts JSON. */
const forms = jsonInForm('payload', { orForm: true })
const interaction = jsonInForm('payload')

/** The Events API's envelope types: everything else with a `type` is an interaction. */
const eventsApi = new Set(['event_callback', 'url_verification', 'app_rate_limited'])

/** The format Slack sends a payload in, for the testing kit and `send`. */
function sends (payload: unknown): BodyFormat {
  if (stringField(payload, 'command') !== undefined) return formBody
  const type = stringField(payload, 'type')
  return type === undefined || eventsApi.has(type) ? jsonBody : interaction
}

/** `defineSlack`'s options: another name, more (or other) event schemas. */
export type SlackOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Slack receiver with more (or other) schemas than the ones shipped: `defineSlack({ events })`. */
export const defineSlack = preset({
  name: 'slack',
  title: 'Slack',
  scheme: slackScheme,
  events: slackEvents,
  body: byContentType([jsonBody, forms], { sends }),
  typeOf,
  handshake,
  // An event's id is kept on Slack's retries; a command or an interaction is never retried, each has its trigger.
  idOf: payload => stringField(payload, 'event_id') ?? stringField(payload, 'trigger_id'),
  sample: {
    type: 'app_mention',
    // An event is told apart by its event_id; a command or an interaction, which has none, by its trigger_id.
    fresh: payload => 'event_id' in payload
      ? { ...payload, event_id: `Ev${randomBytes(6).toString('hex').toUpperCase()}` }
      : { ...payload, trigger_id: `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}` }
  }
})

export const slack = defineSlack()

/** A verified Slack event: the union of all types, or `SlackEvent<'app_mention'>` the event of that type. */
export type SlackEvent<T extends EventTypeFor<typeof slack> = EventTypeFor<typeof slack>> = EventFor<
  typeof slack,
  T
>
/** The `on` option: one handler per Slack type. */
export type SlackHandlers = HandlersFor<typeof slack>

declare module 'fastify' {
  interface FastifyWebhookProviders { slack: SlackEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { slack: true }
}

export default slack
