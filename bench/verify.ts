import { createSecretKey } from 'node:crypto'
import sjson from 'secure-json-parse'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { compareSync, spread, type Stat } from './measure.js'
import {
  HEX_SECRET,
  KB,
  MB,
  SIZES,
  STANDARD_KEY,
  STANDARD_SECRET,
  bareHexHmac,
  bareStandardHmac,
  pulseBody,
  retabBody,
  retabHeaders,
  standardHeaders
} from './payloads.js'
import type { Section, Target } from './report.js'

const standardScheme = pulse.provider.scheme
const hexScheme = retab.provider.scheme
const HEX_KEY = createSecretKey(Buffer.from(HEX_SECRET))

/** Our scheme's verify as the engine calls it (the clock read included), failing loudly if it does not verify. */
function oursStandard (body: Buffer, headers: Record<string, string>): () => unknown {
  const keys = [STANDARD_KEY]
  return () => {
    const result = standardScheme.verify(keys, headers, body, { now: Math.floor(Date.now() / 1000), tolerance: 300 })
    if (!result.ok) throw new Error('bench delivery did not verify')
    return result
  }
}

function oursHex (body: Buffer, headers: Record<string, string>): () => unknown {
  const keys = [HEX_KEY]
  return () => {
    const result = hexScheme.verify(keys, headers, body, { now: 0, tolerance: 300 })
    if (!result.ok) throw new Error('bench delivery did not verify')
    return result
  }
}

const fmt = (ns: number): string => ns >= 1e5 ? `${(ns / 1e3).toFixed(0)} µs` : `${Math.round(ns)} ns`

/** Section 1: verification alone, per scheme, 1 KB body. */
export function verifySection (quick: boolean): Section {
  const body = pulseBody(KB)
  const headers = standardHeaders('msg_bench_0001', body)
  const id = headers['webhook-id']!
  const stamp = headers['webhook-timestamp']!
  const svix = new SvixWebhook(STANDARD_SECRET)
  const standard = new StandardWebhook(STANDARD_SECRET)
  const options = { rounds: quick ? 3 : 9, batchMs: quick ? 40 : 150 }

  const std = compareSync({
    'fastify-webhooks verify': oursStandard(body, headers),
    'fastify-webhooks verify + JSON parse': (() => {
      const verify = oursStandard(body, headers)
      return () => { verify(); return sjson.parse(body) }
    })(),
    'svix Webhook.verify (parses too)': () => svix.verify(body, headers),
    'standardwebhooks verify (parses too)': () => standard.verify(body, headers),
    'bare node:crypto HMAC': () => bareStandardHmac(STANDARD_KEY, id, stamp, body)
  }, options)

  const hexBody = retabBody(KB)
  const hexHeaders = retabHeaders(hexBody)
  const hex = compareSync({
    'fastify-webhooks verify': oursHex(hexBody, hexHeaders),
    'bare node:crypto HMAC': () => bareHexHmac(HEX_KEY, hexBody)
  }, options)

  const rows: Array<Record<string, string | number>> = []
  const add = (scheme: string, stats: Record<string, Stat>): void => {
    const ours = stats['fastify-webhooks verify']!.median
    const bare = stats['bare node:crypto HMAC']!.median
    for (const [name, s] of Object.entries(stats)) {
      rows.push({
        scheme,
        contender: name,
        'ns/op': Math.round(s.median),
        spread: spread(s),
        'x bare HMAC': (s.median / bare).toFixed(2),
        'x ours': (s.median / ours).toFixed(2)
      })
    }
  }
  add('Standard Webhooks (Pulse, Cyberdesk)', std)
  add('HMAC hex (Retab, Autotab, Autosana)', hex)

  const oursStd = std['fastify-webhooks verify']!.median
  const targets: Target[] = [
    {
      target: 'verify ≥5x faster than svix',
      value: std['svix Webhook.verify (parses too)']!.median / oursStd,
      goal: 5,
      higherIsBetter: true
    },
    {
      target: 'verify ≥5x faster than standardwebhooks',
      value: std['standardwebhooks verify (parses too)']!.median / oursStd,
      goal: 5,
      higherIsBetter: true
    },
    {
      target: 'verify (+ parse) ≥5x faster than svix (which parses)',
      value: std['svix Webhook.verify (parses too)']!.median / std['fastify-webhooks verify + JSON parse']!.median,
      goal: 5,
      higherIsBetter: true
    },
    {
      target: 'Standard Webhooks verify within 1.15x of bare HMAC',
      value: oursStd / std['bare node:crypto HMAC']!.median,
      goal: 1.15,
      higherIsBetter: false
    },
    {
      target: 'HMAC hex verify within 1.15x of bare HMAC',
      value: hex['fastify-webhooks verify']!.median / hex['bare node:crypto HMAC']!.median,
      goal: 1.15,
      higherIsBetter: false
    }
  ]
  return {
    title: '1. Verification alone, 1 KB body',
    note:
      `ns per call, median of ${options.rounds} interleaved batches of ~${options.batchMs} ms; spread is ± half the ` +
      'min-max range. ' +
      '`svix` and `standardwebhooks` return the parsed payload, so a verify + parse row is there for a like-for-like ' +
      'comparison. ' +
      `svix: ${fmt(std['svix Webhook.verify (parses too)']!.median)}, ours: ${fmt(oursStd)}.`,
    rows,
    targets
  }
}

/** Section 2a: verify throughput against bare HMAC as the body grows. */
export function verifyScalingSection (quick: boolean): Section {
  const rows: Array<Record<string, string | number>> = []
  const targets: Target[] = []
  for (const [label, size] of SIZES) {
    const body = pulseBody(size)
    const headers = standardHeaders('msg_bench_0002', body)
    const hexHeaders = retabHeaders(body)
    const big = size >= MB
    const stats = compareSync(
      {
        'standard ours': oursStandard(body, headers),
        'standard bare': () =>
          bareStandardHmac(STANDARD_KEY, headers['webhook-id']!, headers['webhook-timestamp']!, body),
        'hex ours': oursHex(body, hexHeaders),
        'hex bare': () => bareHexHmac(HEX_KEY, body)
      },
      { rounds: quick ? 3 : big ? 5 : 7, batchMs: quick ? 30 : big ? 120 : 80 }
    )
    const mbs = (s: Stat): number => size / MB / (s.median / 1e9)
    for (const scheme of ['standard', 'hex']) {
      const ours = stats[`${scheme} ours`]!
      const bare = stats[`${scheme} bare`]!
      rows.push({
        body: label,
        scheme: scheme === 'standard' ? 'Standard Webhooks' : 'HMAC hex',
        'ours MB/s': mbs(ours).toFixed(0),
        'bare HMAC MB/s': mbs(bare).toFixed(0),
        'ours / bare throughput': (mbs(ours) / mbs(bare)).toFixed(3),
        spread: spread(ours)
      })
    }
  }
  return {
    title: '2a. Verify throughput by body size',
    note: 'MB/s (MiB) of signature verification alone, ours against one bare node:crypto HMAC over the same bytes.',
    rows,
    targets
  }
}
