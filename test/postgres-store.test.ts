import t from 'tap'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import type pg from 'pg'
import { PostgresStore, migrationSql } from '../lib/stores/postgres.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, signWith } from './helpers/sign.js'
import { connect, startPostgres } from './helpers/postgres.js'
import { storeContract } from './helpers/store-contract.js'

const TABLE = '"public"."fastify_webhooks_idempotency"'

interface Row { done: boolean, token: string | null, /** until expiry */ ms: number }

async function rowOf (pool: pg.Pool, key: string, table = TABLE): Promise<Row | undefined> {
  const { rows } = await pool.query<Row>(
    `SELECT done, token, extract(epoch FROM expires_at - now())::float8 * 1000 AS ms FROM ${table} WHERE key = $1`,
    [key]
  )
  return rows[0]
}

t.test('PostgresStore on a real Postgres', async t => {
  const server = await startPostgres()
  const a = connect(server)
  const b = connect(server)
  t.teardown(async () => { await Promise.all([a.end(), b.end()]); await server.close() })
  await new PostgresStore({ pool: a }).migrate()
  storeContract(t, instance => new PostgresStore({ pool: [a, b][instance]! }))

  t.test('claim, complete, and the row in the table', async t => {
    const store = new PostgresStore({ pool: a })
    t.equal(await store.claim('pulse:msg_1', 60_000), 'new')
    t.equal(
      await store.claim('pulse:msg_1', 60_000),
      'in-flight',
      'the same store claiming again finds its own claim in flight'
    )
    const claimed = await rowOf(a, 'pulse:msg_1')
    t.match(claimed, { done: false, token: /^[0-9a-f]{16}:\d+$/ })
    t.ok(
      claimed!.ms > 55_000 && claimed!.ms <= 60_000,
      `the claim expires with its lease (${Math.round(claimed!.ms)} ms left)`
    )
    await store.complete('pulse:msg_1', 3_600_000)
    const done = await rowOf(a, 'pulse:msg_1')
    t.match(done, { done: true, token: null })
    t.ok(done!.ms > 3_500_000, 'done is kept for the ttl')
    t.equal(await store.claim('pulse:msg_1', 60_000), 'done')
    t.equal(await new PostgresStore({ pool: b }).claim('pulse:msg_1', 60_000), 'done', 'another instance sees it done')
  })

  t.test('purge deletes expired claims and done marks, and keeps the live ones', async t => {
    const store = new PostgresStore({ pool: a, table: 'purged' })
    await store.migrate()
    await store.claim('old-claim', 1)
    await store.complete('old-done', 1)
    await store.claim('live-claim', 60_000)
    await store.complete('live-done', 60_000)
    await sleep(10)
    t.equal(await store.purge(), 2)
    const { rows } = await a.query<{ key: string }>('SELECT key FROM purged ORDER BY key')
    t.same(rows.map(r => r.key), ['live-claim', 'live-done'])
    t.equal(await store.purge(), 0)
  })

  t.test('schema and table options: each store has its own table, names quoted', async t => {
    const one = new PostgresStore({ pool: a, schema: 'app1', table: 'order' })
    const two = new PostgresStore({ pool: a, schema: 'app2' })
    await Promise.all([one.migrate(), two.migrate()])
    t.equal(await one.claim('pulse:same', 60_000), 'new')
    t.equal(await two.claim('pulse:same', 60_000), 'new')
    t.equal(await new PostgresStore({ pool: a }).claim('pulse:same', 60_000), 'new', 'the default table is another one')
    t.match(await rowOf(a, 'pulse:same', 'app1."order"'), { done: false })
    t.match(await rowOf(a, 'pulse:same', 'app2.fastify_webhooks_idempotency'), { done: false })
    const { rows } = await a.query('SELECT indexname FROM pg_indexes WHERE schemaname = \'app1\' ORDER BY indexname')
    t.same(rows.map(row => row.indexname), ['order_expires_at', 'order_inbox_list', 'order_inbox_status', 'order_pkey'])
  })

  t.test('migrate twice, or from many instances at once, is fine', async t => {
    const stores = Array.from(
      { length: 6 },
      (_, i) => new PostgresStore({ pool: i % 2 === 0 ? a : b, schema: 'fresh', table: 'at_once' })
    )
    await Promise.all(stores.map(store => store.migrate()))
    await stores[0]!.migrate()
    t.equal(await stores[1]!.claim('k', 60_000), 'new')
    await stores[2]!.migrate()
    t.equal(await stores[3]!.claim('k', 60_000), 'in-flight', 'migrating again keeps the rows')
  })

  t.test('options are checked', async t => {
    t.throws(() => new PostgresStore({} as never), /PostgresStore: option "pool" must be a pg Pool/)
    t.throws(() => new PostgresStore(undefined as never), /option "pool"/)
    t.throws(() => new PostgresStore({ pool: { query () {} } as never }), /option "pool"/)
    for (const schema of ['App', 'a-b', 'x"; DROP TABLE y; --', '1a', '', 's'.repeat(64), 7]) {
      t.throws(
        () => new PostgresStore({ pool: a, schema: schema as never }),
        /PostgresStore: option "schema" must be a lower-case SQL name/,
        String(schema)
      )
    }
    for (const table of ['Events', 'a.b', 'a b', 't'.repeat(49), null]) {
      t.throws(
        () => new PostgresStore({ pool: a, table: table as never }),
        /PostgresStore: option "table" must be a lower-case SQL name/,
        String(table)
      )
    }
    t.doesNotThrow(
      () => new PostgresStore({ pool: a, schema: 's'.repeat(63), table: 't'.repeat(48) }),
      'the longest names'
    )
    t.throws(() => migrationSql({ table: 'No' }), /migrationSql: option "table"/)
  })
})

