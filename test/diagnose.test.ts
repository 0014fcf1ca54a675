/** `diagnose` names the other providers a secret belongs to by their title, or by their name when they have none. */
import { createHmac } from 'node:crypto'
import t from 'tap'
import { diagnose } from '../lib/schemes/diagnose.js'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { standardWebhooks } from '../lib/schemes/standard-webhooks.js'
import type { ProviderSpec } from '../lib/core/provider.js'

const plain: ProviderSpec = {
  name: 'plain',
  scheme: hmacHex({ headers: ['x-sig'] }),
  events: {},
  typeOf: () => undefined
}
const untitled: ProviderSpec = {
  name: 'acme',
  scheme: standardWebhooks({ headerPrefixes: ['webhook'] }),
  events: {},
  typeOf: () => undefined
}

t.test('a Standard Webhooks secret given to a hex provider names the provider it looks like', async t => {
  const body = Buffer.from('{}')
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const headers = { 'x-sig': createHmac('sha256', 'another secret').update(body).digest('hex') }
  const result = diagnose({
    provider: plain,
    others: [untitled],
    secrets: [secret],
    headers,
    body,
    now: 0,
    tolerance: 300
  })
  t.equal(result.ok, false)
  t.equal(result.summary, 'no signature matched, and the secret looks like a Standard Webhooks one')
  t.same(result.hints, [
    'no signature matched (1 received, 1 secret tried)',
    'plain signs with a plain string (used as its UTF-8 bytes): is this the secret of a acme endpoint?'
  ])
})

t.test('a URL-signing scheme given no URL says so, and names the URL as a suspect', async t => {
  const { square } = await import('../plugins/square.js')
  const body = Buffer.from('{}')
  const url = 'https://example.com/webhooks/square'
  const signature = createHmac('sha256', 'key').update(url).update(body).digest('base64')
  const input = {
    provider: square.provider,
    others: [],
    secrets: ['key'],
    headers: { 'x-square-hmacsha256-signature': signature },
    body,
    now: 0,
    tolerance: 300
  }
  const result = diagnose(input)
  t.equal(result.ok, false)
  t.match(result.hints, ['no URL to check the signed URL against'])
  t.match(result.hints.at(-1), 'square signs the URL too')
  t.match(diagnose({ ...input, url }), { ok: true })
})
