/**
 * Pulse on its own. After `npm run build`:
 *   PULSE_WEBHOOK_SECRET=whsec_... node dist/examples/pulse.js
 *   npx fastify-webhooks send pulse job.completed --url http://127.0.0.1:3000/webhooks/pulse --secret "$PULSE_WEBHOOK_SECRET"
 * In your project, import from 'fastify-webhooks/pulse'.
 */
import Fastify from 'fastify'
import { pulse } from '../plugins/pulse.js'

const { PULSE_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

const app = Fastify({ logger: true })
await app.register(pulse, {
  secret: PULSE_WEBHOOK_SECRET, // whsec_..., from Pulse's webhook portal
  on: {
    'job.completed': async (event, request) => {
      const { job_id: job, pages_processed: pages, processing_time: seconds } = event.payload.data
      request.log.info({ job, pages, seconds }, 'pulse job completed')
    },
    'job.failed': async (event, request) => {
      request.log.warn({ job: event.payload.data.job_id, error: event.payload.data.error }, 'pulse job failed')
    }
  },
  // Pulse says more event types are coming: they are verified, answered 200, and land here.
  onUnknown: async (event, request) => {
    request.log.info({ type: event.type, id: event.id }, 'pulse event of a new type')
  }
})
await app.listen({ host: HOST, port: Number(PORT) })