t.test('migrationSql is the SQL migrate() runs, and docs/postgres.md shows it', async t => {
  const page = await readFile(new URL('../docs/postgres.md', import.meta.url), 'utf8')
  t.equal(/```sql\n([\s\S]*?)```/.exec(page)?.[1], migrationSql())
  t.match(
    migrationSql(),
    /^CREATE TABLE IF NOT EXISTS "public"."fastify_webhooks_idempotency" \(/,
    'public is not created'
  )
  t.match(
    migrationSql({ schema: 'webhooks', table: 'seen' }),
    /^CREATE SCHEMA IF NOT EXISTS "webhooks";\nCREATE TABLE IF NOT EXISTS "webhooks"."seen" \(/
  )
})

// ---- through the plugin ----

const BODY = JSON.stringify(fixtures.pulse['job.completed'])

function delivery (id: string): { method: 'POST'; url: string; headers: Record<string, string>; payload: string } {
  const headers = {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, BODY, { secret: SW_SECRET, id })
  }
  return { method: 'POST', url: '/webhooks/pulse', headers, payload: BODY }
}

t.test('the Pulse plugin with a PostgresStore; Postgres down and back', async t => {
  const server = await startPostgres({ persistent: true })
  const pool = connect(server)
  t.teardown(async () => { await pool.end(); await server.close() })
  const store = new PostgresStore({ pool })
  await store.migrate()

  const ran: string[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store },
    on: {
      'job.completed': async event => {
        ran.push(event.id)
      }
    }
  })

  t.test('a delivery twice: the handler runs once, the second is answered as a duplicate', async t => {
    const first = await app.inject(delivery('msg_pg_1'))
    t.same([first.statusCode, first.json()], [200, { received: true }])
    const second = await app.inject(delivery('msg_pg_1'))
    t.same([second.statusCode, second.json()], [200, { received: true, duplicate: true }])
    t.same(ran, ['msg_pg_1'])
    t.match(await rowOf(pool, 'pulse:msg_pg_1'), { done: true })
  })

  t.test(
    'Postgres down: 500 WEBHOOK_STORE_UNAVAILABLE and no handler; back up: deliveries run, done marks ' + 'kept',
    async t => {
      await server.stop()
      await t.rejects(store.claim('pulse:down', 60_000), /ECONNREFUSED/, 'the store rejects at once')
      await t.rejects(store.complete('pulse:down', 60_000), /ECONNREFUSED/)
      await t.rejects(
        store.transaction('pulse:down', 60_000, async () => true),
        /ECONNREFUSED/
      )
      const during = await Promise.all([1, 2, 3].map(n => app.inject(delivery(`msg_pg_down_${n}`))))
      for (const res of during) {
        t.match(
          { status: res.statusCode, body: res.json() },
          { status: 500, body: { code: 'WEBHOOK_STORE_UNAVAILABLE' } }
        )
      }
      t.same(ran, ['msg_pg_1'], 'no handler ran during the outage')

      await server.start()
      const after = await Promise.all([1, 2, 3].map(n => app.inject(delivery(`msg_pg_down_${n}`))))
      t.same(
        after.map(r => r.statusCode),
        [200, 200, 200]
      )
      t.same(
        (await app.inject(delivery('msg_pg_1'))).json(),
        { received: true, duplicate: true },
        'the done mark from before the outage held'
      )
      t.same(ran.slice(1).sort(), ['msg_pg_down_1', 'msg_pg_down_2', 'msg_pg_down_3'])
    }
  )
})
