/**
 * The chaos soak: the soak's plan (support/soak-core.ts) sent to two instances that are processes of their own
 * (support/soak-instance.ts), sharing one store, while faults are injected at set points of the run: an instance
 * SIGKILLed and restarted, the store's server stopped and started again. The sender retries what was not
 * accepted (5xx, 409, a dropped connection) until it is. What happened is read back from the store's server:
 * the count of completed handler runs of every event, and when each run after the first happened.
 *
 * The store is a redis-server with an append-only file, or a Postgres, where each handler run is a row its
 * handler writes in the transaction that marks the event done: there, a run that did not commit leaves no row,
 * so the count is of effects, and a crash may not add one.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { extname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import pg from 'pg'
import { PostgresStore } from '../lib/stores/postgres.js'
import { spawnNode, stopChild } from './child-process.js'
import type { PostgresServer } from './postgres-server.js'
import type { RedisServer } from './redis-server.js'
import {
  SECRET,
  badInputViolations,
  plan,
  request,
  soakFigures,
  withDefaults,
  type Delivery,
  type SoakFigures,
  type SoakOptions
} from './soak-core.js'

/**
 * A fault, at a share of the deliveries planned: SIGKILL an instance (then start it again), or restart the store's
 * server.
 */
export type Fault = { at: number, kill: number } | { at: number, store: 'restart' }

/**
 * The store the instances share: a redis-server started with `appendOnly` (so a restart loses nothing), or a Postgres
 * started `persistent`.
 */
export type SoakStore = { redis: RedisServer } | { postgres: PostgresServer }

export interface ChaosOptions extends Omit<SoakOptions, 'redisPort'> {
  store: SoakStore
  faults: Fault[]
  /** seconds an in-flight claim lasts: how long the event of a killed instance waits for its retry */
  lease?: number
  /** milliseconds a fault lasts before the instance or Redis is started again */
  downMs?: number
  /** called once both instances listen, before the first delivery */
  onStart?: () => void
}

export interface ChaosReport extends SoakFigures {
  /** runs after the first that came within a lease (plus slack) after a fault: the crash window explained below */
  reRunsAfterAFault: number
  reRunsOtherwise: number
  /** valid deliveries the sender gave up on (over its time limit) */
  gaveUp: number
  /** which store: with Postgres the runs counted are committed effects, and none may repeat, fault or not */
  store: 'redis' | 'postgres'
  answersDuringFaults: { status5xx: number, connectionErrors: number, inFlight409: number }
  /** what happened when, with the runs after the first that came in the window of each fault */
  timeline: Array<{ second: number, delivered: number, what: string, reRunsAfter?: number }>
}

/** The invariants a chaos run must hold; empty when it held them all. */
export function chaosViolations (r: ChaosReport): string[] {
  const broken: string[] = []
  if (r.eventsHandledExactlyOnce + r.eventsHandledMoreThanOnce !== r.distinctValidEvents) {
    broken.push('not every valid event was handled')
  }
  if (r.reRunsOtherwise !== 0) broken.push('events handled more than once away from any fault')
  if (r.store === 'postgres' && r.eventsHandledMoreThanOnce !== 0) broken.push('effects committed more than once')
  broken.push(...badInputViolations(r))
  if (r.gaveUp !== 0) broken.push('the sender gave up on valid deliveries')
  return broken
}

const INSTANCE = fileURLToPath(new URL(`./soak-instance${extname(fileURLToPath(import.meta.url))}`, import.meta.url))
/** How long the sender keeps retrying one delivery before it gives up (and the run counts it). */
const GIVE_UP_MS = 120_000

interface Slot { child: ChildProcess, url: string }

async function startInstance (env: Record<string, string>): Promise<Slot> {
  // The parent's execArgv: under tap that is its TypeScript loader, so the instance runs from source.
  // Its own process group, killed with this process however it ends (support/child-process.ts).
  const child = spawnNode(INSTANCE, [], { env: { ...process.env, ...env } })
  const [message] = await once(child, 'message') as [{ port: number }]
  return { child, url: `http://127.0.0.1:${message.port}/webhooks/pulse` }
}

