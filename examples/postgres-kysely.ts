/**
 * Exactly-once effects with a query builder, Kysely: one Kysely whose connections are the transaction
 * of the event being handled, so its queries commit with the event's done mark. After `npm run build`:
 *   DATABASE_URL=postgres://... PULSE_WEBHOOK_SECRET=whsec_... node dist/examples/postgres-kysely.js
 * In your project, import from 'fastify-webhooks/postgres' and 'fastify-webhooks/pulse'.
 */
import Fastify from 'fastify'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { PostgresStore } from '../lib/stores/postgres-entry.js'
import { pulse } from '../plugins/pulse.js'

interface Database { pulse_jobs: { job_id: string, pages: number } }

const { DATABASE_URL, PULSE_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

const app = Fastify({ logger: true })
const pool = new pg.Pool({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 })
pool.on('error', err => { app.log.warn({ err }, 'postgres') })
const store = new PostgresStore({ pool })
await store.migrate()
await pool.query('CREATE TABLE IF NOT EXISTS pulse_jobs (job_id text PRIMARY KEY, pages integer NOT NULL)')

// For handlers: the "connection" Kysely asks for is the running handler's transaction; releasing it does nothing.
const webhookDb = new Kysely<Database>({
  dialect: new PostgresDialect({
    pool: {
      options: {},
      connect: async () => {
        const tx = store.client()
        return { query: tx.query.bind(tx), release () {} }
      },
      end: async () => {}
    }
  })
})

await app.register(pulse, {
  secret: PULSE_WEBHOOK_SECRET,
  idempotency: { store },
  on: {
    'job.completed': async (event, request) => {
      const { job_id: job, pages_processed: pages } = event.payload.data
      await webhookDb.insertInto('pulse_jobs').values({ job_id: job, pages }).execute()
      request.log.info({ job }, 'pulse job recorded')
    }
  }
})
app.addHook('onClose', async () => { await pool.end() })
await app.listen({ host: HOST, port: Number(PORT) })
