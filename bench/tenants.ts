/**
 * Section 6: what many tenants and ed25519 cost. The route's CPU per request with a cached secret lookup
 * against a fixed secret (same body, same run, interleaved), and `v1a` (ed25519) verify against `v1` (HMAC).
 */
import type { KeyObject } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { generateEd25519KeyPair, signEd25519 } from '../lib/schemes/ed25519.js'
import { standardSecretKey } from '../lib/schemes/standard-webhooks.js'
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
  const targets: Target[] = [
    {
      target: 'route with a cached secret lookup within 1.05x of a fixed secret (CPU)',
      value: pairRatio,
      goal: 1.05,
      higherIsBetter: false
    }
  ]
  return {
    title: '8. Many tenants and ed25519',
    note:
      'Route: process CPU (user + system) per request through `app.inject`, 1 KB Pulse body, idempotency off, ' +
      `median of ${rounds} ` +
      `interleaved rounds of ${n} requests; the ratio is the median of the per-round ratios. Verify: the scheme's ` +
      'verify alone, 1 KB body.',
    rows,
    targets
  }
}
