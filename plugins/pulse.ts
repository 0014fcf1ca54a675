import { pulseEvents } from '../schemas/plain/pulse.js'
import { defineStandardWebhooks } from './standard-webhooks.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Pulse sends through a Svix portal: Standard Webhooks with `webhook-*`
 * headers. (The sample code on Pulse's page is wrong; this follows the spec.)
 */
export const pulse = defineStandardWebhooks({
  name: 'pulse',
  title: 'Pulse',
  events: pulseEvents,
  // The type is the body's `type`, the default; the key is the signed webhook-id, new for each message.
  sample: { type: 'job.completed', fresh: event => ({ ...event, timestamp: new Date().toISOString() }) }
})

/** A verified Pulse event: the union of all types, or `PulseEvent<'job.completed'>` the event of that type. */
export type PulseEvent<T extends EventTypeFor<typeof pulse> = EventTypeFor<typeof pulse>> = EventFor<typeof pulse, T>
/** The `on` option: one handler per Pulse event type. */
export type PulseHandlers = HandlersFor<typeof pulse>

declare module 'fastify' {
  interface FastifyWebhookProviders { pulse: PulseEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { pulse: true }
}

export default pulse
