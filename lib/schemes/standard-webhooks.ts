import { createHmac, createSecretKey, randomBytes, type Hmac, type KeyObject } from 'node:crypto'
import { generateEd25519KeyPair, parseEd25519PublicKey, signEd25519, verifyEd25519 } from './ed25519.js'
import {
  MAX_SIGNATURES, MAX_SIGNATURE_HEADER, anyMatch, headerValue, noneMatched, reject, secretsToSign,
  type BodyVerification, type Headers, type Rejection, type SignOptions, type SignatureScheme, type Verification,
  type VerifyContext
} from './scheme.js'
import { secretReader } from './secret-format.js'
import { feed, feedAfterBody, feedBeforeBody, signedBytes, signedContent, type PartValues } from './signed-content.js'
import { outsideWindow, readTimestamp } from './timestamp.js'

/**
 * Standard Webhooks (https://www.standardwebhooks.com), as Svix sends it:
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`, base64, in a space-separated
 * list of `v1,<signature>` entries, keyed by the base64 secret after `whsec_`;
 * and the spec's asymmetric `v1a,<signature>` entries, ed25519 over the same
 * bytes, checked with a public key `whpk_` (signed with a secret key `whsk_`). Built from the blocks' parts: the
 * secret format, the signed content, the timestamp window; what is its own is the choice of header names by prefix
 * and the two versions of entries in one list.
 */

const SECRET_PREFIX = 'whsec_'
const MAX_ID = 256
const SECRET = secretReader({ encoding: 'base64', prefix: SECRET_PREFIX, minBytes: 24, maxBytes: 64 })
/** What both versions sign. */
const SIGNED = signedContent('{id}.{timestamp}.{body}')

export interface StandardMeta {
  /** the signed `webhook-timestamp`, seconds since the epoch */
  timestamp: number
}

/** `whsec_` + canonical base64 of 24 to 64 random bytes, as the spec says. */
export function parseStandardSecret (secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new TypeError(`must start with "${SECRET_PREFIX}" (Standard Webhooks format)`)
  }
  return SECRET.bytes(secret)
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

/** One delivery's signed headers and body, and its entries of each version: what `anyMatch` is handed. */
interface Signed extends PartValues {
  prefix: string
  id: string
  stamp: string
  timestamp: number
  hmac: string[]
  ed25519: string[]
}

/** The body at precheck, which runs before it is read: nothing is signed with it. */
const NO_BODY = Buffer.alloc(0)
/** Which versions the configured keys check, as bits: no object per request. */
const V1 = 1
const V1A = 2

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
    const timestamp = readTimestamp(stamp, 'seconds')
    if (timestamp === undefined) return reject('malformed-signature', `${prefix}-timestamp is not integer seconds`)
    const outside = outsideWindow(timestamp, context)
    if (outside !== undefined) return outside

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
    return { prefix, id, stamp, timestamp, hmac, ed25519, url: undefined, form: undefined, body }
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
    const v1 = (wanted & V1) !== 0
    const v1a = (wanted & V1A) !== 0
    if ((!v1 || hmac.length === 0) && (!v1a || ed25519.length === 0)) {
      return reject(
        'malformed-signature',
        `${prefix}-signature has no ${[v1 ? 'v1' : '', v1a ? 'v1a' : ''].filter(Boolean).join(' or ')} entry`
      )
    }

    // Each version against the keys that check it; the ed25519 message is made only when one will be checked.
    const matched = (v1 && hmac.length > 0 && anyMatch(keys, hmac, hmacOf, signed)) ||
      (v1a && ed25519.length > 0 && ed25519Matches(keys, signed))
    return matched ? { ok: true, id, meta: { timestamp } } : noneMatched(hmac.length + ed25519.length, keys.length)
  }

  // The HMAC keys fed the body as it arrives. An ed25519 key verifies the whole message: where one would check a `v1a`
  // entry, the body is verified whole. A tenant's keys hold a stand-in of each kind, so most of its deliveries stream.
  function begin (
    keys: readonly KeyObject[],
    headers: Headers,
    context: VerifyContext
  ): BodyVerification<StandardMeta> | Rejection | undefined {
    const wanted = wantedVersions(keys)
    if ((wanted & V1) === 0) return undefined
    const signed = signedHeaders(headers, context, NO_BODY)
    if ('reason' in signed) return signed
    const { prefix, id, timestamp, hmac, ed25519 } = signed
    if ((wanted & V1A) !== 0 && ed25519.length > 0) return undefined
    if (hmac.length === 0) return reject('malformed-signature', `${prefix}-signature has no v1 entry`)
    const hashes = keys
      .filter(key => key.type === 'secret')
      .map(key => feedBeforeBody(createHmac('sha256', key), SIGNED, signed))
    return {
      update (chunk) { for (const hash of hashes) hash.update(chunk) },
      finish: () => anyMatch(hashes, hmac, finished, signed)
        ? { ok: true, id, meta: { timestamp } }
        : noneMatched(hmac.length + ed25519.length, keys.length)
    }
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
    const wanted = wantedVersions(keys)
    if (wanted === (V1 | V1A)) return keys
    const { hmac, ed25519 } = standIns
    return [...keys, ...((wanted & V1) !== 0 ? [] : [hmac]), ...((wanted & V1A) !== 0 ? [] : [ed25519])]
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
    begin,
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

/** Which versions of entries the configured keys can check: V1 and V1A bits. */
function wantedVersions (keys: readonly KeyObject[]): number {
  let wanted = 0
  for (const key of keys) wanted |= key.type === 'secret' ? V1 : V1A
  return wanted
}

/** A `whsec_` key's `v1` signature; none for an ed25519 key. */
function hmacOf (key: KeyObject, signed: Signed): string | undefined {
  return key.type === 'secret' ? feed(createHmac('sha256', key), SIGNED, signed).digest('base64') : undefined
}

/** A `v1` signature from an HMAC fed the body as it arrived. */
function finished (hash: Hmac, signed: Signed): string {
  return feedAfterBody(hash, SIGNED, signed).digest('base64')
}

/** Whether an ed25519 key verifies some `v1a` entry. */
function ed25519Matches (keys: readonly KeyObject[], signed: Signed): boolean {
  const message = signedBytes(SIGNED, signed)
  for (const key of keys) {
    if (key.type === 'secret') continue
    for (const candidate of signed.ed25519) if (verifyEd25519(key, message, candidate)) return true
  }
  return false
}

/** One entry of the signature header: `v1,` for a `whsec_` secret, `v1a,` for an ed25519 secret key `whsk_`. */
function signatureOf (secret: string, id: string, timestamp: number, body: Buffer | string): string {
  if (secret.startsWith('whsk_')) {
    const values = { id, stamp: String(timestamp), body: Buffer.from(body) }
    return `v1a,${signEd25519(secret, signedBytes(SIGNED, values))}`
  }
  return `v1,${signStandard(parseStandardSecret(secret), id, timestamp, body)}`
}
