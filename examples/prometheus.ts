/**
 * Prometheus without OpenTelemetry: prom-client fed by the package's diagnostics channels, and a
 * /metrics route to scrape. The README's "Prometheus with prom-client" recipe is this file.
 */
import type { FastifyInstance } from 'fastify'
import client from 'prom-client'
import { subscribeWebhooks } from '../plugins/index.js'

const deliveries = new client.Counter({
  name: 'webhook_deliveries_total',
  help: 'Webhook deliveries received, by provider and outcome',
  labelNames: ['provider', 'outcome', 'reason']
})
const handlerSeconds = new client.Histogram({
  name: 'webhook_handler_duration_seconds',
  help: 'Time the handlers of one event took',
  labelNames: ['provider', 'where'],
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15]
})

subscribeWebhooks({
  refused: m => deliveries.inc({ provider: m.provider, outcome: m.outcome, reason: m.reason }),
  queued: m => deliveries.inc({ provider: m.provider, outcome: 'accepted' }),
  duplicate: m => {
    if (m.where === 'route') deliveries.inc({ provider: m.provider, outcome: m.inFlight ? 'in_flight' : 'duplicate' })
  },
  handled: m => {
    if (m.where === 'route') deliveries.inc({ provider: m.provider, outcome: 'accepted' })
    handlerSeconds.observe({ provider: m.provider, where: m.where }, m.duration / 1000)
  },
  failed: m => {
    if (m.where === 'route') deliveries.inc({ provider: m.provider, outcome: 'failed' })
    handlerSeconds.observe({ provider: m.provider, where: m.where }, m.duration / 1000)
  }
})

/** GET /metrics, for Prometheus to scrape: `await app.register(metricsRoute)`. */
export async function metricsRoute (app: FastifyInstance): Promise<void> {
  app.get('/metrics', async (_request, reply) =>
    reply.type(client.register.contentType).send(await client.register.metrics())
  )
}
