/**
 * `inbox list|show|replay|purge --database-url <url>`: the Postgres inbox from a terminal, with the dashboard's
 * filters. A table by default, `--json` for scripts. Replay runs your handlers (`--handlers <module>`) through the
 * same `replay()` path as the dashboard, with a progress bar; replay and purge say what they would do, and act only
 * with `--yes`.
 */
import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Pool } from 'pg'
import type { DashboardReplay } from '../lib/fastify/dashboard.js'
import { decodeCursor, encodeCursor, parseFilter, type ParsedFilter } from '../lib/dashboard/filters.js'
import { why } from '../lib/dashboard/why.js'
import { PostgresStore } from '../lib/stores/postgres.js'
import type { InboxRow } from '../lib/stores/postgres-inbox.js'
import type { ReplayResult } from '../lib/stores/replay.js'
import { replayer, type ReplayOptions } from '../lib/stores/replayer.js'
import { UsageError, count, formatTable, type CommandInput } from './io.js'

export const inboxOptions = {
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  table: { type: 'string' },
  status: { type: 'string' },
  provider: { type: 'string' },
  type: { type: 'string' },
  tenant: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  handlers: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' }
} as const

type InboxValues = {
  [K in keyof typeof inboxOptions]?: (typeof inboxOptions)[K]['type'] extends 'boolean' ? boolean : string
}

