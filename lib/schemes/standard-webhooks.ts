import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import { generateEd25519KeyPair, parseEd25519PublicKey, signEd25519, verifyEd25519 } from './ed25519.js'
import { canonicalBase64 } from './base64.js'
import {
  MAX_SIGNATURES, MAX_SIGNATURE_HEADER, anyMatch, headerValue, noneMatched, reject, secretsToSign,
  type Headers, type Rejection, type SignOptions, type SignatureScheme, type Verification, type VerifyContext
} from './scheme.js'

/**
 * Standard Webhooks (https://www.standardwebhooks.com), as Svix sends it:
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`, base64, in a space-separated
 * list of `v1,<signature>` entries, keyed by the base64 secret after `whsec_`;
 * and the spec's asymmetric `v1a,<signature>` entries, ed25519 over the same
 * bytes, checked with a public key `whpk_` (signed with a secret key `whsk_`).
 */

const SECRET_PREFIX = 'whsec_'
const TIMESTAMP = /^[0-9]{1,12}$/
const MAX_ID = 256

export interface StandardMeta {
  /** the signed `webhook-timestamp`, seconds since the epoch */
  timestamp: number
}

/** `whsec_` + canonical base64 of 24 to 64 random bytes, as the spec says. */
export function parseStandardSecret (secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new TypeError(`must start with "${SECRET_PREFIX}" (Standard Webhooks format)`)
  }
  const key = canonicalBase64(secret.slice(SECRET_PREFIX.length))
  if (key === null) throw new TypeError(`must be "${SECRET_PREFIX}" followed by base64`)
  if (key.length < 24 || key.length > 64) throw new TypeError(`must decode to 24 to 64 bytes, not ${key.length}`)
  return key
}

/**
 * The key the verifier holds, made once per secret: an HMAC key for `whsec_` (a KeyObject: Node 24's createHmac is
 * 5x slower given a Buffer), an ed25519 public key for `whpk_`. A secret key `whsk_` is refused: it signs, and a
 * receiver that holds it could forge deliveries.
 */
export function standardSecretKey (secret: string): KeyObject {
  if (secret.startsWith('whpk_')) return parseEd25519PublicKey(secret)
  if (secret.startsWith('whsk_')) {
    throw new TypeError(
      'is an ed25519 secret key ("whsk_"), which only the sender needs: give its public key ("whpk_")'
    )
  }
  return createSecretKey(parseStandardSecret(secret))
}

/** A fresh secret in the format the Standard Webhooks providers use. */
export function generateStandardSecret (): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64')
}

/** The base64 HMAC (without `v1,`) of one message. The body is hashed as bytes, never decoded. */
export function signStandard (
  key: Buffer | KeyObject,
  id: string,
  timestamp: number | string,
  body: Buffer | string
): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

export interface StandardWebhooksOptions {
  /** Header name prefixes to look for, in order: `webhook` (the spec) and/or `svix` (older Svix senders). */
  headerPrefixes: readonly string[]
}

/** The signed headers, and the body: what both versions sign, as `anyMatch` hands it on. */
interface Signed {
  prefix: string
  id: string
  stamp: string
  timestamp: number
  hmac: string[]
  ed25519: string[]
  body: Buffer
}

/** The body at precheck, which runs before it is read: nothing is signed with it. */
const NO_BODY = Buffer.alloc(0)

