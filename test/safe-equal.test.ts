import t from 'tap'
import { safeEqual } from '../lib/schemes/safe-equal.js'
import { signHex } from '../lib/schemes/hmac-hex.js'

const digest = signHex('secret', 'body')

t.test('equal digests match, and the comparison can be repeated (scratch space is reused)', async t => {
  t.equal(safeEqual(digest, digest), true)
  t.equal(safeEqual(String(digest), digest), true)
  t.equal(safeEqual(signHex('secret', 'other'), digest), false)
  t.equal(safeEqual(digest, digest), true)
})

t.test('a different length never matches', async t => {
  t.equal(safeEqual(digest.slice(1), digest), false)
  t.equal(safeEqual(digest + '0', digest), false)
  t.equal(safeEqual('', digest), false)
})

t.test('one differing character anywhere fails', async t => {
  for (const at of [0, 31, 63]) {
    const flipped = digest.slice(0, at) + (digest[at] === 'a' ? 'b' : 'a') + digest.slice(at + 1)
    t.equal(safeEqual(flipped, digest), false, `at ${at}`)
  }
})

t.test('no non-ASCII character folds onto an ASCII one (compared as UTF-8, not latin1)', async t => {
  // U+0161 is 0x61 ("a") in latin1's low byte; as UTF-8 it is two bytes, so the lengths differ.
  const withA = 'a' + digest.slice(1)
  t.equal(safeEqual(withA, withA), true)
  t.equal(safeEqual('\u0161' + digest.slice(1), withA), false)
  t.equal(safeEqual(digest.slice(0, 63) + '\u{1F600}'.slice(0, 1), digest), false)
  t.equal(safeEqual('é'.repeat(32), 'a'.repeat(64)), false)
})

t.test('digests of other lengths (base64) work beside hex ones', async t => {
  const base64 = Buffer.from(digest, 'hex').toString('base64')
  t.equal(safeEqual(base64, base64), true)
  t.equal(safeEqual(base64, digest), false)
  t.equal(safeEqual(digest, digest), true)
})
