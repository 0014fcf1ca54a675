import { execFileSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve as resolvePath } from 'node:path'
import autocannon from 'autocannon'
import { spawnChild } from '../support/child-process.js'
import { quantile, spread, stat, type Stat } from './measure.js'
import { KB, pulseBody, standardHeaders } from './payloads.js'
import type { Section, Target } from './report.js'

const PATH = '/webhooks/pulse'
const SERVER = new URL('./server.js', import.meta.url).pathname
const CONNECTIONS = 10

/** Server on core 1, load generator (this process) on core 0, when the machine and `taskset` allow it. */
export function canPin (): boolean {
  if (availableParallelism() < 2) return false
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Pins every thread of this process to `cores` (e.g. '0', or '0,1' to undo). */
export function pinSelf (cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(process.pid)], { stdio: 'ignore' })
}

export interface Server { child: ChildProcess, url: string }

/**
 * One contender's server process. `name@<dist dir>` runs another build's server (its `bench/server.js`), so
 * builds can be compared in one run.
 */
export async function startServer (
  contender: string,
  options: { pin: boolean; args?: string[]; nodeFlags?: string[] }
): Promise<Server> {
  const [name, dist] = contender.split('@') as [string, string?]
  const server = dist === undefined ? SERVER : resolvePath(dist, 'bench/server.js')
  const argv = [...(options.nodeFlags ?? []), server, name, ...(options.args ?? [])]
  const child = options.pin
    ? spawnChild('taskset', ['-c', '1', process.execPath, ...argv], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : spawnChild(process.execPath, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port))
    child.once('exit', code => reject(new Error(`${contender} server exited with ${code}`)))
  })
  return { child, url: `http://127.0.0.1:${port}${PATH}` }
}

/** A server per contender, started at once; `args` gives a contender's arguments. */
export async function startServers<N extends string> (
  names: readonly N[],
  pin: boolean,
  args: (name: N) => string[] = () => []
): Promise<Record<N, Server>> {
  return Object.fromEntries(
    await Promise.all(names.map(async name => [name, await startServer(name, { pin, args: args(name) })] as const))
  ) as Record<N, Server>
}

export function stopServer (server: Server): void {
  server.child.disconnect()
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux; NaN elsewhere).
 * The server is idle between runs, so the difference across a run over the requests answered is its
 * cost per request: steadier than req/s on a shared machine, where the load generator competes too.
 */
export function cpuSeconds (pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // USER_HZ is 100 on Linux
  } catch {
    return NaN
  }
}

export interface ServerStats { rss: number, heapUsed: number, storeSize: number | null, handled: number }

/**
 * Asks a server (bench/server.ts) for `key` over IPC: its answer's `key`, or undefined when none came within `waitMs`
 * (another build's server may not know the question).
 */
async function ask<T> (server: Server, key: 'stats' | 'allocated', waitMs = Infinity): Promise<T | undefined> {
  return await new Promise(resolve => {
    const timer = Number.isFinite(waitMs) ? setTimeout(() => { finish(undefined) }, waitMs) : undefined
    const listen = (m: Partial<Record<typeof key, T>>): void => { if (m[key] !== undefined) finish(m[key]) }
    const finish = (answer: T | undefined): void => {
      clearTimeout(timer)
      server.child.off('message', listen)
      resolve(answer)
    }
    server.child.on('message', listen)
    server.child.send({ [key]: true })
  })
}

export async function serverStats (server: Server): Promise<ServerStats> {
  return (await ask<ServerStats>(server, 'stats'))!
}

export interface LoadResult { rps: number, p50: number, p99: number, ok: number, bad: number, cpuUs: number }

/**
 * The bytes a server has allocated on its V8 heap so far (bench/heap-allocations.ts); NaN from another build's
 * server that does not count them.
 */
export async function heapBytes (server: Server): Promise<number> {
  return await ask<number>(server, 'allocated', 1000) ?? NaN
}

/** One run's result, with the bytes the server allocated per request answered (NaN where it does not count them). */
export type CountedResult = LoadResult & { heapBytes: number }

/** A delivery source: the same signed request every time, or a freshly signed distinct one per request. */
export type Deliveries = { fixed: Record<string, string> } | { distinct: () => string }

