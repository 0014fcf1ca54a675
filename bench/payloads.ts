import { createHmac, type KeyObject } from 'node:crypto'
import { fixtures } from '../lib/testing/kit.js'
import { signHex } from '../lib/schemes/hmac-hex.js'
import { signStandard, standardSecretKey } from '../lib/schemes/standard-webhooks.js'

/** Fixed secrets: the benchmarks need no randomness, and none of these is used anywhere real. */
export const STANDARD_SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64')
export const STANDARD_KEY = standardSecretKey(STANDARD_SECRET)
export const HEX_SECRET = 'bench-secret-not-for-production'

export const KB = 1024
export const MB = 1024 * 1024
/** The body sizes of the scaling sections, the last like a Retab delivery carrying a document. */
export const SIZES: ReadonlyArray<[string, number]> = [
  ['1 KB', KB],
  ['64 KB', 64 * KB],
  ['1 MB', MB],
  ['16 MB', 16 * MB]
]

/** JSON of `build(filler)` grown with a filler string until it is exactly `size` bytes. */
function sized (size: number, build: (filler: string) => unknown): Buffer {
  const empty = Buffer.byteLength(JSON.stringify(build('')))
  if (empty > size) throw new Error(`a ${size}-byte body cannot hold the payload (${empty} bytes)`)
  const body = Buffer.from(JSON.stringify(build('A'.repeat(size - empty))))
  if (body.length !== size) throw new Error(`body is ${body.length} bytes, not ${size}`)
  return body
}

/** A Pulse `job.completed` event of exactly `size` bytes (the extra field is allowed: providers add fields). */
export function pulseBody (size: number): Buffer {
  const event = fixtures.pulse['job.completed']
  return sized(size, filler => ({ ...event, data: { ...event.data, result_summary: filler } }))
}

/** A Retab delivery of exactly `size` bytes, its document inlined as a data URL, as Retab sends it. */
export function retabBody (size: number): Buffer {
  const event = fixtures.retab['extraction.completed']
  return sized(size, filler => ({
    ...event,
    file_payload: { filename: 'scan.pdf', url: `data:application/pdf;base64,${filler}` }
  }))
}

/** The three Standard Webhooks headers for one delivery, as Pulse's Svix portal sends them. */
export function standardHeaders (
  id: string,
  body: Buffer,
  timestamp = Math.floor(Date.now() / 1000)
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signStandard(STANDARD_KEY, id, timestamp, body)}`
  }
}

/** Retab's header: lowercase hex HMAC of the body. */
export function retabHeaders (body: Buffer): Record<string, string> {
  return { 'content-type': 'application/json', 'retab-signature': signHex(HEX_SECRET, body) }
}

/** The floor: one HMAC over the same bytes, nothing else (keyed by a KeyObject, node:crypto's fastest way). */
export function bareStandardHmac (key: KeyObject, id: string, stamp: string, body: Buffer): string {
  return createHmac('sha256', key).update(`${id}.${stamp}.`).update(body).digest('base64')
}

export function bareHexHmac (key: KeyObject, body: Buffer): string {
  return createHmac('sha256', key).update(body).digest('hex')
}
