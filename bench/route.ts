import Fastify, { type FastifyInstance } from 'fastify'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { compareAsync, spread } from './measure.js'
import {
  HEX_SECRET,
  MB,
  SIZES,
  STANDARD_SECRET,
  pulseBody,
  retabBody,
  retabHeaders,
  standardHeaders
} from './payloads.js'
import type { Section } from './report.js'

const LIMIT = 64 * MB

async function apps (): Promise<Record<'bare' | 'pulse' | 'retab', FastifyInstance>> {
  const bare = Fastify({ bodyLimit: LIMIT })
  bare.post('/webhooks/:provider', async () => ({ received: true }))
  const withPulse = Fastify()
  await withPulse.register(pulse, {
    secret: STANDARD_SECRET,
    idempotency: false,
    bodyLimit: LIMIT,
    on: { 'job.completed': async () => {} }
  })
  const withRetab = Fastify()
  await withRetab.register(retab, {
    secret: HEX_SECRET,
    idempotency: false,
    on: { 'extraction.completed': async () => {} }
  })
  await Promise.all([bare.ready(), withPulse.ready(), withRetab.ready()])
  return { bare, pulse: withPulse, retab: withRetab }
}

/** One injected request, failing loudly on anything but 200 (a benchmark of error answers would flatter). */
function post (
  app: FastifyInstance,
  url: string,
  headers: Record<string, string>,
  body: Buffer
): () => Promise<unknown> {
  return async () => {
    const res = await app.inject({ method: 'POST', url, headers, payload: body })
    if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`)
    return res
  }
}

/** Section 2b: the full route (verify + parse + validate + answer) per request, by body size, through app.inject. */
export async function routeScalingSection (quick: boolean): Promise<Section> {
  const { bare, pulse: pulseApp, retab: retabApp } = await apps()
  const rows: Array<Record<string, string | number>> = []
  try {
    for (const [label, size] of SIZES) {
      const pulsePayload = pulseBody(size)
      const retabPayload = retabBody(size)
      const big = size >= MB
      const pulseHeaders = standardHeaders('msg_route', pulsePayload)
      const retabSigned = retabHeaders(retabPayload)
      const stats = await compareAsync({
        bare: post(bare, '/webhooks/pulse', pulseHeaders, pulsePayload),
        pulse: post(pulseApp, '/webhooks/pulse', pulseHeaders, pulsePayload),
        'bare (Retab body)': post(bare, '/webhooks/retab', retabSigned, retabPayload),
        retab: post(retabApp, '/webhooks/retab', retabSigned, retabPayload)
      }, { rounds: quick ? 3 : 5, batchMs: quick ? 60 : (big ? 300 : 150) })
      const ms = (name: string): string => {
        const v = stats[name]!.median
        return v >= 1 ? v.toFixed(2) : v.toFixed(3)
      }
      rows.push({
        body: label,
        'bare Fastify ms': ms('bare'),
        'Pulse route ms': ms('pulse'),
        'Pulse x bare': (stats.pulse!.median / stats.bare!.median).toFixed(2),
        'Retab route ms': ms('retab'),
        'Retab x bare': (stats.retab!.median / stats['bare (Retab body)']!.median).toFixed(2),
        spread: spread(stats.pulse!)
      })
    }
  } finally {
    await Promise.all([bare.close(), pulseApp.close(), retabApp.close()])
  }
  return {
    title: '2b. Full route by body size (app.inject)',
    note:
      'Milliseconds per request, one at a time through `app.inject` (verify + parse + schema check + handler + ' +
      'answer), ' +
      'against a bare Fastify route with the default JSON parser and no verification. Idempotency off (the same ' +
      'delivery is repeated). ' +
      'Pulse is Standard Webhooks with bodyLimit raised to 64 MiB; Retab is HMAC hex and also parses the extraction.',
    rows,
    targets: []
  }
}