/** One autocannon run. Latencies are kept per response (autocannon's own histogram has 1 ms resolution). */
export async function load (
  url: string,
  body: Buffer,
  deliveries: Deliveries,
  run: { duration?: number; amount?: number },
  pid?: number
): Promise<LoadResult> {
  const latencies: number[] = []
  const options: autocannon.Options = { url, connections: CONNECTIONS, pipelining: 1, method: 'POST', ...run }
  if ('fixed' in deliveries) {
    options.headers = deliveries.fixed
    options.body = body
  } else {
    const next = deliveries.distinct
    options.requests = [{
      method: 'POST',
      setupRequest: request => ({ ...request, headers: standardHeaders(next(), body), body })
    }]
  }
  const cpuBefore = cpuSeconds(pid)
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (err, res) => err === null ? resolve(res) : reject(err))
    instance.on('response', (_client, status, _bytes, ms) => { if (status < 300) latencies.push(ms) })
  })
  const sorted = Float64Array.from(latencies).sort()
  return {
    rps: result['2xx'] / result.duration,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    ok: result['2xx'],
    bad: result.non2xx + result.errors + result.timeouts,
    cpuUs: (cpuSeconds(pid) - cpuBefore) / result['2xx'] * 1e6
  }
}

let sequence = 0
const runTag = Date.now().toString(36)
export const nextId = (): string => `msg_${runTag}_${(sequence++).toString(36)}`

const LABELS: Record<string, string> = {
  bare: 'bare Fastify route (default JSON parser, no verification)',
  plugin: 'fastify-webhooks pulse, idempotency off',
  'plugin-idempotent': 'fastify-webhooks pulse, in-memory idempotency, distinct deliveries',
  naive: 'naive: fastify-raw-body + svix verify in the handler',
  express: 'Express + svix (the provider page recipe)'
}

export interface Rounds { rounds: number, warmSeconds: number, seconds: number }

/**
 * Servers of the contenders under load one at a time: a warm-up run each (JIT, sockets, caches), then `rounds`
 * rounds of one run each, the order rotated every round, so that a noisy moment hits every contender alike.
 * `deliveries` says what a contender is sent. Stops the servers; the results per contender, and the non-2xx count.
 */
export async function interleaved<N extends string> (
  servers: Record<N, Server>,
  body: Buffer,
  deliveries: (name: N) => Deliveries,
  { rounds, warmSeconds, seconds }: Rounds
): Promise<{ results: Record<N, CountedResult[]>; bad: number }> {
  const names = Object.keys(servers) as N[]
  const results = Object.fromEntries(names.map(n => [n, []])) as unknown as Record<N, CountedResult[]>
  const counts = Object.fromEntries(names.map(n => [n, true])) as Record<N, boolean>
  let bad = 0
  const runOne = async (name: N, duration: number): Promise<CountedResult> => {
    const server = servers[name]
    const before = counts[name] ? await heapBytes(server) : NaN
    counts[name] = !Number.isNaN(before)
    const r = await load(server.url, body, deliveries(name), { duration }, server.child.pid)
    bad += r.bad
    const after = counts[name] ? await heapBytes(server) : NaN
    return { ...r, heapBytes: (after - before) / r.ok }
  }
  try {
    for (const name of names) await runOne(name, warmSeconds)
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round) % names.length]!
        results[name].push(await runOne(name, seconds))
      }
    }
  } finally {
    for (const name of names) stopServer(servers[name])
  }
  return { results, bad }
}

