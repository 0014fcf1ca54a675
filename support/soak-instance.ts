/**
 * One instance of the chaos soak (support/chaos-soak.ts), as a process of its own so that it can be SIGKILLed:
 * the Pulse plugin with the store the soak gives it (SOAK_STORE), and a handler that records each completed run
 * where it survives the instance. With Redis: a hash of run counts, and the time of every run after the first.
 * With Postgres: a row per run, written through `store.client()` in the transaction that marks the event done.
 * Configured by environment (SOAK_*), it tells the parent its port over IPC.
 */
import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { IdempotencyStore } from '../lib/stores/idempotency.js'
import { PostgresStore } from '../lib/stores/postgres.js'
import { RedisStore } from '../lib/stores/redis.js'
import { pulse } from '../plugins/pulse.js'

const {
  SOAK_STORE = 'redis',
  SOAK_REDIS_PORT,
  SOAK_DATABASE_URL,
  SOAK_PREFIX = '',
  SOAK_SECRET,
  SOAK_SEED = '1',
  SOAK_FAIL_RATE = '0',
  SOAK_LEASE = '5'
} = process.env

/** Whether an event's handler fails on its first run: the same answer in every instance, from the event id. */
function failsFirst (id: string): boolean {
  return createHash('sha256').update(`${SOAK_SEED}:${id}`).digest().readUInt32BE(0) / 2 ** 32 < Number(SOAK_FAIL_RATE)
}

// One round trip: count the run, and note when it ran if it was not the first.
const RECORD = `local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n > 1 then redis.call('RPUSH', KEYS[2], ARGV[1] .. ' ' .. ARGV[2]) end
return n`

interface Recorder {
  store: IdempotencyStore
  /** true the first time it is asked for an event (committed at once, whatever the handler does next) */
  firstFailure: (id: string) => Promise<boolean>
  record: (id: string) => Promise<void>
}

function redisRecorder (): Recorder {
  // The fail-fast client settings the README advises; reconnects on its own after Redis restarts.
  const client = new Redis(Number(SOAK_REDIS_PORT), '127.0.0.1', {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 2000
  })
  client.on('error', () => {}) // every failed reconnect lands here; requests see their failed commands
  return {
    store: new RedisStore({ client, prefix: SOAK_PREFIX }),
    firstFailure: async id => await client.set(`${SOAK_PREFIX}failed:${id}`, '1', 'NX') === 'OK',
    record: async id => { await client.eval(RECORD, 2, `${SOAK_PREFIX}runs`, `${SOAK_PREFIX}reruns`, id, Date.now()) }
  }
}

function postgresRecorder (): Recorder {
  // The README's pool settings: fail fast while Postgres is down, and an error listener.
  const pool = new pg.Pool({ connectionString: SOAK_DATABASE_URL, connectionTimeoutMillis: 2000, max: 40 })
  pool.on('error', () => {})
  const store = new PostgresStore({ pool })
  return {
    store,
    firstFailure: async id =>
      (await pool.query('INSERT INTO soak_failed (id) VALUES ($1) ON CONFLICT DO NOTHING', [id])).rowCount === 1,
    record: async id => {
      await store.client().query('INSERT INTO soak_runs (event_id) VALUES ($1)', [id])
    }
  }
}

const recorder = SOAK_STORE === 'postgres' ? postgresRecorder() : redisRecorder()
const app = Fastify()
await app.register(pulse, {
  secret: SOAK_SECRET,
  idempotency: { store: recorder.store, lease: Number(SOAK_LEASE) },
  on: {
    'job.completed': async event => {
      if (failsFirst(event.id) && await recorder.firstFailure(event.id)) throw new Error('injected handler failure')
      await recorder.record(event.id)
    }
  }
})
await app.listen({ host: '127.0.0.1', port: 0 })
process.send!({ port: (app.server.address() as { port: number }).port })
