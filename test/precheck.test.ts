/**
 * `precheck` refuses from the headers alone exactly what `verify` refuses from them (same reason, same
 * detail), and lets through whatever only the body can decide.
 */
import { createHmac } from 'node:crypto'
import t, { type Test } from 'tap'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { standardWebhooks } from '../lib/schemes/standard-webhooks.js'
import type { Headers, SignatureScheme } from '../lib/schemes/scheme.js'
import { SW_SECRET, signWith } from './helpers/sign.js'

const body = Buffer.from('{"type":"job.completed"}')
const now = Math.floor(Date.now() / 1000)
const at = { now, tolerance: 300 }

function agree (t: Test, scheme: SignatureScheme<any>, key: unknown, cases: Array<[string, Headers]>): void {
  for (const [name, headers] of cases) {
    const verified = scheme.verify([key], headers, body, at)
    const early = scheme.precheck!(headers, at)
    if (verified.ok || verified.reason === 'invalid-signature') {
      t.equal(early, undefined, `${name}: only the body can tell`)
    } else {
      t.same(early, verified, `${name}: refused early as verify refuses it`)
    }
  }
}

t.test(
  'Standard Webhooks: precheck refuses what verify refuses from the headers, with the same reason and ' + 'detail',
  async t => {
    const scheme = standardWebhooks({ headerPrefixes: ['webhook', 'svix'] })
    const key = scheme.parseSecret(SW_SECRET)
    const good = signWith({ kind: 'standard', prefix: 'webhook' }, body, {
      secret: SW_SECRET,
      id: 'msg_1',
      timestamp: now
    })
    const cases: Array<[string, Headers]> = [
      ['valid', good],
      [
        'body-only failure: a signature that does not match',
        { ...good, 'webhook-signature': 'v1,' + Buffer.alloc(32).toString('base64') }
      ],
      ['no headers', {}],
      ['timestamp missing', { ...good, 'webhook-timestamp': undefined }],
      ['header sent twice', { ...good, 'webhook-signature': [good['webhook-signature']!, good['webhook-signature']!] }],
      ['empty id', { ...good, 'webhook-id': '' }],
      ['signature list too long', { ...good, 'webhook-signature': 'v1,' + 'a'.repeat(5000) }],
      ['non-numeric timestamp', { ...good, 'webhook-timestamp': `${now}abc` }],
      ['stale', signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, timestamp: now - 301 })],
      ['future', signWith({ kind: 'standard', prefix: 'svix' }, body, { secret: SW_SECRET, timestamp: now + 301 })],
      ['no v1 or v1a entry', { ...good, 'webhook-signature': 'v2,abc v3,def' }]
    ]
    agree(t, scheme, key, cases)
    // Which versions count depends on the keys, which a route with many tenants knows only after its lookup.
    const v1aOnly = { ...good, 'webhook-signature': 'v1a,abc v2,def' }
    t.equal(scheme.precheck!(v1aOnly, at), undefined, 'only v1a entries: left to verify, which knows the keys')
    t.same(scheme.verify([key], v1aOnly, body, at), {
      ok: false,
      reason: 'malformed-signature',
      detail: 'webhook-signature has no v1 entry'
    })
    t.match(scheme.precheck!({ ...good, 'webhook-timestamp': String(now - 400) }, at), {
      ok: false,
      reason: 'timestamp-outside-tolerance',
      detail: /^timestamp 40\d s in the past/
    })
  }
)

t.test('HMAC hex: precheck refuses a missing, overlong or unprefixed header, and leaves the rest to ' +
  'verify', async t => {
  const scheme = hmacHex({ headers: ['x-sig', 'x-sig-old'], prefix: 'sha256=' })
  const key = scheme.parseSecret('a-secret')
  const hex = createHmac('sha256', 'a-secret').update(body).digest('hex')
  const cases: Array<[string, Headers]> = [
    ['valid', { 'x-sig': `sha256=${hex}` }],
    ['valid under the second name', { 'x-sig-old': `sha256=${hex}` }],
    ['wrong signature', { 'x-sig': `sha256=${'0'.repeat(64)}` }],
    ['missing', {}],
    ['no prefix', { 'x-sig': hex }],
    ['too long', { 'x-sig': 'sha256=' + 'a'.repeat(5000) }],
    ['sent twice', { 'x-sig': [`sha256=${hex}`, `sha256=${hex}`] }]
  ]
  agree(t, scheme, key, cases)
  t.same(scheme.precheck!({}, at), { ok: false, reason: 'missing-signature', detail: 'no x-sig or x-sig-old header' })
})
