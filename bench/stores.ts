/**
 * Section 7: the idempotency stores side by side. The same Pulse route, each delivery with a new id (so
 * every one is claimed and marked done), with the in-memory store, Redis, Postgres (handlers in the
 * transaction of the done mark), and Postgres with the inbox (the payload kept too). Real redis-server
 * and Postgres, started here; contenders interleaved, medians.
 */
import { startPostgres } from '../support/postgres-server.js'
import { startRedisServer } from '../support/redis-server.js'
import { interleaved, nextId, startServers } from './http.js'
import { stat } from './measure.js'
import { KB, pulseBody } from './payloads.js'
import type { Section } from './report.js'

const LABELS = {
  memory: 'in-memory store (one instance)',
  redis: 'RedisStore',
  postgres: 'PostgresStore (handlers in its transaction)',
  'postgres-inbox': 'PostgresStore with inbox (payload kept)'
} as const
type Contender = keyof typeof LABELS

export async function storesSection (quick: boolean, pin: boolean): Promise<Section> {
  const [redis, postgres] = await Promise.all([startRedisServer(), startPostgres()])
  const body = pulseBody(KB)
  const contenders = Object.keys(LABELS) as Contender[]
  const where: Record<Contender, string> = {
    memory: '100000',
    redis: String(redis.port),
    postgres: postgres.connectionString,
    'postgres-inbox': postgres.connectionString
  }
  const servers = await startServers(contenders, pin, name => [where[name]])
  const rounds = quick ? 2 : 4
  const duration = quick ? 0.5 : 3
  let measured
  try {
    measured = await interleaved(servers, body, () => ({ distinct: nextId }), {
      rounds,
      warmSeconds: quick ? 0.2 : 1,
      seconds: duration
    })
  } finally {
    await Promise.all([redis.close(), postgres.close()])
  }
  const { results, bad } = measured
  const median = (name: Contender, key: 'rps' | 'p50' | 'p99' | 'cpuUs'): number =>
    stat(results[name]!.map(r => r[key])).median
  const rows = contenders.map(name => ({
    store: LABELS[name],
    'deliveries/s': Math.round(median(name, 'rps')),
    'x memory': (median(name, 'rps') / median('memory', 'rps')).toFixed(2),
    'p50 ms': median(name, 'p50').toFixed(2),
    'p99 ms': median(name, 'p99').toFixed(2),
    'Node CPU µs/req': median(name, 'cpuUs').toFixed(1)
  }))
  return {
    title: '7. Idempotency stores side by side',
    note:
      'Pulse route, 1 KB signed body, a new event id per request (every delivery claimed and marked done), handlers ' +
      'that do nothing, 10 connections; ' +
      `warm-up, then ${rounds} rounds of ${duration} s, contenders interleaved; medians. redis-server and Postgres ` +
      '18 run on this machine, unpinned, and share its cores with the server: ' +
      `their CPU is not in "Node CPU", which is the receiver process alone. Non-2xx/errors: ${bad}.`,
    rows,
    targets: []
  }
}
