import { timingSafeEqual } from 'node:crypto'

/** Scratch space for one digest length, reused by every call: no Buffer is allocated per comparison. */
interface Scratch { received: Buffer, receivedView: Buffer, expected: Buffer }
const scratches = new Map<number, Scratch>()

function scratchFor (length: number): Scratch {
  let scratch = scratches.get(length)
  if (scratch === undefined) {
    // 4 spare bytes: a received string whose UTF-8 runs past `length` then always writes more than `length` bytes.
    const received = Buffer.alloc(length + 4)
    scratch = { received, receivedView: received.subarray(0, length), expected: Buffer.alloc(length) }
    scratches.set(length, scratch)
  }
  return scratch
}

/**
 * Constant-time equality of a received signature and the expected one (an ASCII digest: hex or base64).
 * The length check comes first because `timingSafeEqual` throws on unequal lengths; lengths are not secret
 * (every valid signature of a scheme has the same length). UTF-8, not latin1, so that no non-ASCII character
 * can fold onto an ASCII one. Both are written into scratch buffers kept per digest length (safe to share:
 * this is synchronous), instead of two new Buffers per request.
 */
export function safeEqual (received: string, expected: string): boolean {
  const length = expected.length
  if (received.length !== length) return false
  const scratch = scratchFor(length)
  // Any non-ASCII character makes the UTF-8 longer than the digest: unequal, whatever the bytes.
  if (scratch.received.write(received, 'utf8') !== length) return false
  scratch.expected.write(expected, 'latin1')
  return timingSafeEqual(scratch.receivedView, scratch.expected)
}
