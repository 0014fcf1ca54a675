/**
 * Standard Webhooks' asymmetric keys and `v1a` signatures: ed25519 (RFC 8032) from node:crypto. The spec
 * serializes keys as base64 with a prefix: `whpk_` for the public key (its 32 raw bytes), `whsk_` for the
 * secret key (its 32-byte seed; the 64-byte seed-and-public-key form of libsodium is read too).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { canonicalBase64 } from './base64.js'

const PUBLIC_PREFIX = 'whpk_'
const SECRET_PREFIX = 'whsk_'
// The DER headers of an ed25519 key (RFC 8410) in front of its raw bytes: how node:crypto imports raw keys.
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex')
/** A `v1a` signature: 64 bytes, so 88 characters of base64. */
const SIGNATURE_LENGTH = 88

function decode (value: string, prefix: string): Buffer {
  if (!value.startsWith(prefix)) throw new TypeError(`must start with "${prefix}"`)
  const bytes = canonicalBase64(value.slice(prefix.length))
  if (bytes === null) throw new TypeError(`must be "${prefix}" followed by base64`)
  return bytes
}

/** `whpk_` + base64 of the 32 bytes of an ed25519 public key. */
export function parseEd25519PublicKey (value: string): KeyObject {
  return ed25519PublicKey(decode(value, PUBLIC_PREFIX))
}

/** An ed25519 public key from its 32 raw bytes. */
export function ed25519PublicKey (raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new TypeError(`must decode to the 32 bytes of an ed25519 public key, not ${raw.length}`)
  return createPublicKey({ key: Buffer.concat([SPKI_HEADER, raw]), format: 'der', type: 'spki' })
}

/** `whsk_` + base64 of the 32-byte seed (or of seed and public key, 64 bytes, whose halves must agree). */
export function parseEd25519SecretKey (value: string): KeyObject {
  return ed25519SecretKey(decode(value, SECRET_PREFIX))
}

/** An ed25519 secret key from its 32-byte seed (or 64 bytes: seed and public key, whose halves must agree). */
export function ed25519SecretKey (raw: Buffer): KeyObject {
  if (raw.length !== 32 && raw.length !== 64) {
    throw new TypeError(`must decode to a 32-byte ed25519 seed (or 64 bytes: seed and public key), not ${raw.length}`)
  }
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_HEADER, raw.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8'
  })
  if (raw.length === 64 && !rawPublicKey(createPublicKey(key)).equals(raw.subarray(32))) {
    throw new TypeError('holds a public key that is not the one of its seed')
  }
  return key
}

function rawPublicKey (key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_HEADER.length)
}

/** A new key pair: the sender signs with `secretKey`, the receiver verifies with `publicKey`. */
export function generateEd25519KeyPair (): { secretKey: string, publicKey: string } {
  const { seed, publicKey } = rawEd25519KeyPair()
  return { secretKey: SECRET_PREFIX + seed.toString('base64'), publicKey: PUBLIC_PREFIX + publicKey.toString('base64') }
}

/** A new key pair as raw bytes: the 32-byte seed and the 32-byte public key. */
export function rawEd25519KeyPair (): { seed: Buffer, publicKey: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    seed: privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_HEADER.length),
    publicKey: rawPublicKey(publicKey)
  }
}

/** The base64 signature (without `v1a,`) of the signed bytes. */
export function signEd25519 (secretKey: string, message: Buffer): string {
  return sign(null, message, parseEd25519SecretKey(secretKey)).toString('base64')
}

/**
 * Whether `signature` (base64, without `v1a,`) is the key's signature of `message`. No secret here: nothing to hide in
 * timing.
 */
export function verifyEd25519 (key: KeyObject, message: Buffer, signature: string): boolean {
  if (signature.length !== SIGNATURE_LENGTH) return false
  const bytes = Buffer.from(signature, 'base64')
  return bytes.length === 64 && verify(null, message, key, bytes)
}
