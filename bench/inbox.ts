/**
 * The dashboard's inbox list over a million kept events: the list query (the first page, a page deep in the
 * list, and both filtered by status) and the whole page through the dashboard's route, with the indexes the
 * store's migration makes, then the same queries after dropping them, in the same run, on the same data.
 *
 *   node dist/bench/inbox.js [--rows 1000000] [--rounds 30]
 */
import { parseArgs } from 'node:util'
import Fastify from 'fastify'
import pg from 'pg'
import { dashboard } from '../lib/fastify/dashboard.js'
import { PostgresStore } from '../lib/stores/postgres.js'
import type { InboxCursor, InboxFilter } from '../lib/stores/postgres-inbox.js'
import { encodeCursor } from '../lib/dashboard/filters.js'
import { startPostgres } from '../support/postgres-server.js'

const { values } = parseArgs({ options: { rows: { type: 'string' }, rounds: { type: 'string' } } })
const ROWS = Number(values.rows ?? 1_000_000)
const ROUNDS = Number(values.rounds ?? 30)
const PAGE = 50

const server = await startPostgres()
const pool = new pg.Pool({ connectionString: server.connectionString, max: 4 })
pool.on('error', () => {})
const store = new PostgresStore({ pool, inbox: true })
await store.migrate()

// Five providers, 30 days, 0.1% failed, 1% invalid, the rest done, a payload of a few hundred bytes.
let started = performance.now()
await pool.query(`INSERT INTO fastify_webhooks_idempotency
  (key, done, expires_at, provider, event_id, type, payload, meta, status, attempts, last_error, received_at,
   processed_at, keep_until)
SELECT 'p' || (i % 5) || ':msg_' || i, s = 'done', now() + interval '3 days', 'p' || (i % 5), 'msg_' || i,
  'job.' || (ARRAY['created', 'completed', 'failed'])[1 + i % 3],
  jsonb_build_object('type', 'job.completed', 'data', jsonb_build_object('job_id', md5(i::text), 'pages', i % 97,
    'note', repeat('x', 200))),
  jsonb_build_object('timestamp', 1764633600 + i), s, 1, CASE WHEN s = 'done' THEN NULL ELSE 'the bug' END,
  now() - (i * (30 * 86400.0 / $1)) * interval '1 second', now(), now() + interval '30 days'
FROM (SELECT i, CASE WHEN i % 1000 = 0 THEN 'failed' WHEN i % 100 = 1 THEN 'invalid' ELSE 'done' END AS s
      FROM generate_series(1, $1::int) AS i) AS rows`, [ROWS])
await pool.query('VACUUM ANALYZE fastify_webhooks_idempotency')
const filled = (performance.now() - started) / 1000
const { rows: [size] } = await pool.query<{ table: string, indexes: string }>(
  "SELECT pg_size_pretty(pg_table_size('fastify_webhooks_idempotency')) AS table, " +
  "pg_size_pretty(pg_indexes_size('fastify_webhooks_idempotency')) AS indexes")

/** A cursor half way down the list (all, or of one status), as the "Older" link of a page there carries. */
async function deepCursor (status: 'failed' | 'invalid' | null): Promise<InboxCursor> {
  const { rows: [row] } = await pool.query<{ at: string, key: string }>(`SELECT to_char(received_at AT TIME ZONE 'UTC',
    'YYYY-MM-DD HH24:MI:SS.US"+00"') AS at, key FROM fastify_webhooks_idempotency
    WHERE status IS NOT NULL AND ($1::text IS NULL OR status = $1) ORDER BY received_at DESC, key DESC
    OFFSET $2 LIMIT 1`, [status, Math.floor(ROWS / { all: 2, failed: 2000, invalid: 200 }[status ?? 'all']!)])
  return { receivedAt: row!.at, key: row!.key }
}

const cases: Array<{ name: string, filter: InboxFilter, cursor: InboxCursor | null }> = [
  { name: 'all, first page', filter: {}, cursor: null },
  { name: 'all, half way down', filter: {}, cursor: await deepCursor(null) },
  { name: 'failed, first page', filter: { statuses: ['failed'] }, cursor: null },
  { name: 'failed, half way down', filter: { statuses: ['failed'] }, cursor: await deepCursor('failed') },
  { name: 'invalid, first page', filter: { statuses: ['invalid'] }, cursor: null },
  { name: 'invalid, half way down', filter: { statuses: ['invalid'] }, cursor: await deepCursor('invalid') },
  { name: 'one provider and type, first page', filter: { providers: ['p3'], types: ['job.failed'] }, cursor: null }
]

