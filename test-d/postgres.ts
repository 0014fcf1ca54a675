/**
 * Type tests of `fastify-webhooks/postgres`: checked by `tsc`, never run.
 * Each `@ts-expect-error` must be an error, or tsc fails.
 */

import Fastify from 'fastify'
import pg from 'pg'
import { PostgresStore, migrationSql, type TransactionalStore } from '../lib/stores/postgres.js'
import type { IdempotencyStore } from '../lib/stores/idempotency.js'
import { pulse } from '../plugins/pulse.js'

const pool = new pg.Pool()
const store = new PostgresStore({ pool, schema: 'webhooks', table: 'seen' })

// It is an idempotency store for any plugin, and a transactional one whose transaction is a pg PoolClient.
void Fastify().register(pulse, { secret: 'whsec_x', idempotency: { store, ttl: 86_400 } })
const transactional: TransactionalStore<pg.PoolClient> = store
const plain: IdempotencyStore = store
void transactional; void plain

const done: Promise<boolean> = store.transaction('pulse:msg_1', 60_000, async tx => {
  const { rowCount } = await tx.query('INSERT INTO jobs (id) VALUES ($1)', ['job_1'])
  return rowCount === 1
})
// @ts-expect-error work must say whether the event was handled
void store.transaction('pulse:msg_1', 60_000, async tx => { await tx.query('SELECT 1') })
const purged: Promise<number> = store.purge()
const migrated: Promise<void> = store.migrate()
const sql: string = migrationSql({ schema: 'webhooks' })
void done; void purged; void migrated; void sql

// @ts-expect-error a pg Client is not a pool: the store checks connections out for transactions
void new PostgresStore({ pool: new pg.Client() })
// @ts-expect-error the pool is required
void new PostgresStore({ table: 'seen' })

// The package's entry point: the store, replay, and the inbox options.
import { replay, type ReplayResult, PostgresStore as Exported } from '../lib/stores/postgres-entry.js'
import { retab } from '../plugins/retab.js'

const inbox = new Exported({ pool, inbox: { retention: 86_400, redact: event => ({ id: event.id }) } })
const client: pg.PoolClient = inbox.client()
void client

// replay's handlers are typed from `providers`, as the plugin's are.
const replayed: Promise<ReplayResult> = replay(inbox, {
  providers: [pulse],
  status: ['failed', 'invalid'],
  since: new Date('2026-11-30'),
  on: {
    'job.completed': async event => {
      const pages: number = event.payload.data.pages_processed
      void pages
    }
  },
  onEvent: async event => {
    const type: 'job.created' | 'job.processing' | 'job.completed' | 'job.failed' | 'job.cancelled' = event.type
    void type
  },
  onUnknown: async event => {
    const payload: unknown = event.payload
    void payload
  }
})
void replayed
void replay(inbox, {
  providers: [pulse, retab],
  onEvent: async event => {
    if (event.provider === 'retab') {
      const provider: 'retab' = event.provider
      void provider
    }
  }
})
// @ts-expect-error a type pulse does not have
void replay(inbox, { providers: [pulse], on: { 'job.done': async () => {} } })
// @ts-expect-error not a status
void replay(inbox, { providers: [pulse], status: 'lost' })
// @ts-expect-error providers are required
void replay(inbox, { on: {} })

// acceptInvalid and onInvalid on the plugin.
void Fastify().register(pulse, {
  secret: 'whsec_x',
  idempotency: { store: inbox },
  acceptInvalid: true,
  onInvalid: async (event, failure) => {
    const path: string = failure.path
    const payload: unknown = event.payload
    void path
    void payload
  }
})
