/**
 * Section 6: what many tenants and ed25519 cost. The route's CPU per request with a cached secret lookup
 * against a fixed secret (same body, same run, interleaved), and `v1a` (ed25519) verify against `v1` (HMAC).
 * Then whether time tells tenants apart: the median round trip over real HTTP of a delivery signed by a stranger,
 * to an unknown tenant against one holding a `whsec_` key, a `whpk_` key, or both (all interleaved).
 */
import { randomBytes, type KeyObject } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { generateEd25519KeyPair, signEd25519 } from '../lib/schemes/ed25519.js'
import {
  generateStandardSecret, parseStandardSecret, signStandard, standardSecretKey
} from '../lib/schemes/standard-webhooks.js'
import { SecretCache } from '../lib/tenants/secret-cache.js'
import { pulse } from '../plugins/pulse.js'
import { compareSync, median, spread, stat, type Stat } from './measure.js'
import { KB, STANDARD_KEY, STANDARD_SECRET, pulseBody, standardHeaders } from './payloads.js'
import type { Section, Target } from './report.js'

const scheme = pulse.provider.scheme

async function apps (): Promise<Record<'fixed' | 'tenants', FastifyInstance>> {
  const fixed = Fastify()
  await fixed.register(pulse, {
    secret: STANDARD_SECRET,
    idempotency: false,
    path: '/webhooks/pulse/:tenant',
    on: { 'job.completed': async () => {} }
  })
  const tenants = Fastify()
  await tenants.register(pulse, {
    idempotency: false,
    path: '/webhooks/pulse/:tenant',
    tenant: request => (request.params as { tenant: string }).tenant,
    // Looked up once, then served from the cache: what a warm multi-tenant route does on every delivery.
    secret: async () => STANDARD_SECRET,
    secretCache: new SecretCache({ ttl: 3600 }),
    on: { 'job.completed': async () => {} }
  })
  await Promise.all([fixed.ready(), tenants.ready()])
  return { fixed, tenants }
}

/** CPU microseconds (user + system) per request over `n` injected requests, failing loudly on anything but 200. */
async function cpuPerRequest (
  app: FastifyInstance,
  headers: Record<string, string>,
  body: Buffer,
  n: number
): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const res = await app.inject({ method: 'POST', url: '/webhooks/pulse/acme', headers, payload: body })
    if (res.statusCode !== 200) throw new Error(`answered ${res.statusCode}: ${res.body}`)
  }
  const used = process.cpuUsage(start)
  return (used.user + used.system) / n
}

const KINDS = ['whsec_', 'whpk_', 'mixed'] as const
type Kind = typeof KINDS[number]
const SHAPES = ['v1', 'v1a', 'v1 and v1a'] as const
type Shape = typeof SHAPES[number]
type Trips = Record<Shape, Record<Kind | 'unknown', number[]>>

/**
 * The round trips (µs) of each tenant, unknown included, for each shape of signature header: `rounds` deliveries
 * each, every round sending one to each tenant in a rotated order, so that the machine's load falls on all alike
 * (the i-th trip of each tenant is of the same round). Every delivery is signed by keys no tenant holds, with a
 * fresh id: a 401 each.
 */
