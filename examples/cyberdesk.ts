/**
 * Cyberdesk on its own. After `npm run build`:
 *   CYBERDESK_WEBHOOK_SECRET=whsec_... node dist/examples/cyberdesk.js
 *   npx fastify-webhooks send cyberdesk --url http://127.0.0.1:3000/webhooks/cyberdesk --secret "$CYBERDESK_WEBHOOK_SECRET"
 * In your project, import from 'fastify-webhooks/cyberdesk'.
 */
import Fastify from 'fastify'
import { cyberdesk } from '../plugins/cyberdesk.js'

const { CYBERDESK_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

const app = Fastify({ logger: true })
await app.register(cyberdesk, {
  secret: CYBERDESK_WEBHOOK_SECRET, // whsec_..., from the endpoint's page in Cyberdesk's (Svix) dashboard
  on: {
    run_complete: async (event, request) => {
      const { run } = event.payload
      // run.status is a union of literals: the switch narrows it.
      switch (run.status) {
        case 'success':
          request.log.info({ run: run.id, workflow: run.workflow_id, ended: run.ended_at }, 'cyberdesk run succeeded')
          break
        case 'error':
        case 'task_failed':
          request.log.warn({ run: run.id, status: run.status, errors: run.error }, 'cyberdesk run failed')
          break
        default:
          request.log.info({ run: run.id, status: run.status }, 'cyberdesk run ended')
      }
    }
  }
})
await app.listen({ host: HOST, port: Number(PORT) })