/** Section 3: HTTP under load. */
export async function httpSection (quick: boolean, pin: boolean): Promise<Section> {
  const body = pulseBody(KB)
  const contenders = Object.keys(LABELS)
  const servers = await startServers(contenders, pin)
  const rounds = quick ? 2 : 5
  const duration = quick ? 0.5 : 4
  // Every contender gets a fresh delivery per request: the same arrival pattern for all (a repeated one let the
  // load generator outrun the slower servers, whose CPU per request then rose with the wake-ups of a waiting client).
  const { results, bad } = await interleaved(
    servers,
    body,
    () => ({ distinct: nextId }),
    { rounds, warmSeconds: quick ? 0.2 : 2, seconds: duration }
  )

  const s = (name: string, key: 'rps' | 'p50' | 'p99' | 'cpuUs'): Stat => stat(results[name]!.map(r => r[key]))
  const bare = {
    rps: s('bare', 'rps').median,
    p50: s('bare', 'p50').median,
    p99: s('bare', 'p99').median,
    cpuUs: s('bare', 'cpuUs').median
  }
  const rows = contenders.map(name => {
    const rps = s(name, 'rps')
    return {
      contender: LABELS[name]!,
      'req/s': Math.round(rps.median),
      spread: spread(rps),
      'x bare req/s': (rps.median / bare.rps).toFixed(2),
      'p50 ms': s(name, 'p50').median.toFixed(2),
      'x bare p50': (s(name, 'p50').median / bare.p50).toFixed(2),
      'p99 ms': s(name, 'p99').median.toFixed(2),
      'x bare p99': (s(name, 'p99').median / bare.p99).toFixed(2),
      'server CPU µs/req': s(name, 'cpuUs').median.toFixed(1),
      'bare CPU / this CPU': (bare.cpuUs / s(name, 'cpuUs').median).toFixed(2)
    }
  })
  const plugin = s('plugin', 'rps').median
  const targets: Target[] = [
    { target: 'HTTP throughput ≥0.85x the bare route', value: plugin / bare.rps, goal: 0.85, higherIsBetter: true },
    {
      target: 'HTTP throughput ≥1.5x the naive recipe',
      value: plugin / s('naive', 'rps').median,
      goal: 1.5,
      higherIsBetter: true
    },
    {
      target: 'HTTP p99 ≤1.2x the bare route',
      value: s('plugin', 'p99').median / bare.p99,
      goal: 1.2,
      higherIsBetter: false
    },
    {
      target:
        'server CPU per request, bare / plugin: the throughput ratio of a server that is the bottleneck (not an ' +
        'issue target; context)',
      value: bare.cpuUs / s('plugin', 'cpuUs').median,
      goal: 0.85,
      higherIsBetter: true
    },
    {
      target: 'HTTP throughput with in-memory idempotency ≥0.85x bare (not an issue target; context)',
      value: s('plugin-idempotent', 'rps').median / bare.rps,
      goal: 0.85,
      higherIsBetter: true
    }
  ]
  return {
    title: '3. HTTP under load (autocannon)',
    note:
      `Pulse route, 1 KB signed body, ${CONNECTIONS} connections, no pipelining; ` +
      (pin ? 'server pinned to core 1, load generator to core 0 (taskset)' : 'NOT pinned (needs taskset and 2 cores)') +
      '; ' +
      `warm-up, then ${rounds} rounds of ${duration} s with the contenders interleaved (order rotated each round); ` +
      'medians, spread ± half the min-max range of req/s. ' +
      'Every request is a delivery signed afresh in the load generator with a new id (the body bytes stay the same), ' +
      'for every contender alike; the in-memory idempotency row takes each as new to the store. ' +
      "Latencies are per response, not autocannon's 1 ms histogram. Server CPU is user + system time of the server " +
      'process over the run (from /proc) divided by the requests answered: ' +
      'the steadier measure on a shared machine, since req/s also moves with the load generator. Handlers do ' +
      `nothing. Non-2xx/errors across all runs: ${bad}.`,
    rows,
    targets
  }
}

/** Section 4: RSS of the server while distinct deliveries go through the in-memory idempotency store. */
export async function memorySection (quick: boolean, pin: boolean): Promise<Section> {
  const body = pulseBody(KB)
  const maxKeys = quick ? 4_000 : 100_000
  const total = quick ? 10_000 : 200_000
  const chunks = 10
  const server = await startServer('memory', { pin, args: [String(maxKeys)], nodeFlags: ['--expose-gc'] })
  const rows: Array<Record<string, string | number>> = []
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1)
  let atFill: ServerStats | undefined
  let last: ServerStats
  let bad = 0
  try {
    last = await serverStats(server)
    rows.push({
      delivered: 0,
      'store keys': last.storeSize ?? 0,
      'RSS MiB': mb(last.rss),
      'heap used MiB': mb(last.heapUsed)
    })
    for (let i = 1; i <= chunks; i++) {
      const r = await load(server.url, body, { distinct: nextId }, { amount: total / chunks })
      bad += r.bad
      last = await serverStats(server)
      if (atFill === undefined && last.storeSize === maxKeys) atFill = last
      rows.push({
        delivered: last.handled,
        'store keys': last.storeSize ?? 0,
        'RSS MiB': mb(last.rss),
        'heap used MiB': mb(last.heapUsed)
      })
    }
  } finally {
    stopServer(server)
  }
  const fill = atFill ?? last
  const targets: Target[] = [
    {
      target: `memory: RSS after the store filled grows ≤1.05x (${mb(fill.rss)} → ${mb(last.rss)} MiB)`,
      value: last.rss / fill.rss,
      goal: 1.05,
      higherIsBetter: false
    },
    {
      target: `memory: store keys bounded by maxKeys (${last.storeSize} of ${maxKeys})`,
      value: (last.storeSize ?? 0) / maxKeys,
      goal: 1,
      higherIsBetter: false
    }
  ]
  return {
    title: '4. Memory with the in-memory idempotency store',
    note:
      `${total.toLocaleString('en')} deliveries with distinct ids (1 KB Pulse body, Standard Webhooks signed) into a ` +
      `server whose MemoryStore has maxKeys ${maxKeys.toLocaleString('en')}; ` +
      `RSS and heap sampled after a forced GC every ${(total / chunks).toLocaleString('en')} deliveries. All ` +
      `${last.handled.toLocaleString('en')} ran their handler (none taken for a duplicate); non-2xx/errors: ${bad}.`,
    rows,
    targets
  }
}
