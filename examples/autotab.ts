/**
 * Autotab on its own. After `npm run build`:
 *   AUTOTAB_WEBHOOK_SECRET=... node dist/examples/autotab.js
 *   npx fastify-webhooks send autotab finish --url http://127.0.0.1:3000/webhooks/autotab --secret "$AUTOTAB_WEBHOOK_SECRET"
 * In your project, import from 'fastify-webhooks/autotab'.
 */
import Fastify from 'fastify'
import { autotab } from '../plugins/autotab.js'

const { AUTOTAB_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

const app = Fastify({ logger: true })
await app.register(autotab, {
  secret: AUTOTAB_WEBHOOK_SECRET, // missing? the plugin refuses to start and says so
  on: {
    // Autotab sends the run session once per state change; the state is the event type.
    finish: async (event, request) => {
      request.log.info(
        { session: event.payload.id, skill: event.payload.skill_id, ended: event.payload.end_time },
        'autotab run finished'
      )
    },
    cancel: async (event, request) => {
      request.log.warn({ session: event.payload.id }, 'autotab run cancelled')
    },
    timeout: async (event, request) => {
      request.log.warn({ session: event.payload.id }, 'autotab run timed out')
    }
  }
})
await app.listen({ host: HOST, port: Number(PORT) })