async function roundTrips (rounds: number): Promise<Trips> {
  const body = pulseBody(KB)
  const ownPair = generateEd25519KeyPair()
  const keysOf: Record<string, string[] | undefined> = {
    whsec_: [STANDARD_SECRET],
    whpk_: [ownPair.publicKey],
    mixed: [STANDARD_SECRET, ownPair.publicKey]
  }
  const app = Fastify()
  await app.register(pulse, {
    idempotency: false,
    path: '/webhooks/pulse/:tenant',
    tenant: request => (request.params as { tenant: string }).tenant,
    secret: tenant => keysOf[tenant],
    on: { 'job.completed': async () => {} }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const payload = new Uint8Array(body)
  const stranger = { hmac: parseStandardSecret(generateStandardSecret()), ed25519: generateEd25519KeyPair().secretKey }
  function headersFor (shape: Shape): Record<string, string> {
    const id = `msg_${randomBytes(8).toString('hex')}`
    const stamp = String(Math.floor(Date.now() / 1000))
    const v1 = `v1,${signStandard(stranger.hmac, id, stamp, body)}`
    const v1a = `v1a,${signEd25519(stranger.ed25519, Buffer.concat([Buffer.from(`${id}.${stamp}.`), body]))}`
    const signature = shape === 'v1' ? v1 : shape === 'v1a' ? v1a : `${v1} ${v1a}`
    return {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': stamp,
      'webhook-signature': signature
    }
  }
  async function time (tenant: string, headers: Record<string, string>): Promise<number> {
    const start = process.hrtime.bigint()
    const res = await fetch(`${url}/webhooks/pulse/${tenant}`, { method: 'POST', headers, body: payload })
    await res.arrayBuffer()
    const took = Number(process.hrtime.bigint() - start) / 1000
    if (res.status !== 401) throw new Error(`${tenant} answered ${res.status}`)
    return took
  }
  const tenants = ['unknown', ...KINDS] as const
  const result: Partial<Trips> = {}
  try {
    for (const shape of SHAPES) {
      const times = new Map<Kind | 'unknown', number[]>(tenants.map(tenant => [tenant, []]))
      // A warm-up: every tenant looked up once and cached, the JIT settled.
      for (let i = 0; i < 50; i++) for (const tenant of tenants) await time(tenant, headersFor(shape))
      for (let round = 0; round < rounds; round++) {
        for (let i = 0; i < tenants.length; i++) {
          const tenant = tenants[(round + i) % tenants.length]!
          // Signed before the clock starts: only the server's work is timed.
          const headers = headersFor(shape)
          times.get(tenant)!.push(await time(tenant, headers))
        }
      }
      result[shape] = Object.fromEntries(times) as Record<Kind | 'unknown', number[]>
    }
  } finally {
    await app.close()
  }
  return result as Trips
}

export async function tenantsSection (quick: boolean): Promise<Section> {
  const body = pulseBody(KB)
  const headers = standardHeaders('msg_tenants', body)
  const { fixed, tenants } = await apps()
  const rounds = quick ? 5 : 15
  const n = quick ? 300 : 1500
  const perRound: Record<'fixed' | 'tenants', number[]> = { fixed: [], tenants: [] }
  try {
    await cpuPerRequest(fixed, headers, body, n)
    await cpuPerRequest(tenants, headers, body, n)
    for (let round = 0; round < rounds; round++) {
      // Alternating which goes first, so that neither always runs on a warmer or a busier machine.
      const order = round % 2 === 0 ? (['fixed', 'tenants'] as const) : (['tenants', 'fixed'] as const)
      for (const name of order) {
        perRound[name].push(await cpuPerRequest(name === 'fixed' ? fixed : tenants, headers, body, n))
      }
    }
  } finally {
    await Promise.all([fixed.close(), tenants.close()])
  }
  const route = { fixed: stat(perRound.fixed), tenants: stat(perRound.tenants) }
  // The ratio of each round's pair, then its median: the noise both share cancels out.
  const pairRatio = median(perRound.tenants.map((value, i) => value / perRound.fixed[i]!))

  const pair = generateEd25519KeyPair()
  const id = headers['webhook-id']!
  const stamp = headers['webhook-timestamp']!
  const v1aHeaders = {
    ...headers,
    'webhook-signature': `v1a,${signEd25519(pair.secretKey, Buffer.concat([Buffer.from(`${id}.${stamp}.`), body]))}`
  }
  const verify = (keys: readonly KeyObject[], signed: Record<string, string>) => () => {
    const result = scheme.verify(keys, signed, body, { now: Math.floor(Date.now() / 1000), tolerance: 300 })
    if (!result.ok) throw new Error('bench delivery did not verify')
    return result
  }
  const verifies = compareSync({
    'v1 (HMAC-SHA256)': verify([STANDARD_KEY], headers),
    'v1a (ed25519)': verify([standardSecretKey(pair.publicKey)], v1aHeaders)
  }, { rounds: quick ? 3 : 9, batchMs: quick ? 40 : 150 })
  const v1 = verifies['v1 (HMAC-SHA256)']!
  const v1a = verifies['v1a (ed25519)']!

  const us = (s: Stat): string => s.median.toFixed(1)
  const rows: Array<Record<string, string | number>> = [
    {
      measure: 'route CPU µs/request, fixed secret',
      value: us(route.fixed),
      spread: spread(route.fixed),
      ratio: '1.00'
    },
    {
      measure: 'route CPU µs/request, cached secret lookup per tenant',
      value: us(route.tenants),
      spread: spread(route.tenants),
      ratio: pairRatio.toFixed(3)
    },
    { measure: 'verify ns/op, v1 HMAC', value: Math.round(v1.median), spread: spread(v1), ratio: '1.00' },
    {
      measure: 'verify ns/op, v1a ed25519',
      value: Math.round(v1a.median),
      spread: spread(v1a),
      ratio: (v1a.median / v1.median).toFixed(2)
    }
  ]
  const alikeRounds = quick ? 100 : 300
  const trips = await roundTrips(alikeRounds)
  const ratios: number[] = []
  for (const shape of SHAPES) {
    for (const kind of KINDS) {
      const { unknown, [kind]: known } = trips[shape]
      // The median of each round's ratio, as for the route above: load that lasts a round falls on both alike.
      const ratio = median(unknown.map((took, i) => took / known[i]!))
      ratios.push(ratio)
      rows.push({
        measure: `round trip µs, ${shape} by a stranger: unknown tenant / ${kind} tenant`,
        value: `${median(unknown).toFixed(0)} / ${median(known).toFixed(0)}`,
        spread: '',
        ratio: ratio.toFixed(3)
      })
    }
  }

  const targets: Target[] = [
    {
      target: 'route with a cached secret lookup within 1.05x of a fixed secret (CPU)',
      value: pairRatio,
      goal: 1.05,
      higherIsBetter: false
    },
    {
      target: 'unknown ÷ known tenant, median round trip: lowest of 9 (whsec_, whpk_, mixed × v1, v1a, both)',
      value: Math.min(...ratios),
      goal: 0.9,
      higherIsBetter: true
    },
    {
      target: 'unknown ÷ known tenant, median round trip: highest of 9',
      value: Math.max(...ratios),
      goal: 1.1,
      higherIsBetter: false
    }
  ]
  return {
    title: '8. Many tenants and ed25519',
    note:
      'Route: process CPU (user + system) per request through `app.inject`, 1 KB Pulse body, idempotency off, ' +
      `median of ${rounds} ` +
      `interleaved rounds of ${n} requests; the ratio is the median of the per-round ratios. Verify: the scheme's ` +
      'verify alone, 1 KB body. Round trips: real HTTP on 127.0.0.1, a 1 KB body signed by keys no tenant holds, ' +
      `${alikeRounds} deliveries to each of 4 tenants per header shape, interleaved in rotated order; the ratio is ` +
      'the median of the per-round ratios.',
    rows,
    targets
  }
}
