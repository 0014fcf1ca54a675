import t from 'tap'
import { createHmac } from 'node:crypto'
import { hmacHex, parsePlainSecret, signHex } from '../lib/schemes/hmac-hex.js'

const scheme = hmacHex({ headers: ['retab-signature', 'x-retab-signature'] })
const prefixed = hmacHex({ headers: ['x-autosana-signature-256'], prefix: 'sha256=' })
const key = scheme.parseSecret('s3cret') // a KeyObject, made once per secret as the plugin does
const body = Buffer.from('{"a":1}')
const hex = createHmac('sha256', 's3cret').update(body).digest('hex')
const at = { now: 0, tolerance: 300 }

t.test('sign and verify, prefix and alternative header names', async t => {
  t.equal(signHex('s3cret', body), hex)
  t.same(scheme.sign('s3cret', body), { 'retab-signature': hex })
  t.same(prefixed.sign('s3cret', body), { 'x-autosana-signature-256': `sha256=${hex}` })
  t.equal(scheme.verify([key], { 'x-retab-signature': hex }, body, at).ok, true)
  t.equal(
    scheme.verify([key], { 'retab-signature': 'f'.repeat(64), 'x-retab-signature': hex }, body, at).ok,
    true,
    'either header may match'
  )
  t.equal(prefixed.verify([key], { 'x-autosana-signature-256': `sha256=${hex}` }, body, at).ok, true)
})

t.test('sign: one header value holds one signature, so one secret signs', async t => {
  t.same(scheme.sign(['s3cret'], body), { 'retab-signature': hex }, 'a list of one is the secret alone')
  t.equal(scheme.maxSignatures, undefined, 'absent: one')
  t.throws(
    () => scheme.sign(['s3cret', 'next'], body),
    new TypeError('HMAC-SHA256 hex carries one signature per delivery, not 2')
  )
  t.throws(() => scheme.sign([], body), new TypeError('no secret to sign with'))
})

t.test('rejections name their reason', async t => {
  t.match(scheme.verify([key], {}, body, at), {
    reason: 'missing-signature',
    detail: 'no retab-signature or x-retab-signature header'
  })
  t.match(scheme.verify([key], { 'retab-signature': 'a'.repeat(5000) }, body, at), {
    reason: 'malformed-signature',
    detail: /too long/
  })
  t.match(prefixed.verify([key], { 'x-autosana-signature-256': hex }, body, at), {
    reason: 'malformed-signature',
    detail: /sha256=/
  })
  t.match(scheme.verify([key, scheme.parseSecret('other')], { 'retab-signature': hex.toUpperCase() }, body, at), {
    reason: 'invalid-signature',
    detail: 'no signature matched (1 received, 2 secrets tried)'
  })
  t.match(scheme.verify([key], { 'retab-signature': hex.slice(1) }, body, at), { reason: 'invalid-signature' })
})

t.test('plain secrets', async t => {
  t.throws(() => parsePlainSecret(''), /non-empty/)
  t.throws(() => parsePlainSecret(' s3cret\n'), /whitespace/)
  t.same(parsePlainSecret('é'), Buffer.from('é', 'utf8'))
})
