/**
 * Autosana on its own. After `npm run build`:
 *   AUTOSANA_WEBHOOK_SECRET=... node dist/examples/autosana.js
 *   npx fastify-webhooks send autosana --url http://127.0.0.1:3000/webhooks/autosana --secret "$AUTOSANA_WEBHOOK_SECRET"
 * In your project, import from 'fastify-webhooks/autosana'.
 */
import Fastify from 'fastify'
import { autosana } from '../plugins/autosana.js'

const { AUTOSANA_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

const app = Fastify({ logger: true })
await app.register(autosana, {
  // Signing is optional on Autosana's side: set a secret there and here. (Unsigned deliveries are
  // accepted only with `allowUnsigned: true` instead of a secret; do not, on a public endpoint.)
  secret: AUTOSANA_WEBHOOK_SECRET,
  on: {
    'batch.completed': async (event, request) => {
      const { app: build, summary, run_groups: groups } = event.payload
      const failed = groups.flatMap(group =>
        group.runs.filter(run => run.status === 'failed').map(run => `${group.name}: ${run.name}`)
      )
      request.log.info(
        { app: build.name, platform: build.platform, passed: summary.passed_groups, failed },
        'autosana batch completed'
      )
    }
  }
})
await app.listen({ host: HOST, port: Number(PORT) })
