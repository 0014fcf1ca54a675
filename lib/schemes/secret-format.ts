/**
 * How a shared secret becomes an HMAC key: its UTF-8 bytes (prefix and all, as Stripe's `whsec_…` is used), or the
 * canonical base64 after a prefix (Standard Webhooks' `whsec_`). A declared prefix is required, and tells the CLI
 * which mistakes a sender could have made with it.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto'
import { canonicalBase64 } from './base64.js'
import { parsePlainSecret } from './plain-secret.js'
import type { MistakenKey } from './scheme.js'
import type { SecretFormat } from './shape.js'

export interface SecretReader {
  /** For messages: `a plain string (used as its UTF-8 bytes)`. */
  readonly description: string
  /** The key bytes; throws a TypeError that says what is wrong, never the secret. */
  bytes (secret: string): Buffer
  /** The verifier's key, made once per secret (createHmac is much slower given a Buffer on Node 24). */
  key (secret: string): KeyObject
  generate (): string
  claims (secret: string): boolean
  mistakenKeys (secret: string): Array<MistakenKey<KeyObject>>
}

export function secretReader (format: SecretFormat = {}): SecretReader {
  const { encoding = 'utf8', prefix = '', minBytes = 1, maxBytes = Infinity } = format
  if (encoding !== 'utf8' && encoding !== 'base64') throw new TypeError('secret.encoding must be "utf8" or "base64"')
  if (typeof prefix !== 'string') throw new TypeError('secret.prefix must be a string')

  function bytes (secret: string): Buffer {
    if (!secret.startsWith(prefix)) throw new TypeError(`must start with "${prefix}"`)
    if (encoding === 'utf8') return parsePlainSecret(secret)
    const key = canonicalBase64(secret.slice(prefix.length))
    if (key === null) throw new TypeError(`must be ${prefix === '' ? '' : `"${prefix}" followed by `}base64`)
    if (key.length < minBytes || key.length > maxBytes) {
      throw new TypeError(`must decode to ${minBytes} to ${maxBytes} bytes, not ${key.length}`)
    }
    return key
  }

  const after = prefix === '' ? '' : `"${prefix}" followed by `
  return {
    description: encoding === 'base64'
      ? `${after}base64`
      : prefix === ''
        ? 'a plain string (used as its UTF-8 bytes)'
        : `${after}text (the whole string used as its UTF-8 bytes)`,
    bytes,
    key: secret => createSecretKey(bytes(secret)),
    // 32 random bytes: as strong as an HMAC-SHA256 key can be (and within any bounds up to 64).
    generate: () => prefix + (encoding === 'utf8'
      ? randomBytes(32).toString('hex')
      : randomBytes(Math.min(Math.max(32, minBytes), maxBytes)).toString('base64')),
    claims: secret => prefix !== '' && secret.startsWith(prefix),
    mistakenKeys (secret) {
      if (prefix === '') return []
      const rest = secret.slice(prefix.length)
      if (encoding === 'base64') {
        return [{
          key: createSecretKey(Buffer.from(secret, 'utf8')),
          summary: `the sender used the secret string itself as the key, not the base64 bytes after ${prefix}`,
          hint: 'the sender does not decode the secret as the scheme says; fix the sender, not the receiver'
        }]
      }
      return rest.length === 0
        ? []
        : [{
            key: createSecretKey(Buffer.from(rest, 'utf8')),
            summary: `the sender used the secret without its "${prefix}" prefix as the key`,
            hint: `the whole secret, "${prefix}" included, is the key`
          }]
    }
  }
}