const SUBCOMMANDS = ['list', 'show', 'replay', 'purge'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

/** Runs one subcommand. Exit 0, or 1 when the event is not found or a replayed event failed. */
export async function inbox (
  { positionals, values, io }: Omit<CommandInput<InboxValues>, 'provider'>
): Promise<number> {
  const [sub, ...rest] = positionals
  if (!SUBCOMMANDS.includes(sub as Subcommand)) {
    throw new UsageError(`inbox needs a subcommand (${SUBCOMMANDS.join(', ')}), not "${sub ?? ''}"`)
  }
  if (sub !== 'show' && rest.length > 0) throw new UsageError(`inbox ${sub} takes no argument, not "${rest.join(' ')}"`)
  const url = values['database-url'] ?? io.env.DATABASE_URL
  if (url === undefined) throw new UsageError('--database-url is required (or set DATABASE_URL)')
  const filter = filterOf(values)
  const handlers = sub === 'replay' ? await loadHandlers(values.handlers) : null
  const pool = await poolFor(url)
  try {
    let store: PostgresStore
    try {
      store = new PostgresStore({ pool, inbox: true, schema: values.schema, table: values.table })
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    const input = { store, filter, values, io }
    switch (sub as Subcommand) {
      case 'list': return await list(input)
      case 'show': return await show(input, rest)
      case 'replay': return await replayCommand(input, handlers!)
      case 'purge': return await purge(input)
    }
  } finally {
    await pool.end()
  }
}

interface Input {
  store: PostgresStore
  filter: ParsedFilter
  values: InboxValues
  io: CommandInput<unknown>['io']
}

function filterOf (values: InboxValues): ParsedFilter {
  try {
    return parseFilter(values)
  } catch (err) {
    throw new UsageError(`--${(err as Error).message.replace(/^Field "([^"]+)"/, '$1')}`)
  }
}

/** A pool from the `pg` package (an optional peer: only this command and the Postgres store need it). */
async function poolFor (connectionString: string): Promise<Pool> {
  const { default: pg } = await import('pg')
  const pool = new pg.Pool({ connectionString, max: 2 })
  pool.on('error', () => {}) // an idle connection lost; the next query reports it
  return pool
}

async function loadHandlers (path: string | undefined): Promise<DashboardReplay> {
  if (path === undefined) {
    throw new UsageError('inbox replay needs --handlers <module>: a module whose default export is ' +
      '{ providers, on?, onEvent?, onUnknown?, options? }, as replay() takes')
  }
  let exports: { default?: Partial<DashboardReplay> }
  try {
    exports = await import(pathToFileURL(isAbsolute(path) ? path : resolve(path)).href)
  } catch (err) {
    throw new UsageError(`cannot load handlers module ${path}: ${(err as Error).message}`)
  }
  if (!Array.isArray(exports.default?.providers)) {
    throw new UsageError(`${path} has no default export { providers, on?, onEvent?, ... }`)
  }
  return exports.default as DashboardReplay
}

const time = (date: Date | null): string => date === null ? '' : date.toISOString()

async function list ({ store, filter, values, io }: Input): Promise<number> {
  const limit = count(values.limit, '--limit', 50, 1000)
  let cursor
  try {
    cursor = decodeCursor(values.after)
  } catch {
    throw new UsageError('--after is not a cursor this command printed')
  }
  const page = await store.inbox.list(filter.filter, cursor, limit)
  const next = page.next === null ? null : encodeCursor(page.next)
  if (values.json === true) {
    io.out(JSON.stringify({ events: page.rows, next }))
    return 0
  }
  if (page.rows.length === 0) {
    io.err('no kept event matches')
    return 0
  }
  io.out(formatTable(page.rows.map(rowOf)))
  if (next !== null) io.err(`more: add --after ${next}`)
  return 0
}

function rowOf (row: InboxRow): Record<string, string> {
  const error = row.lastError ?? ''
  return {
    received: time(row.receivedAt),
    provider: row.provider,
    tenant: row.tenant ?? '',
    type: row.type,
    key: row.key,
    status: row.status,
    attempts: String(row.attempts),
    'last error': error.length > 60 ? `${error.slice(0, 59)}…` : error
  }
}

async function show ({ store, values, io }: Input, keys: string[]): Promise<number> {
  if (keys.length !== 1) throw new UsageError('inbox show takes one event key (the "key" column of inbox list)')
  const event = await store.inbox.event(keys[0]!)
  if (event === null) {
    io.err(`no kept event has the key "${keys[0]}"`)
    return 1
  }
  if (values.json === true) {
    io.out(JSON.stringify(event))
    return 0
  }
  const lines = [
    ['key', event.key], ['provider', event.provider], ['id', event.id], ['type', event.type],
    ['tenant', event.tenant ?? ''], ['status', event.status], ['attempts', String(event.attempts)],
    ['last error', event.lastError ?? ''], ['received', time(event.receivedAt)], ['processed', time(event.processedAt)],
    ...Object.entries(event.meta).map(([name, value]) => [`meta.${name}`, String(value)])
  ]
  io.out([
    ...lines.map(([name, value]) => `${name!.padEnd(12)}${value}`),
    '',
    why(event),
    '',
    JSON.stringify(event.payload, null, 2)
  ].join('\n'))
  return 0
}

/** A bar of 30 cells, with the counts so far. */
export function bar (done: number, total: number, result: ReplayResult): string {
  const cells = total === 0 ? 30 : Math.round((done / total) * 30)
  return `[${'#'.repeat(cells)}${'-'.repeat(30 - cells)}] ${done}/${total} handled ${result.handled}, failed ` +
    `${result.failed}, invalid ${result.invalid}, skipped ${result.skipped}`
}

async function replayCommand ({ store, filter, values, io }: Input, handlers: DashboardReplay): Promise<number> {
  const { filter: chosen } = filter
  const statuses = chosen.statuses ?? ['failed', 'invalid']
  const names = handlers.providers.map(plugin => plugin.provider.name)
  const providers = chosen.providers ?? names
  let run
  try {
    run = replayer(store, {
      ...handlers,
      status: statuses,
      provider: providers,
      ...(chosen.types === null ? {} : { type: chosen.types }),
      ...(chosen.since === null ? {} : { since: chosen.since }),
      ...(chosen.until === null ? {} : { until: chosen.until })
    } as unknown as ReplayOptions<DashboardReplay['providers']>)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const total = await store.inbox.count({ ...chosen, statuses, providers })
  if (values.yes !== true) {
    io.err(`${total} kept event(s) of status ${statuses.join(', ')} match: add --yes to replay them`)
    return 0
  }
  let done = 0
  // A line per event on stderr, unless the caller redraws one line.
  const draw = io.progress ?? io.err
  const result = await run({
    tenant: chosen.tenant ?? undefined,
    progress: counts => { draw(bar(++done, total, counts)) }
  })
  io.out(values.json === true ? JSON.stringify(result) : bar(done, total, result))
  return result.failed > 0 ? 1 : 0
}

async function purge ({ store, values, io }: Input): Promise<number> {
  if (values.yes !== true) {
    io.err(`${await store.inbox.purgeable()} row(s) are past their retention: add --yes to delete them`)
    return 0
  }
  const deleted = await store.purge()
  io.out(values.json === true ? JSON.stringify({ deleted }) : `deleted ${deleted} row(s)`)
  return 0
}
