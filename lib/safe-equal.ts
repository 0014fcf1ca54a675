import { timingSafeEqual } from 'node:crypto'

/**
 * Constant-time equality of a received signature and the expected one.
 * The length check comes first because `timingSafeEqual` throws on unequal
 * lengths; lengths are not secret (every valid signature of a scheme has the
 * same length). UTF-8, not latin1, so that no non-ASCII character can fold
 * onto an ASCII one.
 */
export function safeEqual (received: string, expected: Buffer): boolean {
  const bytes = Buffer.from(received, 'utf8')
  return bytes.length === expected.length && timingSafeEqual(bytes, expected)
}
