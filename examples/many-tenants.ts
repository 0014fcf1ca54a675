/**
 * One Pulse route for many tenants, each with its own secret, looked up per delivery and cached.
 *   TENANT_SECRETS='{"acme":"whsec_..."}' node dist/examples/many-tenants.js
 *   npx fastify-webhooks send pulse --url http://127.0.0.1:3000/webhooks/pulse/acme --secret whsec_...
 * In your project, import from 'fastify-webhooks' and 'fastify-webhooks/pulse'.
 */
import Fastify from 'fastify'
import { SecretCache } from '../plugins/index.js'
import { pulse } from '../plugins/pulse.js'
import { db } from './tenant-db.js' // yours: any lookup, sync or async

const app = Fastify({ logger: true })
const secrets = new SecretCache({ max: 10_000, ttl: 300 })
await app.register(pulse, {
  path: '/webhooks/pulse/:tenant',
  tenant: request => (request.params as { tenant: string }).tenant,
  // The tenant's whsec_..., an array while it rotates, or undefined: an unknown tenant gets 401.
  secret: async tenant => await db.pulseSecretOf(tenant),
  secretCache: secrets,
  on: { 'job.completed': async event => { await db.markDone(event.tenant, event.payload.data.job_id) } }
})
// After a tenant rotates its secret, its next delivery looks the new one up (a cache entry is all this clears).
app.post('/admin/rotated/:tenant',
  async request => { secrets.invalidate((request.params as { tenant: string }).tenant); return {} })
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
