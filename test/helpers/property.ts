/**
 * Shared pieces of the property tests: two providers with no event schemas
 * (every verified JSON body goes to onUnknown, so random payloads reach a
 * handler), one per scheme family, built from the schemes the shipped
 * plugins use; an independent signer over raw bytes (node:crypto); the JSON
 * oracle; and fast-check arbitraries.
 */
import { createHmac } from 'node:crypto'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import fc from 'fast-check'
import { defineProvider } from '../../lib/fastify/define-provider.js'
import { pulse } from '../../plugins/pulse.js'
import { autosana } from '../../plugins/autosana.js'

/** Standard Webhooks with `webhook-*` headers, as Pulse. */
export const swProvider = defineProvider({
  name: 'prop-sw',
  scheme: pulse.provider.scheme,
  events: {},
  typeOf: () => 'any'
})
/** HMAC-SHA256 hex with a `sha256=` prefix, as Autosana. */
export const hexProvider = defineProvider({
  name: 'prop-hex',
  scheme: autosana.provider.scheme,
  events: {},
  typeOf: () => 'any'
})
export const HEX_HEADER = 'x-autosana-signature-256'

export interface Seen { payload: unknown, rawBody: unknown, id: string }

export async function propertyApp (
  provider: typeof swProvider | typeof hexProvider,
  secret: string | string[],
  fastifyOptions: FastifyServerOptions = {}
): Promise<{ app: FastifyInstance; seen: Seen[] }> {
  const app = Fastify(fastifyOptions)
  const seen: Seen[] = []
  // The two plugins differ only in their event type; register either through one signature.
  await app.register(provider as typeof swProvider, {
    secret,
    idempotency: false, // random bodies repeat; duplicates are not what these tests are about
    tolerance: 1e13, // random timestamps, any distance from now (the window has tests of its own)
    onUnknown: (event, request) => { seen.push({ payload: event.payload, rawBody: request.rawBody, id: event.id }) }
  })
  await app.ready()
  return { app, seen }
}

/** The Standard Webhooks signature (base64, no `v1,`), straight from node:crypto over the raw bytes. */
export function swSignature (secret: string, id: string, timestamp: string, body: Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

export function hexSignature (secret: string, body: Buffer): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')
}

export function swHeaders (secret: string, id: string, timestamp: string, body: Buffer): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${swSignature(secret, id, timestamp, body)}`
  }
}

/** What the route must answer for correctly signed bytes: the payload, or null where it must be 400. */
export function expectedPayload (body: Buffer): { value: unknown } | null {
  let text = body.toString('utf8')
  if (text.charCodeAt(0) === 0xFEFF) text = text.slice(1) // a BOM is allowed before JSON
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  return poisoned(value) ? null : { value }
}

/** An own `__proto__` key, or a `constructor` object with its own `prototype`, anywhere in the value. */
export function poisoned (value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  if (Object.hasOwn(value, '__proto__')) return true
  const ctor = (value as Record<string, unknown>).constructor
  if (
    Object.hasOwn(value, 'constructor') &&
    ctor !== null &&
    typeof ctor === 'object' &&
    Object.hasOwn(ctor, 'prototype')
  ) { return true }
  return Object.values(value).some(poisoned)
}

// ---- arbitraries ----

const printable = fc.integer({ min: 0x21, max: 0x7e }).map(c => String.fromCharCode(c))
/** Text that survives as an HTTP header value: printable ASCII, no spaces at the ends. */
export const headerText = (minLength: number, maxLength: number) => fc.string({ unit: printable, minLength, maxLength })

export const swSecret = fc
  .uint8Array({ minLength: 24, maxLength: 64 })
  .map(bytes => 'whsec_' + Buffer.from(bytes).toString('base64'))
/** Any non-empty string without whitespace at its ends, unicode included (used as UTF-8 bytes). */
export const plainSecret = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 64 })
  .filter(s => s.trim() === s && s.length > 0)
export const messageId = headerText(1, 256)
export const timestamp = fc
  .oneof(fc.integer({ min: 0, max: 999_999_999_999 }), fc.constant(Math.floor(Date.now() / 1000)))
  .map(String)

/**
 * Bodies: random bytes (mostly not UTF-8, mostly not JSON), empty, JSON with unicode, huge numbers, invalid UTF-8
 * inside strings, a BOM.
 */
export const body = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map(b => Buffer.from(b)),
  fc.constant(Buffer.alloc(0)),
  fc.json().map(s => Buffer.from(s)),
  fc.jsonValue().map(v => Buffer.from(JSON.stringify({ data: v, text: '\u00e9\u4e2d\ud83d\ude00' }))),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(n => Buffer.from(`{"n":${n},"f":${n}.5e300}`)),
  fc
    .uint8Array({ minLength: 1, maxLength: 50 })
    .map(b =>
      Buffer.concat([
        Buffer.from('{"s":"'),
        Buffer.from(b.map(x => (x < 0x20 || x === 0x22 || x === 0x5c ? 0x80 : x))),
        Buffer.from('"}')
      ])
    ),
  fc.json().map(s => Buffer.from('\ufeff' + s))
)