export function standardWebhooks (options: StandardWebhooksOptions): SignatureScheme<KeyObject, StandardMeta> {
  const prefixes = options.headerPrefixes
  const [primary] = prefixes as [string]
  // Header names built once, not per request.
  const names = prefixes.map(prefix => ({
    prefix,
    id: `${prefix}-id`,
    timestamp: `${prefix}-timestamp`,
    signature: `${prefix}-signature`
  }))

  // The signed headers, or why they cannot be used (timestamp window included): shared by verify and precheck.
  function signedHeaders (headers: Headers, context: VerifyContext, body: Buffer): Signed | Rejection {
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
      return reject(
        'missing-signature',
        `no single ${absent.join(', ')} header (needs ${prefix}-id, ${prefix}-timestamp and ${prefix}-signature)`
      )
    }
    if (id.length === 0 || id.length > MAX_ID) {
      return reject('malformed-signature', `${prefix}-id must be 1 to ${MAX_ID} characters`)
    }
    if (list.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${prefix}-signature header too long`)
    if (!TIMESTAMP.test(stamp)) return reject('malformed-signature', `${prefix}-timestamp is not integer seconds`)

    const timestamp = Number(stamp)
    const skew = context.now - timestamp
    if (skew > context.tolerance) {
      return reject('timestamp-outside-tolerance', `timestamp ${skew} s in the past (tolerance ${context.tolerance} s)`)
    }
    if (-skew > context.tolerance) {
      return reject(
        'timestamp-outside-tolerance',
        `timestamp ${-skew} s in the future (tolerance ${context.tolerance} s)`
      )
    }

    // `v1,` (HMAC) and `v1a,` (ed25519) entries count; other versions are skipped, and at most MAX_SIGNATURES are
    // looked at. Walked with indexOf rather than split: no array of every entry, and it stops at the cap.
    const hmac: string[] = []
    const ed25519: string[] = []
    for (let start = 0; start <= list.length && hmac.length + ed25519.length < MAX_SIGNATURES;) {
      const space = list.indexOf(' ', start)
      const end = space === -1 ? list.length : space
      if (list.startsWith('v1,', start)) hmac.push(list.slice(start + 3, end))
      else if (list.startsWith('v1a,', start)) ed25519.push(list.slice(start + 4, end))
      start = end + 1
    }
    if (hmac.length + ed25519.length === 0) {
      return reject('malformed-signature', `${prefix}-signature has no v1 or v1a entry`)
    }
    return { prefix, id, stamp, timestamp, hmac, ed25519, body }
  }

  function verify (
    keys: readonly KeyObject[],
    headers: Headers,
    body: Buffer,
    context: VerifyContext
  ): Verification<StandardMeta> {
    const signed = signedHeaders(headers, context, body)
    if ('reason' in signed) return signed
    const { prefix, id, timestamp, hmac, ed25519 } = signed
    // Only entries some configured key can check: a list of `v1a` entries alone is no signature for HMAC secrets.
    const wanted = wantedVersions(keys)
    if ((!wanted.v1 || hmac.length === 0) && (!wanted.v1a || ed25519.length === 0)) {
      return reject(
        'malformed-signature',
        `${prefix}-signature has no ${[wanted.v1 ? 'v1' : '', wanted.v1a ? 'v1a' : ''].filter(Boolean).join(' or ')} ` +
        'entry'
      )
    }

    // Each version against the keys that check it; the ed25519 message is made only when one will be checked.
    const matched = (wanted.v1 && hmac.length > 0 && anyMatch(keys, hmac, hmacOf, signed)) ||
      (wanted.v1a && ed25519.length > 0 && ed25519Matches(keys, signed))
    return matched ? { ok: true, id, meta: { timestamp } } : noneMatched(hmac.length + ed25519.length, keys.length)
  }

  function precheck (headers: Headers, context: VerifyContext): Rejection | undefined {
    const signed = signedHeaders(headers, context, NO_BODY)
    return 'reason' in signed ? signed : undefined
  }

  // Keys no sender holds (the ed25519 secret key is thrown away), made on first use: only many tenants need them.
  let standIns: { hmac: KeyObject, ed25519: KeyObject } | undefined

  // A tenant's keys, with a stand-in for each kind it lacks: a `v1a` entry sent to a tenant with only `whsec_` keys
  // is then checked (against the stand-in) and refused as invalid, as it is for a tenant with a `whpk_` key.
  function tenantKeys (keys: readonly KeyObject[]): readonly KeyObject[] {
    standIns ??= {
      hmac: standardSecretKey(generateStandardSecret()),
      ed25519: parseEd25519PublicKey(generateEd25519KeyPair().publicKey)
    }
    const { v1, v1a } = wantedVersions(keys)
    if (v1 && v1a) return keys
    return [...keys, ...(v1 ? [] : [standIns.hmac]), ...(v1a ? [] : [standIns.ed25519])]
  }

  const title = 'Standard Webhooks'

  // Several secrets: one `v1,` entry each, as a sender rotating keys signs. A verifier reads MAX_SIGNATURES at most.
  function sign (
    secret: string | readonly string[],
    body: Buffer | string,
    options: SignOptions = {}
  ): Record<string, string> {
    const secrets = secretsToSign(secret, { title, maxSignatures: MAX_SIGNATURES })
    const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
    return {
      [`${primary}-id`]: id,
      [`${primary}-timestamp`]: String(timestamp),
      [`${primary}-signature`]: secrets.map(each => signatureOf(each, id, timestamp, body)).join(' ')
    }
  }

  return {
    name: 'standard-webhooks',
    title,
    headers: names.flatMap(set => [set.id, set.timestamp, set.signature]),
    secretFormat: `"${SECRET_PREFIX}" followed by base64, or an ed25519 public key "whpk_" followed by base64`,
    signsTimestamp: true,
    parseSecret: standardSecretKey,
    generateSecret: generateStandardSecret,
    generateKeyPair: generateEd25519KeyPair,
    tenantKeys,
    claims: secret => ['whsec', 'whpk', 'whsk'].some(mark => secret.startsWith(mark)),
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

/** Which versions of entries the configured keys can check. */
function wantedVersions (keys: readonly KeyObject[]): { v1: boolean, v1a: boolean } {
  let v1 = false
  let v1a = false
  for (const key of keys) {
    if (key.type === 'secret') v1 = true
    else v1a = true
  }
  return { v1, v1a }
}

/** A `whsec_` key's `v1` signature; none for an ed25519 key. */
function hmacOf (key: KeyObject, signed: Signed): string | undefined {
  return key.type === 'secret' ? signStandard(key, signed.id, signed.stamp, signed.body) : undefined
}

/** Whether an ed25519 key verifies some `v1a` entry. */
function ed25519Matches (keys: readonly KeyObject[], signed: Signed): boolean {
  const message = signedBytes(signed.id, signed.stamp, signed.body)
  for (const key of keys) {
    if (key.type === 'secret') continue
    for (const candidate of signed.ed25519) if (verifyEd25519(key, message, candidate)) return true
  }
  return false
}

/** The bytes both versions sign: `${id}.${timestamp}.` and the body, as received. */
function signedBytes (id: string, timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body])
}

/** One entry of the signature header: `v1,` for a `whsec_` secret, `v1a,` for an ed25519 secret key `whsk_`. */
function signatureOf (secret: string, id: string, timestamp: number, body: Buffer | string): string {
  if (secret.startsWith('whsk_')) {
    return `v1a,${signEd25519(secret, signedBytes(id, String(timestamp), Buffer.from(body)))}`
  }
  return `v1,${signStandard(parseStandardSecret(secret), id, timestamp, body)}`
}