/** Where the instances count their runs, and how to read them back and restart the server under them. */
interface Ledger {
  env: Record<string, string>
  restart: { stop: () => Promise<void>, start: () => Promise<void>, stopped: string, started: string }
  read: () => Promise<{ runs: Map<string, number>, reruns: number[], failures: number }>
}

function redisLedger (redis: RedisServer): Ledger {
  const prefix = `chaos-${randomBytes(4).toString('hex')}:`
  return {
    env: { SOAK_STORE: 'redis', SOAK_REDIS_PORT: String(redis.port), SOAK_PREFIX: prefix },
    restart: {
      stop: async () => {
        await redis.stop()
      },
      start: async () => {
        await redis.start()
      },
      stopped: 'SIGKILL redis-server',
      started: 'redis-server restarted (append-only file replayed)'
    },
    read: async () => {
      const client = new Redis(redis.port, '127.0.0.1')
      try {
        const runs = new Map(Object.entries(await client.hgetall(`${prefix}runs`)).map(([id, n]) => [id, Number(n)]))
        const reruns = (await client.lrange(`${prefix}reruns`, 0, -1)).map(line => Number(line.split(' ')[1]))
        return { runs, reruns, failures: (await client.keys(`${prefix}failed:*`)).length }
      } finally {
        client.disconnect()
      }
    }
  }
}

/** The instances' handlers write a row per run in the transaction of the done mark: rows are committed effects. */
async function postgresLedger (postgres: PostgresServer): Promise<Ledger> {
  const query = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> => {
    const client = new pg.Client({ connectionString: postgres.connectionString })
    await client.connect()
    try {
      return (await client.query<R>(sql)).rows
    } finally {
      await client.end()
    }
  }
  const pool = new pg.Pool({ connectionString: postgres.connectionString })
  await new PostgresStore({ pool }).migrate()
  await pool.end()
  await query(
    'DROP TABLE IF EXISTS soak_runs, soak_failed; CREATE TABLE soak_runs (event_id text NOT NULL, ran_at timestamptz ' +
    'NOT NULL DEFAULT clock_timestamp()); CREATE TABLE soak_failed (id text PRIMARY KEY)'
  )
  return {
    env: { SOAK_STORE: 'postgres', SOAK_DATABASE_URL: postgres.connectionString },
    restart: {
      stop: postgres.stop,
      start: postgres.start,
      stopped: 'Postgres stopped',
      started: 'Postgres started again (its data kept)'
    },
    read: async () => {
      const counts = await query<{ id: string; n: number }>(
        'SELECT event_id AS id, count(*)::int AS n FROM soak_runs GROUP BY event_id'
      )
      const later = await query<{ ms: number }>(
        'SELECT extract(epoch FROM ran_at)::float8 * 1000 AS ms FROM (SELECT ran_at, row_number() OVER (PARTITION BY ' +
        'event_id ORDER BY ran_at) AS nth FROM soak_runs) AS r WHERE nth > 1'
      )
      const [{ n: failures }] = (await query<{ n: number }>('SELECT count(*)::int AS n FROM soak_failed')) as [
        { n: number }
      ]
      return { runs: new Map(counts.map(r => [r.id, r.n])), reruns: later.map(r => r.ms), failures }
    }
  }
}

