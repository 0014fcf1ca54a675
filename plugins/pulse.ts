import { stringField } from '../lib/fields.js'
import { standardWebhooks } from '../lib/standard-webhooks.js'
import { pulseEvents } from '../schemas/pulse.js'
import { defineProvider } from './receiver.js'
import type { EventFor } from './types.js'

/**
 * Pulse sends through a Svix portal: Standard Webhooks with `webhook-*`
 * headers. (The sample code on Pulse's page is wrong; this follows the spec.)
 */
export const pulse = defineProvider({
  name: 'pulse',
  title: 'Pulse',
  scheme: standardWebhooks({ headerPrefixes: ['webhook'] }),
  events: pulseEvents,
  typeOf: payload => stringField(payload, 'type'),
  // The key is the signed webhook-id, new for each message.
  sample: { type: 'job.completed', fresh: event => ({ ...event, timestamp: new Date().toISOString() }) }
})

export type PulseEvent = EventFor<typeof pulse>

declare module 'fastify' {
  interface FastifyWebhookProviders { pulse: PulseEvent }
}

export default pulse
