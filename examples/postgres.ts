/**
 * Exactly-once effects on Postgres with plain `pg` (handlers in examples/postgres-handlers.ts): the insert and the done
 * mark commit in one transaction, so a crash, a retry or a second instance never writes twice. Every
 * verified event is kept (`inbox`) for a replay (examples/replay.ts). After `npm run build`:
 *   DATABASE_URL=postgres://... PULSE_WEBHOOK_SECRET=whsec_... node dist/examples/postgres.js
 * In your project, import from 'fastify-webhooks/postgres' and 'fastify-webhooks/pulse'.
 */
import Fastify from 'fastify'
import pg from 'pg'
import { PostgresStore } from '../lib/stores/postgres-entry.js'
import { pulse } from '../plugins/pulse.js'
import { pulseHandlers } from './postgres-handlers.js'

const { DATABASE_URL, PULSE_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

const app = Fastify({ logger: true })
const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 })
pool.on('error', err => { app.log.warn({ err }, 'postgres') })
const store = new PostgresStore({ pool, inbox: true })
await store.migrate()
await pool.query('CREATE TABLE IF NOT EXISTS pulse_jobs (job_id text PRIMARY KEY, pages integer NOT NULL)')

await app.register(pulse, {
  secret: PULSE_WEBHOOK_SECRET,
  idempotency: { store },
  on: pulseHandlers(store)
})
app.addHook('onClose', async () => { await pool.end() })
await app.listen({ host: HOST, port: Number(PORT) })
