import { createHash, createHmac, hash, type BinaryToTextEncoding } from 'node:crypto'

/**
 * HMAC-SHA256 (RFC 2104) of a small message as two one-shot `crypto.hash` calls over precomputed key pads.
 * Why: in a server under load, `createHmac` costs about 9 µs a call (a tight loop shows 3 µs: its long
 * OpenSSL setup path runs cold there); two one-shot hashes cost about 6.5 µs. Same bytes out: the tests
 * check it against `createHmac`, the spec's vector and the svix and standardwebhooks packages.
 * Large messages go to `createHmac`, which streams: copying them would cost more than its setup.
 */

const BLOCK = 64
/** Largest message hashed one-shot; above it, `createHmac`. */
const ONE_SHOT_MAX = 64 * 1024

interface Pads { inner: Buffer, outer: Buffer }
const padsByKey = new WeakMap<Buffer, Pads>()
/** The inner pad then the message, for one call at a time (hmacSha256 is synchronous). */
const scratch = Buffer.alloc(BLOCK + ONE_SHOT_MAX)

function padsOf (key: Buffer): Pads {
  let pads = padsByKey.get(key)
  if (pads === undefined) {
    const block = Buffer.alloc(BLOCK)
    // A key longer than the block is hashed first (RFC 2104, section 2).
    ;(key.length > BLOCK ? createHash('sha256').update(key).digest() : key).copy(block)
    // The outer pad has room for the inner digest after it.
    pads = { inner: Buffer.alloc(BLOCK), outer: Buffer.alloc(BLOCK + 32) }
    for (let i = 0; i < BLOCK; i++) {
      pads.inner[i] = block[i]! ^ 0x36
      pads.outer[i] = block[i]! ^ 0x5c
    }
    padsByKey.set(key, pads)
  }
  return pads
}

/** HMAC-SHA256 under `key` of `prefix` (as UTF-8, like `hmac.update(string)`; may be empty) then `body`. */
export function hmacSha256 (key: Buffer, prefix: string, body: Buffer, encoding: BinaryToTextEncoding): string {
  // At most 3 UTF-8 bytes per UTF-16 unit: past this bound the message might not fit the scratch space.
  if (prefix.length * 3 + body.length > ONE_SHOT_MAX) return createHmac('sha256', key).update(prefix).update(body).digest(encoding)
  const { inner, outer } = padsOf(key)
  inner.copy(scratch, 0)
  const end = BLOCK + scratch.write(prefix, BLOCK, 'utf8')
  body.copy(scratch, end)
  hash('sha256', scratch.subarray(0, end + body.length), 'buffer').copy(outer, BLOCK)
  return hash('sha256', outer, encoding)
}
