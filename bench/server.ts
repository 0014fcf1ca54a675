/**
 * One contender's server, run as a child process (pinned to its own core by run.ts):
 * `node dist/bench/server.js <contender> [maxKeys]`. It listens on 127.0.0.1, port 0,
 * tells the parent its port over IPC, and answers `{ stats: true }` with its memory.
 */
import type { AddressInfo } from 'node:net'
import express from 'express'
import Fastify from 'fastify'
import rawBody from 'fastify-raw-body'
import { Redis } from 'ioredis'
import pg from 'pg'
import { Webhook } from 'svix'
import { MemoryStore, type IdempotencyStore } from '../lib/stores/idempotency.js'
import { PostgresStore } from '../lib/stores/postgres.js'
import { RedisStore } from '../lib/stores/redis.js'
import { pulse } from '../plugins/pulse.js'
import { heapAllocations } from './heap-allocations.js'
import { observeChannels, observeWithOtel, type OtelFloor } from './observers.js'
import { STAGES, routeOfStage, type Stage } from './stage-servers.js'
import { STANDARD_SECRET } from './payloads.js'

const PATH = '/webhooks/pulse'
const CONTENDERS = [
  'bare',
  'plugin',
  'plugin-idempotent',
  'naive',
  'express',
  'memory',
  'plugin-channels',
  'plugin-otel-http',
  'plugin-otel',
  'plugin-otel-current',
  'plugin-otel-lean',
  'plugin-otel-http-lean',
  'plugin-otel-floor',
  'redis',
  'postgres',
  'postgres-inbox',
  ...STAGES
] as const
type Contender = (typeof CONTENDERS)[number]

const OTEL_SETUPS = {
  'plugin-otel-http': 'requests',
  'plugin-otel': 'own',
  'plugin-otel-current': 'current',
  'plugin-otel-lean': 'current',
  'plugin-otel-http-lean': 'requests',
  'plugin-otel-floor': 'floor'
} as const

let handled = 0
let store: MemoryStore | undefined

/** The shared stores of the store comparison (bench/stores.ts); `where` is a Redis port or a Postgres URL. */
async function sharedStore (
  contender: 'redis' | 'postgres' | 'postgres-inbox',
  where: string
): Promise<IdempotencyStore> {
  if (contender === 'redis') return new RedisStore({ client: new Redis(Number(where), '127.0.0.1') })
  const pool = new pg.Pool({ connectionString: where, max: 20 })
  pool.on('error', () => {})
  const postgres = new PostgresStore({ pool, inbox: contender === 'postgres-inbox' })
  await postgres.migrate()
  return postgres
}

async function start (contender: Contender, maxKeys: number): Promise<number> {
  if (contender === 'redis' || contender === 'postgres' || contender === 'postgres-inbox') {
    const app = Fastify()
    await app.register(pulse, {
      secret: STANDARD_SECRET,
      idempotency: { store: await sharedStore(contender, process.argv[3]!) },
      on: {
        'job.completed': async () => {
          handled++
        }
      }
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    return (app.server.address() as AddressInfo).port
  }

  if (contender === 'express') {
    // The recipe on the Cyberdesk page, as written there: raw body, a Webhook made per request, svix verify.
    const app = express()
    app.use(express.raw({ type: 'application/json' }))
    app.post(PATH, (req, res) => {
      const wh = new Webhook(STANDARD_SECRET)
      try {
        wh.verify(req.body as Buffer, {
          'webhook-id': req.header('webhook-id') ?? '',
          'webhook-timestamp': req.header('webhook-timestamp') ?? '',
          'webhook-signature': req.header('webhook-signature') ?? ''
        })
        handled++
        res.status(200).end()
      } catch {
        res.status(400).end()
      }
    })
    return await new Promise(resolve => {
      const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
    })
  }

  const app = Fastify()
  if ((STAGES as readonly string[]).includes(contender)) {
    routeOfStage(app, PATH, contender as Stage, () => { handled++ })
  } else if (contender === 'bare') {
    // The ceiling: default JSON parser, no verification at all.
    app.post(PATH, async () => { handled++; return { received: true } })
  } else if (contender === 'naive') {
    // What one writes without this package: fastify-raw-body, then svix in the handler.
    await app.register(rawBody, { field: 'rawBody', global: false, encoding: false, runFirst: true })
    const wh = new Webhook(STANDARD_SECRET)
    app.post(PATH, { config: { rawBody: true } }, async (request, reply) => {
      try {
        wh.verify(request.rawBody as Buffer, request.headers as Record<string, string>)
      } catch {
        return reply.code(401).send({ error: 'invalid signature' })
      }
      handled++
      return { received: true }
    })
  } else {
    if (contender === 'memory') store = new MemoryStore({ maxKeys })
    if (contender === 'plugin-channels') observeChannels()
    let floor: OtelFloor | undefined
    if (contender.startsWith('plugin-otel')) {
      const otel = observeWithOtel(OTEL_SETUPS[contender as keyof typeof OTEL_SETUPS])
      await app.register(otel.plugin)
      floor = otel.floor
    }
    const plain =
      contender === 'plugin' || contender.startsWith('plugin-channels') || contender.startsWith('plugin-otel')
    await app.register(pulse, {
      secret: STANDARD_SECRET,
      idempotency: plain ? false : (store !== undefined ? { store } : {}),
      // @fastify/otel's spans of the route's own hooks left out, as docs/observability.md shows.
      ...(contender.endsWith('-lean') ? { routeConfig: { otel: { instrumentHooks: false } } } : {}),
      on: {
        'job.completed': async event => {
          floor?.delivered(event.id)
          handled++
        }
      }
    })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

const gc = (globalThis as { gc?: () => void }).gc

const contender = process.argv[2] as Contender
if (!CONTENDERS.includes(contender)) throw new Error(`unknown contender ${process.argv[2]}`)
const port = await start(contender, Number(process.argv[3] ?? 100_000) || 100_000)
const allocated = heapAllocations()
process.on('message', (message: { stats?: boolean, allocated?: boolean }) => {
  if (message.allocated === true) return process.send?.({ allocated: allocated() })
  if (message.stats !== true) return
  gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  process.send?.({ stats: { rss, heapUsed, storeSize: store?.size ?? null, handled } })
})
process.on('disconnect', () => process.exit(0))
process.send?.({ port })