export async function runChaosSoak (options: ChaosOptions): Promise<ChaosReport> {
  const { store, faults, lease = 5, downMs = 1000 } = options
  const o = withDefaults({ ...options, redisPort: 0 })
  const deliveries = plan(o)
  const validIds = new Set(deliveries.filter(d => d.kind === 'valid').map(d => d.id))
  const ledger = 'redis' in store ? redisLedger(store.redis) : await postgresLedger(store.postgres)
  const env = {
    ...ledger.env,
    SOAK_SECRET: SECRET,
    SOAK_SEED: String(o.seed),
    SOAK_FAIL_RATE: String(o.failRate),
    SOAK_LEASE: String(lease)
  }
  const slots = await Promise.all([startInstance(env), startInstance(env)])
  options.onStart?.()

  const statuses: Record<string, number> = {}
  const count = {
    requests: 0,
    forgedAccepted: 0,
    expiredAccepted: 0,
    bad5xx: 0,
    gaveUp: 0,
    outage5xx: 0,
    connectionErrors: 0,
    inFlight: 0
  }
  const timeline: ChaosReport['timeline'] = []
  const faultTimes: Array<{ at: number, entry: number }> = []
  let next = 0
  const started = Date.now()
  const note = (what: string): void => {
    timeline.push({ second: (Date.now() - started) / 1000, delivered: next, what })
  }

  async function attempt (d: Delivery, target: Slot): Promise<number> {
    const { headers, body } = request(d)
    try {
      const res = await fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })
      await res.arrayBuffer()
      return res.status
    } catch {
      return 0 // refused, reset or timed out: the instance is gone
    }
  }

  async function send (d: Delivery, n: number): Promise<void> {
    const deadline = Date.now() + GIVE_UP_MS
    for (let tries = 0; ; tries++) {
      const status = await attempt(d, slots[(n + tries) % 2]!)
      count.requests++
      statuses[status] = (statuses[status] ?? 0) + 1
      // A dropped connection is no answer: the sender tries again, whatever it sent.
      if (status === 0) count.connectionErrors++
      if (d.kind !== 'valid' && status !== 0) {
        count[d.kind === 'forged' ? 'forgedAccepted' : 'expiredAccepted'] += Number(status < 300)
        count.bad5xx += Number(status >= 500)
        return
      }
      if (status >= 200 && status < 300) return
      count.outage5xx += Number(status >= 500)
      count.inFlight += Number(status === 409)
      if (Date.now() > deadline) {
        count.gaveUp++
        return
      }
      // Backs off as a sender does, a little longer each time, up to half a second.
      await sleep(Math.min(500, 10 * 1.5 ** tries) + Math.random() * 10)
    }
  }

  async function inject (fault: Fault): Promise<void> {
    faultTimes.push({ at: Date.now(), entry: timeline.length })
    if ('kill' in fault) {
      const slot = slots[fault.kill]!
      await stopChild(slot.child)
      note(`SIGKILL instance ${fault.kill} (pid ${slot.child.pid})`)
      await sleep(downMs)
      slots[fault.kill] = await startInstance(env)
      note(`instance ${fault.kill} restarted (pid ${slots[fault.kill]!.child.pid})`)
    } else {
      await ledger.restart.stop()
      note(ledger.restart.stopped)
      await sleep(downMs)
      await ledger.restart.start()
      note(ledger.restart.started)
    }
  }

  const pending = [...faults].sort((a, b) => a.at - b.at)
  const injected: Array<Promise<void>> = []
  note('start')
  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (next < deliveries.length) {
      const n = next++
      while (pending.length > 0 && n >= pending[0]!.at * deliveries.length) injected.push(inject(pending.shift()!))
      await send(deliveries[n]!, n)
    }
  }))
  await Promise.all(injected)
  note('all delivered')
  const seconds = (Date.now() - started) / 1000

  await Promise.all(slots.map(async slot => { await stopChild(slot.child) }))
  const { runs, reruns, failures } = await ledger.read()

  const windowMs = lease * 1000 + 10_000
  let afterFault = 0
  for (const at of reruns) {
    const fault = [...faultTimes].reverse().find(f => at >= f.at && at <= f.at + windowMs)
    if (fault === undefined) continue
    afterFault++
    const entry = timeline[fault.entry]!
    entry.reRunsAfter = (entry.reRunsAfter ?? 0) + 1
  }
  return {
    ...soakFigures(deliveries, [...validIds].map(id => runs.get(id) ?? 0), count, statuses, failures, seconds),
    reRunsAfterAFault: afterFault,
    reRunsOtherwise: reruns.length - afterFault,
    gaveUp: count.gaveUp,
    store: 'redis' in store ? 'redis' : 'postgres',
    answersDuringFaults: {
      status5xx: count.outage5xx,
      connectionErrors: count.connectionErrors,
      inFlight409: count.inFlight
    },
    timeline
  }
}
