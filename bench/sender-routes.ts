/**
 * The whole route per shipped provider, against Pulse's, in the same rounds: CPU per request (user + system of this
 * process, through `app.inject`) of each provider's own sample, signed by the testing kit, idempotency off. A
 * sender's scheme (a timestamped header list, a form, a URL) should cost its route no more than Pulse's costs.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import { providers } from '../plugins/registry.js'
import { examplesOf, sign } from '../lib/testing/kit.js'
import { median } from './measure.js'
import type { SignatureScheme } from '../lib/schemes/scheme.js'
import type { Section } from './report.js'

/**
 * The route's secret and the one the sender signs with: the same, or, for a sender whose secret is a public key
 * (Discord's, SendGrid's), the two halves of a new pair.
 */
function keysOf (scheme: SignatureScheme): { secret: string, signing: string } {
  const secret = scheme.generateSecret()
  if (scheme.generateKeyPair === undefined) return { secret, signing: secret }
  const check = { now: Math.floor(Date.now() / 1000), tolerance: 300, url: 'http://localhost/' }
  let signs = false
  try {
    const headers = scheme.sign(secret, '{}', { url: check.url })
    signs = scheme.verify([scheme.parseSecret(secret)], headers, Buffer.from('{}'), check).ok
  } catch {}
  if (signs) return { secret, signing: secret }
  const pair = scheme.generateKeyPair()
  return { secret: pair.publicKey, signing: pair.secretKey }
}

interface Contender { app: FastifyInstance, run: () => Promise<void>, bytes: number }

async function contender (name: keyof typeof providers): Promise<Contender> {
  const plugin = providers[name]
  const spec = plugin.provider
  const { secret, signing } = keysOf(spec.scheme)
  const app = Fastify()
  await app.register(plugin as never, {
    secret,
    idempotency: false,
    // One delivery signed once is sent for the whole run, longer than any sender's window (Paddle's is 5 s).
    tolerance: 3600,
    onEvent: async () => {},
    onUnknown: async () => {}
  })
  await app.ready()
  const type = spec.sample?.type ?? Object.keys(spec.events)[0]!
  const url = `/webhooks/${name}`
  // The URL the route sees under inject, for a scheme that signs it.
  const { headers, body } = sign({ provider: spec }, examplesOf(spec)[type] as never, {
    secret: signing, type, url: `http://localhost:80${url}`
  })
  return {
    app,
    bytes: Buffer.byteLength(body),
    run: async () => {
      const res = await app.inject({ method: 'POST', url, headers, payload: body })
      if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode}: ${res.body}`)
    }
  }
}

/** Microseconds of CPU per request over `n` requests, one at a time. */
async function cpuPerRequest (run: () => Promise<void>, n: number): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < n; i++) await run()
  const { user, system } = process.cpuUsage(start)
  return (user + system) / n
}

export async function senderRoutesSection (quick: boolean): Promise<Section> {
  const names = Object.keys(providers) as Array<keyof typeof providers>
  const contenders: Record<string, Contender> =
    Object.fromEntries(await Promise.all(names.map(async name => [name, await contender(name)])))
  const rounds = quick ? 3 : 9
  const n = quick ? 300 : 1500
  const samples: Record<string, number[]> = Object.fromEntries(names.map(name => [name, []]))
  const ratios: Record<string, number[]> = Object.fromEntries(names.map(name => [name, []]))
  try {
    for (const name of names) await cpuPerRequest(contenders[name]!.run, n / 3) // warm up
    for (let round = 0; round < rounds; round++) {
      const pulse = await cpuPerRequest(contenders.pulse!.run, n)
      // Rotated, so that drift on a shared machine falls on each in turn.
      for (const name of names.slice(round % names.length).concat(names.slice(0, round % names.length))) {
        const us = name === 'pulse' ? pulse : await cpuPerRequest(contenders[name]!.run, n)
        samples[name]!.push(us)
        ratios[name]!.push(us / pulse)
      }
    }
  } finally {
    await Promise.all(Object.values(contenders).map(async ({ app }) => { await app.close() }))
  }
  return {
    title: '2c. Each shipped provider\'s route against Pulse\'s (app.inject)',
    note:
      `CPU µs per request (user + system), ${rounds} rounds of ${n} requests, each provider's own shipped sample ` +
      'signed by the testing kit, idempotency off; the ratio is the median of the per-round ratios against Pulse ' +
      'measured just before in the same round.',
    rows: names.map(name => ({
      provider: name,
      'body bytes': contenders[name]!.bytes,
      'CPU µs / request': median(samples[name]!).toFixed(1),
      'x Pulse': median(ratios[name]!).toFixed(2)
    })),
    targets: []
  }
}
