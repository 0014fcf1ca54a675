/**
 * Type tests of `fastify-webhooks/postgres`: checked by `tsc`, never run.
 * Each `@ts-expect-error` must be an error, or tsc fails.
 */

import Fastify from 'fastify'
import pg from 'pg'
import { PostgresStore, migrationSql, type TransactionalStore } from '../lib/postgres-store.js'
import type { IdempotencyStore } from '../lib/idempotency.js'
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
