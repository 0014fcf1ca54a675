/**
 * Type tests of `fastify-webhooks/postgres`: checked by `tsc`, never run.
 * Each `@ts-expect-error` must be an error, or tsc fails.
 */

import Fastify from 'fastify'
import pg from 'pg'
import { PostgresStore, migrationSql } from '../lib/postgres-store.js'
import type { IdempotencyStore } from '../lib/idempotency.js'
import { pulse } from '../plugins/pulse.js'

const pool = new pg.Pool()
const store = new PostgresStore({ pool, schema: 'webhooks', table: 'seen' })

// It is an idempotency store for any plugin.
void Fastify().register(pulse, { secret: 'whsec_x', idempotency: { store, ttl: 86_400 } })
const plain: IdempotencyStore = store
void plain

const purged: Promise<number> = store.purge()
const migrated: Promise<void> = store.migrate()
const sql: string = migrationSql({ schema: 'webhooks' })
void purged; void migrated; void sql

// @ts-expect-error a pg Client is not a pool
void new PostgresStore({ pool: new pg.Client() })
// @ts-expect-error the pool is required
void new PostgresStore({ table: 'seen' })
