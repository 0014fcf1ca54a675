/**
 * A Pulse receiver with a PostgresStore in its own process, for the "killed mid-transaction" test: its
 * handler writes a row, tells the parent (over IPC), then blocks forever, so the parent can SIGKILL it
 * while the transaction is open. Args: <connection string>. Sends { listening: url } once up.
 */
import Fastify from 'fastify'
import pg from 'pg'
import { PostgresStore } from '../../lib/stores/postgres.js'
import { pulse } from '../../plugins/pulse.js'
import { SW_SECRET } from './sign.js'

const pool = new pg.Pool({ connectionString: process.argv[2] })
pool.on('error', () => {})
const store = new PostgresStore({ pool })
const app = Fastify()
await app.register(pulse, {
  secret: SW_SECRET,
  idempotency: { store, lease: 1 },
  on: {
    'job.completed': async event => {
      await store.client().query('INSERT INTO effects (event_id, source) VALUES ($1, $2)', [event.id, 'killed'])
      process.send!({ writing: event.id })
      await new Promise(() => {}) // never finishes: the parent kills this process here
    }
  }
})
process.send!({ listening: await app.listen({ port: 0, host: '127.0.0.1' }) })
