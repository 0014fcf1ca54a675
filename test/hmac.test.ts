import { createHmac, randomBytes } from 'node:crypto'
import t from 'tap'
import { hmacSha256 } from '../lib/hmac.js'

const reference = (key: Buffer, prefix: string, body: Buffer, encoding: 'hex' | 'base64'): string =>
  createHmac('sha256', key).update(prefix).update(body).digest(encoding)

t.test('the same bytes as createHmac, for every key length around the block size and both encodings', async t => {
  for (const keyLength of [1, 24, 32, 63, 64, 65, 100, 200]) {
    const key = randomBytes(keyLength)
    for (const bodyLength of [0, 1, 55, 64, 1024, 70_000]) {
      const body = randomBytes(bodyLength)
      for (const encoding of ['hex', 'base64'] as const) {
        t.equal(hmacSha256(key, 'msg_1.1614265330.', body, encoding), reference(key, 'msg_1.1614265330.', body, encoding), `key ${keyLength}, body ${bodyLength}, ${encoding}`)
      }
    }
  }
})

t.test('the prefix is hashed as UTF-8, like hmac.update(string), and may be empty', async t => {
  const key = randomBytes(32)
  const body = Buffer.from('{"a":1}')
  for (const prefix of ['', 'é✓😀.1.', '\u00e9'.repeat(300) + '.', 'x'.repeat(256) + '.123456789012.']) {
    t.equal(hmacSha256(key, prefix, body, 'base64'), reference(key, prefix, body, 'base64'), JSON.stringify(prefix.slice(0, 12)))
  }
})

t.test('bodies either side of the one-shot limit (64 KiB with the prefix) agree', async t => {
  const key = randomBytes(32)
  for (const length of [65_536 - 60, 65_536 - 45, 65_536, 65_537, 1 << 20]) {
    const body = randomBytes(length)
    t.equal(hmacSha256(key, 'id.1.', body, 'hex'), reference(key, 'id.1.', body, 'hex'), String(length))
  }
})

t.test('calls with different keys interleaved do not leak state into each other', async t => {
  const a = randomBytes(32)
  const b = randomBytes(80)
  const body = randomBytes(2000)
  const first = hmacSha256(a, 'p.', body, 'hex')
  t.equal(hmacSha256(b, 'p.', body, 'hex'), reference(b, 'p.', body, 'hex'))
  t.equal(hmacSha256(a, 'p.', body, 'hex'), first)
  t.equal(hmacSha256(a, 'p.', randomBytes(10), 'hex') === first, false)
  t.equal(hmacSha256(a, 'p.', body, 'hex'), reference(a, 'p.', body, 'hex'))
})
