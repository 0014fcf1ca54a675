/**
 * The soak run: two Fastify instances on 127.0.0.1 sharing one Redis, and a
 * client that behaves like a webhook sender (it retries 5xx and 409 with a
 * fresh timestamp and signature, as Svix does). The mix: fresh events,
 * duplicates and retries, forgeries, expired deliveries, and handlers that
 * fail on the first try. `npm run soak` runs it at full size (bench/soak.ts);
 * test/soak.test.ts runs a small one and checks the invariants.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { RedisStore } from '../lib/stores/redis.js'
import { fixtures } from '../lib/testing/kit.js'
import { pulse } from '../plugins/pulse.js'

export interface SoakOptions {
  /** port of a running redis-server on 127.0.0.1 */
  redisPort: number
  /** deliveries planned (retries come on top) */
  deliveries: number
  concurrency: number
  /** seed of the plan, so that a run can be repeated */
  seed?: number
  duplicateRate?: number
  forgedRate?: number
  expiredRate?: number
  /** share of events whose handler fails on its first run */
  failRate?: number
}

/** What every soak run reports: its plan, how often each valid event ran, and what the sender saw. */
export interface SoakFigures {
  deliveriesSent: number
  httpRequests: number
  distinctValidEvents: number
  eventsHandledExactlyOnce: number
  eventsHandledMoreThanOnce: number
  handlerFailuresInjected: number
  forgeriesSent: number
  forgeriesAccepted: number
  expiredSent: number
  expiredAccepted: number
  badInput5xx: number
  lostEvents: number
  statuses: Record<string, number>
  seconds: number
  deliveriesPerSecond: number
}

/** What the sender counted of its requests. */
export interface SenderCounts { requests: number, forgedAccepted: number, expiredAccepted: number, bad5xx: number }

/** The figures of a run of `deliveries`, `times` the runs of each valid event, over `seconds`. */
export function soakFigures (
  deliveries: readonly Delivery[],
  times: readonly number[],
  count: SenderCounts,
  statuses: Record<string, number>,
  failures: number,
  seconds: number
): SoakFigures {
  return {
    deliveriesSent: deliveries.length,
    httpRequests: count.requests,
    distinctValidEvents: times.length,
    eventsHandledExactlyOnce: times.filter(n => n === 1).length,
    eventsHandledMoreThanOnce: times.filter(n => n > 1).length,
    handlerFailuresInjected: failures,
    forgeriesSent: deliveries.filter(d => d.kind === 'forged').length,
    forgeriesAccepted: count.forgedAccepted,
    expiredSent: deliveries.filter(d => d.kind === 'expired').length,
    expiredAccepted: count.expiredAccepted,
    badInput5xx: count.bad5xx,
    lostEvents: times.filter(n => n === 0).length,
    statuses,
    seconds: Math.round(seconds * 100) / 100,
    deliveriesPerSecond: Math.round(deliveries.length / seconds)
  }
}

/** The invariants every soak run holds, faults or not: no bad input accepted or answered 5xx, nothing lost. */
export function badInputViolations (r: SoakFigures): string[] {
  const broken: string[] = []
  if (r.forgeriesAccepted !== 0) broken.push('forgeries accepted')
  if (r.expiredAccepted !== 0) broken.push('expired deliveries accepted')
  if (r.badInput5xx !== 0) broken.push('5xx on bad input')
  if (r.lostEvents !== 0) broken.push('lost events')
  return broken
}

export interface SoakReport extends SoakFigures {
  duplicatesSuppressed: { answered200Duplicate: number, answered409InFlight: number }
  requestsPerSecond: number
}

/** The invariants a run must hold; empty when it held them all. */
export function violations (r: SoakReport): string[] {
  const broken: string[] = []
  if (r.eventsHandledExactlyOnce !== r.distinctValidEvents) {
    broken.push('events handled exactly once != distinct valid events')
  }
  if (r.eventsHandledMoreThanOnce !== 0) broken.push('events handled more than once')
  return [...broken, ...badInputViolations(r)]
}

type Kind = 'valid' | 'forged' | 'expired'
export interface Delivery { kind: Kind, id: string, forgery: number }

export const SECRET = 'whsec_' + randomBytes(32).toString('base64')
const WRONG_SECRET = 'whsec_' + randomBytes(32).toString('base64')
const MAX_ATTEMPTS = 200

/** A small seeded generator (mulberry32): the same seed gives the same plan. */
export function random (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard Webhooks headers straight from node:crypto (not the code under test). */
function signed (secret: string, id: string, stamp: number, body: string): Record<string, string> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const signature = createHmac('sha256', key).update(`${id}.${stamp}.${body}`).digest('base64')
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(stamp),
    'webhook-signature': `v1,${signature}`
  }
}

function bodyOf (id: string): string {
  const sample = fixtures.pulse['job.completed']
  return JSON.stringify({ ...sample, data: { ...sample.data, job_id: id } })
}

/** The request a delivery makes on one attempt: forgeries are broken in one of five ways. */
export function request (d: Delivery): { headers: Record<string, string>, body: string } {
  const now = Math.floor(Date.now() / 1000)
  const body = bodyOf(d.id)
  if (d.kind === 'valid') return { headers: signed(SECRET, d.id, now, body), body }
  if (d.kind === 'expired') return { headers: signed(SECRET, d.id, now - 3600, body), body }
  switch (d.forgery) {
    case 0:
      return { headers: signed(WRONG_SECRET, d.id, now, body), body }
    case 1:
      return { headers: signed(SECRET, d.id, now, body), body: bodyOf(`${d.id}-tampered`) }
    case 2:
      return { headers: { ...signed(SECRET, `${d.id}-other`, now, body), 'webhook-id': d.id }, body }
    case 3:
      return {
        headers: {
          ...signed(SECRET, d.id, now, body),
          'webhook-signature': `v1,${randomBytes(32).toString('base64')}`
        },
        body
      }
    default:
      return { headers: { 'content-type': 'application/json', 'webhook-id': d.id }, body }
  }
}

