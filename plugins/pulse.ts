import { standardWebhooks } from '../lib/standard-webhooks.js'
import { stringField } from '../schemas/common.js'
import { pulseEvents } from '../schemas/pulse.js'
import { defineProvider, type EventFor } from './receiver.js'

/**
 * Pulse sends through a Svix portal: Standard Webhooks with `webhook-*`
 * headers. (The sample code on Pulse's page is wrong; this follows the spec.)
 */
export const pulse = defineProvider({
  name: 'pulse',
  scheme: standardWebhooks({ headerPrefixes: ['webhook'] }),
  events: pulseEvents,
  typeOf: payload => stringField(payload, 'type')
})

export type PulseEvent = EventFor<typeof pulse>

declare module 'fastify' {
  interface FastifyWebhookProviders { pulse: PulseEvent }
}

export default pulse
