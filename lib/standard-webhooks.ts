import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import {
  MAX_SIGNATURES, MAX_SIGNATURE_HEADER, headerValue, reject, secretsToSign, verifyAny,
  type Headers, type Rejection, type SignOptions, type SignatureScheme, type Verification, type VerifyContext
} from './scheme.js'

/**
 * Standard Webhooks (https://www.standardwebhooks.com), as Svix sends it:
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`, base64, in a space-separated
 * list of `v1,<signature>` entries, keyed by the base64 secret after `whsec_`.
 */

const SECRET_PREFIX = 'whsec_'
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const TIMESTAMP = /^[0-9]{1,12}$/
const MAX_ID = 256

export interface StandardMeta {
  /** the signed `webhook-timestamp`, seconds since the epoch */
  timestamp: number
}

/** `whsec_` + canonical base64 of 24 to 64 random bytes, as the spec says. */
export function parseStandardSecret (secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new TypeError(`must start with "${SECRET_PREFIX}" (Standard Webhooks format)`)
  const encoded = secret.slice(SECRET_PREFIX.length)
  const key = Buffer.from(encoded, 'base64')
  if (!BASE64.test(encoded) || key.toString('base64') !== encoded) {
    throw new TypeError(`must be "${SECRET_PREFIX}" followed by base64`)
  }
  if (key.length < 24 || key.length > 64) throw new TypeError(`must decode to 24 to 64 bytes, not ${key.length}`)
  return key
}

/** The key the verifier holds: a KeyObject made once per secret (Node 24's createHmac is 5x slower given a Buffer). */
export function standardSecretKey (secret: string): KeyObject {
  return createSecretKey(parseStandardSecret(secret))
}

/** A fresh secret in the format the Standard Webhooks providers use. */
export function generateStandardSecret (): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64')
}

/** The base64 HMAC (without `v1,`) of one message. The body is hashed as bytes, never decoded. */
export function signStandard (key: Buffer | KeyObject, id: string, timestamp: number | string, body: Buffer | string): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

interface SignedHeaders { id: string, stamp: string, timestamp: number, received: string[] }

export interface StandardWebhooksOptions {
  /** Header name prefixes to look for, in order: `webhook` (the spec) and/or `svix` (older Svix senders). */
  headerPrefixes: readonly string[]
}

export function standardWebhooks (options: StandardWebhooksOptions): SignatureScheme<KeyObject, StandardMeta> {
  const prefixes = options.headerPrefixes
  const [primary] = prefixes as [string]
  // Header names built once, not per request.
  const names = prefixes.map(prefix => ({ prefix, id: `${prefix}-id`, timestamp: `${prefix}-timestamp`, signature: `${prefix}-signature` }))

  // The signed headers, or why they cannot be used (timestamp window included): shared by verify and precheck.
  function signedHeaders (headers: Headers, context: VerifyContext): SignedHeaders | Rejection {
    // The first prefix whose id header is present names all three headers: never mix them.
    let set = names[0]!
    for (const candidate of names) {
      if (headers[candidate.id] !== undefined) {
        set = candidate
        break
      }
    }
    const { prefix } = set
    const id = headerValue(headers, set.id)
    const stamp = headerValue(headers, set.timestamp)
    const list = headerValue(headers, set.signature)
    if (id === undefined || stamp === undefined || list === undefined) {
      // Name the absent ones: "which header?" is the first question when a sender's delivery is refused.
      const absent = [set.id, set.timestamp, set.signature].filter(name => headerValue(headers, name) === undefined)
      return reject('missing-signature', `no single ${absent.join(', ')} header (needs ${prefix}-id, ${prefix}-timestamp and ${prefix}-signature)`)
    }
    if (id.length === 0 || id.length > MAX_ID) return reject('malformed-signature', `${prefix}-id must be 1 to ${MAX_ID} characters`)
    if (list.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${prefix}-signature header too long`)
    if (!TIMESTAMP.test(stamp)) return reject('malformed-signature', `${prefix}-timestamp is not integer seconds`)

    const timestamp = Number(stamp)
    const skew = context.now - timestamp
    if (skew > context.tolerance) return reject('timestamp-outside-tolerance', `timestamp ${skew} s in the past (tolerance ${context.tolerance} s)`)
    if (-skew > context.tolerance) return reject('timestamp-outside-tolerance', `timestamp ${-skew} s in the future (tolerance ${context.tolerance} s)`)

    // Only `v1,` entries count; other versions (`v1a,` is ed25519) are skipped, and at most MAX_SIGNATURES are looked at.
    // Walked with indexOf rather than split: no array of every entry, and it stops at the cap.
    const received: string[] = []
    for (let start = 0; start <= list.length && received.length < MAX_SIGNATURES;) {
      const space = list.indexOf(' ', start)
      const end = space === -1 ? list.length : space
      if (list.startsWith('v1,', start)) received.push(list.slice(start + 3, end))
      start = end + 1
    }
    if (received.length === 0) return reject('malformed-signature', `${prefix}-signature has no v1 entry`)
    return { id, stamp, timestamp, received }
  }

  function verify (keys: readonly KeyObject[], headers: Headers, body: Buffer, context: VerifyContext): Verification<StandardMeta> {
    const signed = signedHeaders(headers, context)
    if ('reason' in signed) return signed
    const { id, stamp, timestamp, received } = signed
    return verifyAny(keys, received, key => signStandard(key, id, stamp, body), { ok: true, id, meta: { timestamp } })
  }

  function precheck (headers: Headers, context: VerifyContext): Rejection | undefined {
    const signed = signedHeaders(headers, context)
    return 'reason' in signed ? signed : undefined
  }

  const title = 'Standard Webhooks'

  // Several secrets: one `v1,` entry each, as a sender rotating keys signs. A verifier reads MAX_SIGNATURES at most.
  function sign (secret: string | readonly string[], body: Buffer | string, options: SignOptions = {}): Record<string, string> {
    const secrets = secretsToSign(secret, { title, maxSignatures: MAX_SIGNATURES })
    const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
    return {
      [`${primary}-id`]: id,
      [`${primary}-timestamp`]: String(timestamp),
      [`${primary}-signature`]: secrets.map(each => `v1,${signStandard(parseStandardSecret(each), id, timestamp, body)}`).join(' ')
    }
  }

  return {
    name: 'standard-webhooks',
    title,
    headers: names.flatMap(set => [set.id, set.timestamp, set.signature]),
    secretFormat: `"${SECRET_PREFIX}" followed by base64`,
    signsTimestamp: true,
    parseSecret: standardSecretKey,
    generateSecret: generateStandardSecret,
    claims: secret => secret.startsWith('whsec'),
    verify,
    precheck,
    sign,
    maxSignatures: MAX_SIGNATURES,
    // A mistake seen in providers' own sample code: the whole secret string used as the HMAC key.
    mistakenKeys: secret => [{
      key: createSecretKey(Buffer.from(secret, 'utf8')),
      summary: `the sender used the secret string itself as the key, not the base64 bytes after ${SECRET_PREFIX}`,
      hint: 'the sender does not follow Standard Webhooks; fix the sender, not the receiver'
    }]
  }
}
