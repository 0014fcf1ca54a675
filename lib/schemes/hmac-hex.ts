import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import {
  MAX_SIGNATURE_HEADER, headerValue, reject, secretsToSign, verifyAny,
  type Headers, type Rejection, type SignatureScheme, type Verification
} from './scheme.js'

/** HMAC-SHA256 of the raw body, lowercase hex. */
export function signHex (secret: string | Buffer | KeyObject, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

export interface HmacHexOptions {
  /** Header names to read, lowercase, in order of preference; a signature in any of them may match. */
  headers: readonly string[]
  /** Text the header value starts with before the hex, e.g. `sha256=`. */
  prefix?: string | undefined
}

/** A plain secret string, used as its UTF-8 bytes. Whitespace at either end is almost always a copy-paste slip. */
export function parsePlainSecret (secret: string): Buffer {
  if (secret.length === 0) throw new TypeError('must be a non-empty string')
  if (secret.trim() !== secret) throw new TypeError('has whitespace at the start or end')
  return Buffer.from(secret, 'utf8')
}

/**
 * The key the verifier holds: a KeyObject made once per secret (createHmac is much slower given a Buffer on Node 24).
 */
export function plainSecretKey (secret: string): KeyObject {
  return createSecretKey(parsePlainSecret(secret))
}

const OK: Verification<object> = { ok: true, id: undefined, meta: {} }

/**
 * HMAC-SHA256 over the raw body, hex, in one of a few headers: the scheme of most providers that sign without a
 * timestamp.
 */
export function hmacHex (options: HmacHexOptions): SignatureScheme<KeyObject, object> {
  const { headers: names, prefix = '' } = options
  const [primary] = names as [string]

  // The signatures the headers carry, or why they cannot be read: shared by verify and precheck.
  function signatures (headers: Headers): string[] | Rejection {
    const received: string[] = []
    for (const name of names) {
      const value = headerValue(headers, name)
      if (value === undefined) continue
      if (value.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${name} header too long`)
      if (!value.startsWith(prefix)) return reject('malformed-signature', `${name} header lacks the "${prefix}" prefix`)
      received.push(value.slice(prefix.length))
    }
    if (received.length === 0) return reject('missing-signature', `no ${names.join(' or ')} header`)
    return received
  }

  function verify (keys: readonly KeyObject[], headers: Headers, body: Buffer): Verification<object> {
    const received = signatures(headers)
    if (!Array.isArray(received)) return received
    return verifyAny(keys, received, signHex, body, OK)
  }

  function precheck (headers: Headers): Rejection | undefined {
    const received = signatures(headers)
    return Array.isArray(received) ? undefined : received
  }

  const title = 'HMAC-SHA256 hex'

  // One header value holds one signature, so one secret signs.
  function sign (secret: string | readonly string[], body: Buffer | string): Record<string, string> {
    const [only] = secretsToSign(secret, { title })
    return { [primary]: prefix + signHex(parsePlainSecret(only), body) }
  }

  return {
    name: 'hmac-sha256-hex',
    title,
    headers: names,
    secretFormat: 'a plain string (used as its UTF-8 bytes)',
    signsTimestamp: false,
    parseSecret: plainSecretKey,
    // Any string works; 32 random bytes in hex are as strong as the HMAC's key size.
    generateSecret: () => randomBytes(32).toString('hex'),
    // A plain secret has no mark of its own.
    claims: () => false,
    verify,
    precheck,
    sign
  }
}
