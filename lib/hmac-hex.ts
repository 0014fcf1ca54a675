import { createHmac, createSecretKey, type KeyObject } from 'node:crypto'
import { safeEqual } from './safe-equal.js'
import {
  MAX_SIGNATURE_HEADER, headerValue, reject,
  type Headers, type SignatureScheme, type Verification
} from './scheme.js'

/** HMAC-SHA256 of the raw body, lowercase hex (Autotab, Autosana, Retab). */
export function signHex (secret: string | Buffer | KeyObject, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

export interface HmacHexOptions {
  /** Header names to read, lowercase, in order of preference; a signature in any of them may match. */
  headers: readonly string[]
  /** Text the header value starts with before the hex (Autosana: `sha256=`). */
  prefix?: string
}

/** A plain secret string, used as its UTF-8 bytes. Whitespace at either end is almost always a copy-paste slip. */
export function parsePlainSecret (secret: string): Buffer {
  if (secret.length === 0) throw new TypeError('must be a non-empty string')
  if (secret.trim() !== secret) throw new TypeError('has whitespace at the start or end')
  return Buffer.from(secret, 'utf8')
}

/**
 * The key the verifier holds: a KeyObject made once per secret. Node 24's createHmac given a Buffer
 * costs about 16 µs a call against 3.4 µs given a KeyObject (bench/optimizations.md).
 */
export function plainSecretKey (secret: string): KeyObject {
  return createSecretKey(parsePlainSecret(secret))
}

export function hmacHex (options: HmacHexOptions): SignatureScheme<KeyObject, object> {
  const { headers: names, prefix = '' } = options
  const [primary] = names as [string]

  function verify (keys: readonly KeyObject[], headers: Headers, body: Buffer): Verification<object> {
    const received: string[] = []
    for (const name of names) {
      const value = headerValue(headers, name)
      if (value === undefined) continue
      if (value.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${name} header too long`)
      if (!value.startsWith(prefix)) return reject('malformed-signature', `${name} header lacks the "${prefix}" prefix`)
      received.push(value.slice(prefix.length))
    }
    if (received.length === 0) return reject('missing-signature', `no ${names.join(' or ')} header`)
    for (const key of keys) {
      const expected = signHex(key, body)
      for (const signature of received) {
        if (safeEqual(signature, expected)) return { ok: true, id: undefined, meta: {} }
      }
    }
    return reject('invalid-signature',
      `no signature matched (${received.length} received, ${keys.length} secret${keys.length === 1 ? '' : 's'} tried)`)
  }

  return {
    name: 'hmac-sha256-hex',
    parseSecret: plainSecretKey,
    verify,
    sign: (secret, body) => ({ [primary]: prefix + signHex(parsePlainSecret(secret), body) })
  }
}