const app = Fastify()
await app.register(dashboard, { prefix: '/_webhooks', insecureNoAuthorization: true, store })

function median (samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function timed (rounds: number, work: () => Promise<unknown>): Promise<number> {
  await work() // warm the cache and the plan
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await work()
    samples.push(performance.now() - t0)
  }
  return median(samples)
}

async function measure (rounds: number): Promise<Array<{ query: number, page: number, plan: string }>> {
  const results = []
  for (const { filter, cursor } of cases) {
    const query = await timed(rounds, async () => await store.inbox.list(filter, cursor, PAGE))
    const params = new URLSearchParams()
    if (filter.statuses) params.set('status', filter.statuses[0]!)
    if (filter.providers) params.set('provider', filter.providers[0]!)
    if (filter.types) params.set('type', filter.types[0]!)
    if (cursor !== null) params.set('after', encodeCursor(cursor))
    const page = await timed(rounds, async () => {
      const res = await app.inject({ url: `/_webhooks/inbox?${params}` })
      if (res.statusCode !== 200) throw new Error(`page answered ${res.statusCode}`)
    })
    results.push({ query, page, plan: await plan(filter, cursor) })
  }
  return results
}

/** The top of the plan Postgres chose: which index, or a sequential scan. */
async function plan (filter: InboxFilter, cursor: InboxCursor | null): Promise<string> {
  const names: string[] = []
  // The store's own statement, explained: sent once through a pool whose query prefixes it.
  const explaining = new PostgresStore({
    pool: {
      query: async (sql: string, args: unknown[]) => {
        const { rows } = await pool.query(`EXPLAIN (FORMAT JSON) ${sql}`, args)
        collect((rows[0] as { 'QUERY PLAN': Array<{ Plan: Node }> })['QUERY PLAN'][0]!.Plan, names)
        return { rows: [] }
      },
      connect: pool.connect.bind(pool)
    } as unknown as pg.Pool,
    inbox: true
  })
  await explaining.inbox.list(filter, cursor, PAGE)
  return [...new Set(names)].join(', ')
}

interface Node { 'Node Type': string, 'Index Name'?: string, Plans?: Node[] }
function collect (node: Node, names: string[]): void {
  if (node['Node Type'].includes('Scan')) {
    const index = node['Index Name']?.replace('fastify_webhooks_idempotency_', '')
    names.push(index === undefined ? node['Node Type'] : `${node['Node Type']} on ${index}`)
  }
  for (const child of node.Plans ?? []) collect(child, names)
}

started = performance.now()
const indexed = await measure(ROUNDS)
await pool.query('DROP INDEX fastify_webhooks_idempotency_inbox_list, fastify_webhooks_idempotency_inbox_status')
await pool.query('ANALYZE fastify_webhooks_idempotency')
const bare = await measure(Math.max(3, Math.floor(ROUNDS / 6)))
const ms = (n: number): string => n < 10 ? n.toFixed(2) : n.toFixed(0)

console.log(`${ROWS.toLocaleString('en')} kept events (filled in ${filled.toFixed(0)} s; table ${size!.table}, ` +
  `indexes ${size!.indexes}); median of ${ROUNDS} rounds with the indexes, ` +
  `${Math.max(3, Math.floor(ROUNDS / 6))} without; Node ${process.version}\n`)
console.log('| list of 50 | query, indexed | page, indexed | query, no index | page, no index | plan, indexed | ' +
  'plan, no index |')
console.log('|---|---|---|---|---|---|---|')
cases.forEach(({ name }, i) => {
  const a = indexed[i]!
  const b = bare[i]!
  console.log(`| ${name} | ${ms(a.query)} ms | ${ms(a.page)} ms | ${ms(b.query)} ms | ${ms(b.page)} ms | ${a.plan} | ` +
    `${b.plan} |`)
})
console.log(`\nmeasured in ${((performance.now() - started) / 1000).toFixed(0)} s`)

await app.close()
await pool.end()
await server.close()
