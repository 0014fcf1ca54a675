import { standardWebhooks } from '../lib/standard-webhooks.js'
import { stringField } from '../schemas/common.js'
import { cyberdeskEvents } from '../schemas/cyberdesk.js'
import { defineProvider, type EventFor } from './receiver.js'

/** Cyberdesk sends through Svix: Standard Webhooks under `svix-*` header names (`webhook-*` accepted too). */
export const cyberdesk = defineProvider({
  name: 'cyberdesk',
  scheme: standardWebhooks({ headerPrefixes: ['svix', 'webhook'] }),
  events: cyberdeskEvents,
  // The idempotency key is the signed svix-id, which comes back on every retry.
  typeOf: payload => stringField(payload, 'event_type')
})

export type CyberdeskEvent = EventFor<typeof cyberdesk>

declare module 'fastify' {
  interface FastifyWebhookProviders { cyberdesk: CyberdeskEvent }
}

export default cyberdesk
