import { randomUUID } from 'node:crypto'
import { cyberdeskEvents } from '../schemas/plain/cyberdesk.js'
import { defineStandardWebhooks } from './standard-webhooks.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/** Cyberdesk sends through Svix: Standard Webhooks under `svix-*` header names (`webhook-*` accepted too). */
export const cyberdesk = defineStandardWebhooks({
  name: 'cyberdesk',
  title: 'Cyberdesk',
  headerPrefixes: ['svix', 'webhook'],
  events: cyberdeskEvents,
  // The idempotency key is the signed svix-id, which comes back on every retry.
  type: 'event_type',
  sample: {
    type: 'run_complete',
    fresh: event => ({ ...event, event_id: randomUUID(), occurred_at: new Date().toISOString() })
  }
})

/** A verified Cyberdesk event: the union of all types, or `CyberdeskEvent<'run_complete'>` the event of that type. */
export type CyberdeskEvent<T extends EventTypeFor<typeof cyberdesk> = EventTypeFor<typeof cyberdesk>> = EventFor<
  typeof cyberdesk,
  T
>
/** The `on` option: one handler per Cyberdesk event type. */
export type CyberdeskHandlers = HandlersFor<typeof cyberdesk>

declare module 'fastify' {
  interface FastifyWebhookProviders { cyberdesk: CyberdeskEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { cyberdesk: true }
}

export default cyberdesk