/** Deliveries in order: each duplicate repeats an event planned shortly before, so that many overlap in flight. */
export function plan (o: Required<SoakOptions>): Delivery[] {
  const rand = random(o.seed)
  const valid: string[] = []
  const out: Delivery[] = []
  for (let i = 0; i < o.deliveries; i++) {
    const r = rand()
    const forgery = Math.floor(rand() * 5)
    if (r < o.forgedRate) {
      // Half of the forgeries carry the id of a real event: they must not run it, nor mark it done.
      const id = valid.length > 0 && forgery % 2 === 0 ? valid[Math.floor(rand() * valid.length)]! : `forged_${i}`
      out.push({ kind: 'forged', id, forgery })
    } else if (r < o.forgedRate + o.expiredRate) {
      out.push({ kind: 'expired', id: `expired_${i}`, forgery })
    } else if (r < o.forgedRate + o.expiredRate + o.duplicateRate && valid.length > 0) {
      out.push({ kind: 'valid', id: valid[Math.max(0, valid.length - 1 - Math.floor(rand() * 64))]!, forgery })
    } else {
      valid.push(`msg_${o.seed}_${i}`)
      out.push({ kind: 'valid', id: valid[valid.length - 1]!, forgery })
    }
  }
  return out
}

async function instance (
  redisPort: number,
  prefix: string,
  handle: (id: string) => void
): Promise<{ app: FastifyInstance; client: Redis; url: string }> {
  // The fail-fast client settings the README advises.
  const client = new Redis(redisPort, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    commandTimeout: 2000
  })
  await once(client, 'ready')
  const app = Fastify()
  await app.register(pulse, {
    secret: SECRET,
    idempotency: { store: new RedisStore({ client, prefix }), lease: 30 },
    on: { 'job.completed': event => handle(event.id) }
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, client, url: `${address}/webhooks/pulse` }
}

/** The plan's defaults: the mix every soak run uses unless told otherwise. */
export function withDefaults (options: SoakOptions): Required<SoakOptions> {
  return { seed: 1, duplicateRate: 0.2, forgedRate: 0.05, expiredRate: 0.05, failRate: 0.05, ...options }
}

export async function runSoak (options: SoakOptions): Promise<SoakReport> {
  const o = withDefaults(options)
  const deliveries = plan(o)
  const validIds = new Set(deliveries.filter(d => d.kind === 'valid').map(d => d.id))
  const rand = random(o.seed + 1)
  const failFirst = new Set([...validIds].filter(() => rand() < o.failRate))
  const failed = new Set<string>()
  const handled = new Map([...validIds].map(id => [id, 0]))
  const handle = (id: string): void => {
    if (failFirst.has(id) && !failed.has(id)) {
      failed.add(id)
      throw new Error('injected handler failure')
    }
    handled.set(id, handled.get(id)! + 1)
  }
  const prefix = `soak-${randomBytes(4).toString('hex')}:`
  const instances = [await instance(o.redisPort, prefix, handle), await instance(o.redisPort, prefix, handle)]

  const statuses: Record<string, number> = {}
  const count = { requests: 0, duplicate: 0, inFlight: 0, forgedAccepted: 0, expiredAccepted: 0, bad5xx: 0 }
  let next = 0
  const started = process.hrtime.bigint()

  async function send (d: Delivery, n: number, attempt: number): Promise<void> {
    const { headers, body } = request(d)
    const target = instances[(n + attempt) % 2]!
    const res = await fetch(target.url, { method: 'POST', headers, body })
    const answer = await res.json() as { duplicate?: boolean }
    count.requests++
    statuses[res.status] = (statuses[res.status] ?? 0) + 1
    if (d.kind !== 'valid') {
      // Counted without a branch: in a correct run these stay 0, and the lines still run.
      count[d.kind === 'forged' ? 'forgedAccepted' : 'expiredAccepted'] += Number(res.status < 300)
      count.bad5xx += Number(res.status >= 500)
      return
    }
    count.duplicate += Number(answer.duplicate === true)
    count.inFlight += Number(res.status === 409)
    // A sender retries what was not a 2xx, after a short wait (Svix waits 5 s, then longer).
    if ((res.status === 409 || res.status >= 500) && attempt < MAX_ATTEMPTS) {
      await sleep(5 + Math.floor(Math.random() * 20))
      await send(d, n, attempt + 1)
    }
  }

  await Promise.all(Array.from({ length: o.concurrency }, async () => {
    while (next < deliveries.length) {
      const n = next++
      await send(deliveries[n]!, n, 0)
    }
  }))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9

  for (const { app, client } of instances) {
    await app.close()
    client.disconnect()
  }
  return {
    ...soakFigures(deliveries, [...handled.values()], count, statuses, failed.size, seconds),
    duplicatesSuppressed: { answered200Duplicate: count.duplicate, answered409InFlight: count.inFlight },
    requestsPerSecond: Math.round(count.requests / seconds)
  }
}
