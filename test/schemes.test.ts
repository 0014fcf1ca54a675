/**
 * The scheme blocks against independent signers: the senders' own SDKs (Stripe, Octokit, Twilio, SendGrid) and
 * node:crypto following each provider's documentation; published vectors where there are; and hostile headers, each
 * a coded refusal, never a throw.
 */
import { createHmac, generateKeyPairSync, sign as signWith } from 'node:crypto'
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { EventWebhook } from '@sendgrid/eventwebhook'
import Stripe from 'stripe'
import t from 'tap'
import twilio from 'twilio'
import { ecdsa, ed25519, hmac, sharedToken } from '../lib/schemes/index.js'
import { portForms } from '../lib/schemes/url-variants.js'

const NOW = 1_700_000_000
const at = { now: NOW, tolerance: 300 }
const body = Buffer.from('{"id":"evt_1","type":"thing.happened"}')

const stripe = hmac({
  name: 'stripe',
  signed: '{timestamp}.{body}',
  signature: { header: 'stripe-signature', entries: { separator: ',', assign: '=', signature: 'v1' } },
  timestamp: { entry: 't' },
  secret: { prefix: 'whsec_' }
})

t.test('Stripe: the SDK accepts what sign makes, and we accept what the SDK makes', async t => {
  const secret = 'whsec_test_secret'
  const now = Math.floor(Date.now() / 1000)
  const ours = stripe.sign(secret, body)
  t.equal(Stripe.webhooks.constructEvent(body, ours['stripe-signature']!, secret).id, 'evt_1')
  const theirs = Stripe.webhooks.generateTestHeaderString({ payload: body.toString(), secret, timestamp: NOW })
  t.match(stripe.verify([stripe.parseSecret(secret)], { 'stripe-signature': theirs }, body, at),
    { ok: true, meta: { timestamp: NOW } })
  t.match(stripe.verify([stripe.parseSecret('whsec_other')], { 'stripe-signature': theirs }, body, at),
    { reason: 'invalid-signature' })
  t.ok(now > 0)
  t.throws(() => stripe.parseSecret('test_secret'), /must start with "whsec_"/)
  t.equal(stripe.claims('whsec_x'), true)
  t.same(stripe.mistakenKeys!('whsec_abc').length, 1)
})

t.test('Stripe-like lists: hostile headers are coded refusals', async t => {
  const key = [stripe.parseSecret('whsec_k')]
  const sig = createHmac('sha256', 'whsec_k').update(`${NOW}.`).update(body).digest('hex')
  const cases: Array<[string, unknown, string]> = [
    ['absent', undefined, 'missing-signature'],
    ['repeated (an array)', [`t=${NOW},v1=${sig}`, `t=${NOW},v1=${sig}`], 'missing-signature'],
    ['too long', `t=${NOW},` + 'v1=ab,'.repeat(1000), 'malformed-signature'],
    ['two timestamps', `t=${NOW},t=${NOW},v1=${sig}`, 'malformed-signature'],
    ['no timestamp', `v1=${sig}`, 'malformed-signature'],
    ['no v1', `t=${NOW},v0=${sig}`, 'malformed-signature'],
    ['timestamp not digits', `t=${NOW}x,v1=${sig}`, 'malformed-signature'],
    ['stale', `t=${NOW - 301},v1=${sig}`, 'timestamp-outside-tolerance'],
    ['future', `t=${NOW + 301},v1=${sig}`, 'timestamp-outside-tolerance'],
    ['uppercase hex', `t=${NOW},v1=${sig.toUpperCase()}`, 'invalid-signature'],
    ['non-ASCII', `t=${NOW},v1=${'é'.repeat(64)}`, 'invalid-signature'],
    ['empty', '', 'malformed-signature']
  ]
  for (const [name, value, reason] of cases) {
    const headers = value === undefined ? {} : { 'stripe-signature': value as string }
    t.match(stripe.verify(key, headers, body, at), { ok: false, reason }, name)
  }
  t.match(stripe.verify(key, { 'stripe-signature': `t=${NOW},v1=00,v1=${sig}` }, body, at), { ok: true }, 'rotation')
  const many = `t=${NOW},` + Array.from({ length: 16 }, () => 'v1=00').join(',') + `,v1=${sig}`
  t.match(stripe.verify(key, { 'stripe-signature': many }, body, at), { reason: 'invalid-signature' }, '16 looked at')
})

t.test('GitHub: the documented vector, and Octokit agrees', async t => {
  const github = hmac({ signature: { header: 'x-hub-signature-256', prefix: 'sha256=' } })
  const secret = "It's a Secret to Everybody"
  const headers = { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' }
  t.match(github.verify([github.parseSecret(secret)], headers, Buffer.from('Hello, World!'), at), { ok: true })
  const ours = github.sign(secret, body)['x-hub-signature-256']!
  t.equal(await octokitVerify(secret, body.toString(), ours), true)
  t.match(github.verify([github.parseSecret(secret)], { 'x-hub-signature-256': 'sha1=00' }, body, at),
    { reason: 'malformed-signature' })
})

t.test('Slack: v0:{timestamp}:{body} with its own timestamp header', async t => {
  const slack = hmac({
    signed: 'v0:{timestamp}:{body}',
    signature: { header: 'x-slack-signature', prefix: 'v0=' },
    timestamp: { header: 'X-Slack-Request-Timestamp' }
  })
  const sig = createHmac('sha256', 'slack-secret').update(`v0:${NOW}:`).update(body).digest('hex')
  const headers = { 'x-slack-signature': `v0=${sig}`, 'x-slack-request-timestamp': String(NOW) }
  t.match(slack.verify([slack.parseSecret('slack-secret')], headers, body, at), { ok: true, meta: { timestamp: NOW } })
  t.match(slack.precheck!({ 'x-slack-signature': `v0=${sig}` }, at), { reason: 'missing-signature' })
  t.same(slack.headers, ['x-slack-signature', 'x-slack-request-timestamp'])
  t.equal(slack.signsTimestamp, true)
})

t.test('Shopify and Square: base64, no prefix; Square signs the URL then the body', async t => {
  const shopify = hmac({ encoding: 'base64', signature: { header: 'x-shopify-hmac-sha256' } })
  const headers = { 'x-shopify-hmac-sha256': createHmac('sha256', 'shp').update(body).digest('base64') }
  t.match(shopify.verify([shopify.parseSecret('shp')], headers, body, at), { ok: true })
  const square = hmac({
    encoding: 'base64', signed: '{url}{body}', signature: { header: 'x-square-hmacsha256-signature' }
  })
  const url = 'https://example.com/webhooks/square'
  const sig = createHmac('sha256', 'sq').update(url).update(body).digest('base64')
  const signed = { 'x-square-hmacsha256-signature': sig }
  t.match(square.verify([square.parseSecret('sq')], signed, body, { ...at, url }), { ok: true })
  t.match(square.verify([square.parseSecret('sq')], signed, body, { ...at, url: url + '/' }),
    { reason: 'invalid-signature' })
  t.match(square.verify([square.parseSecret('sq')], signed, body, at), { reason: 'invalid-signature' }, 'no URL')
  t.equal(square.signsUrl, true)
  t.throws(() => square.sign('sq', body), /give sign\(\) a url/)
  const titled = hmac({ title: 'Acme', signed: '{url}{body}', signature: { header: 'x-sig' } })
  t.throws(() => titled.sign('s', body), /^Acme signs the URL/, 'messages name the scheme by its own title')
})

t.test('Twilio: {url}{form} agrees with the SDK, repeated fields included', async t => {
  const scheme = hmac({
    digest: 'sha1', encoding: 'base64', signed: '{url}{form}', signature: { header: 'x-twilio-signature' }
  })
  const token = 'twilio-auth-token'
  const url = 'https://example.com/webhooks/twilio?x=1'
  const form = new URLSearchParams([
    ['To', '+1555'], ['Body', 'hé'], ['MediaUrl', 'b'], ['MediaUrl', 'a'], ['From', '+1666']
  ])
  const bytes = Buffer.from(form.toString())
  const params: Record<string, string | string[]> = { To: '+1555', Body: 'hé', MediaUrl: ['b', 'a'], From: '+1666' }
  const expected = twilio.getExpectedTwilioSignature(token, url, params)
  t.match(scheme.verify([scheme.parseSecret(token)], { 'x-twilio-signature': expected }, bytes, { ...at, url }),
    { ok: true })
  t.ok(twilio.validateRequest(token, scheme.sign(token, bytes, { url })['x-twilio-signature']!, url, params))
  const notUtf8 = Buffer.from([0xff])
  t.match(scheme.verify([scheme.parseSecret(token)], { 'x-twilio-signature': expected }, notUtf8, { ...at, url }),
    { reason: 'invalid-signature' }, 'not UTF-8')
})

t.test('urlPort either: the URL with or without its port, as twilio.validateRequest takes it', async t => {
  const scheme = hmac({
    digest: 'sha1',
    encoding: 'base64',
    signed: '{url}{form}',
    signature: { header: 'x-twilio-signature' },
    urlPort: 'either'
  })
  const exact = hmac({ digest: 'sha1', encoding: 'base64', signed: '{url}{form}', signature: { header: 'x-sig' } })
  const token = 'twilio-auth-token'
  const bytes = Buffer.from('To=%2B1555&Body=hi')
  const params = { To: '+1555', Body: 'hi' }
  const urls = [
    'https://example.com/sms?x=1', 'https://example.com:443/sms?x=1', 'https://example.com:8443/sms?x=1',
    'http://example.com/sms', 'http://example.com:80/sms', 'http://example.com:443/sms', 'https://u:p@example.com/sms',
    'https://u:p@example.com:443/sms', 'https://[::1]/sms', 'https://[::1]:443/sms'
  ]
  for (const signed of urls) {
    const signature = twilio.getExpectedTwilioSignature(token, signed, params)
    for (const received of urls) {
      const sdk = twilio.validateRequest(token, signature, received, params)
      const ours = scheme.verify([scheme.parseSecret(token)], { 'x-twilio-signature': signature }, bytes,
        { ...at, url: received }).ok
      t.equal(ours, sdk, `signed over ${signed}, received at ${received}`)
    }
  }
  const signature = twilio.getExpectedTwilioSignature(token, 'https://example.com:443/sms', params)
  t.match(exact.verify([exact.parseSecret(token)], { 'x-sig': signature }, bytes, { ...at, url: 'https://example.com/sms' }),
    { reason: 'invalid-signature' }, 'exact, the default: the port is part of the URL')
  t.throws(() => hmac({ signed: '{url}{body}', signature: { header: 'x' }, urlPort: 'any' as never }), /"exact" or "either"/)
  t.throws(() => hmac({ signature: { header: 'x' }, urlPort: 'either' }), /must have \{url\}/)
  t.same(portForms('ftp://example.com/a'), ['ftp://example.com/a'], 'no default port to add')
  t.same(portForms('not a url'), ['not a url'])
})

t.test('Paddle and Twitch: ts=;h1= lists, and RFC 3339 with an id', async t => {
  const paddle = hmac({
    signed: '{timestamp}:{body}',
    signature: { header: 'paddle-signature', entries: { separator: ';', assign: '=', signature: 'h1' } },
    timestamp: { entry: 'ts' },
    secret: { prefix: 'pdl_ntfset_' }
  })
  const secret = 'pdl_ntfset_01abc'
  const h1 = createHmac('sha256', secret).update(`${NOW}:`).update(body).digest('hex')
  t.match(paddle.verify([paddle.parseSecret(secret)], { 'paddle-signature': `ts=${NOW};h1=${h1}` }, body, at),
    { ok: true })

  const twitch = hmac({
    signed: '{id}{timestamp}{body}',
    signature: { header: 'twitch-eventsub-message-signature', prefix: 'sha256=' },
    id: { header: 'twitch-eventsub-message-id' },
    timestamp: { header: 'twitch-eventsub-message-timestamp', format: 'rfc3339' },
    tolerance: 600
  })
  const stamp = new Date(NOW * 1000).toISOString().replace('.000Z', '.634234626Z')
  const sig = createHmac('sha256', 'tw').update(`msg-1${stamp}`).update(body).digest('hex')
  const headers = {
    'twitch-eventsub-message-signature': `sha256=${sig}`,
    'twitch-eventsub-message-id': 'msg-1',
    'twitch-eventsub-message-timestamp': stamp
  }
  t.match(twitch.verify([twitch.parseSecret('tw')], headers, body, at),
    { ok: true, id: 'msg-1', meta: { timestamp: NOW } })
  t.equal(twitch.tolerance, 600)
  const bads = [
    '2023-02-30T00:00:00Z', '2023-11-14T24:00:00Z', '2023-11-14T22:13:20', '1700000000', '2023-11-14T22:13:20+25:00'
  ]
  for (const bad of bads) {
    const stamped = { ...headers, 'twitch-eventsub-message-timestamp': bad }
    t.match(twitch.verify([twitch.parseSecret('tw')], stamped, body, at),
      { reason: 'malformed-signature' }, bad)
  }
  const offset = '2023-11-15T00:13:20+02:00'
  const offsetSig = createHmac('sha256', 'tw').update(`msg-1${offset}`).update(body).digest('hex')
  t.match(twitch.verify([twitch.parseSecret('tw')], {
    ...headers, 'twitch-eventsub-message-timestamp': offset, 'twitch-eventsub-message-signature': `sha256=${offsetSig}`
  }, body, at), { ok: true, meta: { timestamp: NOW } }, 'an offset')
  const longId = { ...headers, 'twitch-eventsub-message-id': 'x'.repeat(257) }
  t.match(twitch.verify([twitch.parseSecret('tw')], longId, body, at),
    { reason: 'malformed-signature' })
  const signed = twitch.sign('tw', body, { timestamp: NOW, id: 'm' })
  t.match(twitch.verify([twitch.parseSecret('tw')], signed, body, at), { ok: true, id: 'm' })
})

t.test('milliseconds, and a timestamp signed but not bounded', async t => {
  const ms = hmac({
    signed: '{timestamp}{body}',
    signature: { header: 'x-sig' },
    timestamp: { header: 'x-ts', format: 'milliseconds', window: false }
  })
  const old = String((NOW - 86_400) * 1000)
  const sig = createHmac('sha256', 's').update(old).update(body).digest('hex')
  t.match(ms.verify([ms.parseSecret('s')], { 'x-sig': sig, 'x-ts': old }, body, at),
    { ok: true, meta: { timestamp: NOW - 86_400 } })
  t.equal(ms.signsTimestamp, false)
})

t.test('a timestamp that is a field of the body: read after the signature, refused as a header\'s is', async t => {
  // Linear's shape: the body's `webhookTimestamp`, in milliseconds.
  const scheme = hmac({ signature: { header: 'x-sig' }, timestamp: { field: 'sentAt', format: 'milliseconds' } })
  const keys = [scheme.parseSecret('secret')]
  const signs = (text: string) => ({ 'x-sig': createHmac('sha256', 'secret').update(text).digest('hex') })
  const check = (text: string, context = at) => scheme.verify(keys, signs(text), Buffer.from(text), context)
  t.match(check(`{"sentAt":${NOW * 1000 + 999}}`), { ok: true, meta: { timestamp: NOW } }, 'whole seconds')
  t.same(scheme.headers, ['x-sig'], 'no timestamp header')
  t.ok(scheme.signsTimestamp)
  const refusals: Array<[string, string, string, RegExp]> = [
    ['expired', `{"sentAt":${(NOW - 301) * 1000}}`, 'timestamp-outside-tolerance', /301 s in the past/],
    ['future', `{"sentAt":${(NOW + 301) * 1000}}`, 'timestamp-outside-tolerance', /301 s in the future/],
    ['absent', '{"other":1}', 'missing-signature', /the body has no sentAt field/],
    ['null', '{"sentAt":null}', 'missing-signature', /no sentAt/],
    ['an array body', '[1]', 'missing-signature', /no sentAt/],
    ['a string', `{"sentAt":"${NOW * 1000}"}`, 'malformed-signature', /the body's sentAt is not integer milliseconds/],
    ['a fraction', `{"sentAt":${NOW * 1000}.5}`, 'malformed-signature', /integer milliseconds/],
    ['an exponent too large', '{"sentAt":1e300}', 'malformed-signature', /integer milliseconds/],
    ['true', '{"sentAt":true}', 'malformed-signature', /integer milliseconds/]
  ]
  for (const [what, text, reason, detail] of refusals) t.match(check(text), { ok: false, reason, detail }, what)
  t.match(scheme.verify(keys, { 'x-sig': 'ab' }, Buffer.from('{"sentAt":null}'), at), { reason: 'invalid-signature' },
    'the signature is checked first')
  t.same(check('{"sentAt":'), { ok: true, id: undefined, meta: {} },
    'not JSON: no timestamp to read, and the route refuses it as not JSON before any event is made')
  t.equal(scheme.precheck!(signs('{}'), at), undefined, 'precheck cannot tell: the timestamp is in the body')
  t.same(scheme.stamp!({ a: 1 }, NOW), { a: 1, sentAt: NOW * 1000 }, 'stamp writes the field')

  const seconds = hmac({ signature: { header: 'x-sig' }, timestamp: { field: 't', window: false } })
  t.match(seconds.verify(keys, signs('{"t":5}'), Buffer.from('{"t":5}'), at), { ok: true, meta: { timestamp: 5 } },
    'seconds, not bounded')
  t.same(seconds.stamp!({}, NOW), { t: NOW })
  const iso = hmac({ signature: { header: 'x-sig' }, timestamp: { field: 'at', format: 'rfc3339' } })
  const date = `{"at":"${new Date(NOW * 1000).toISOString()}"}`
  t.match(iso.verify(keys, signs(date), Buffer.from(date), at), { ok: true, meta: { timestamp: NOW } }, 'RFC 3339')
  t.match(iso.verify(keys, signs('{"at":1}'), Buffer.from('{"at":1}'), at), { reason: 'malformed-signature' })
  t.same(iso.stamp!({}, NOW), { at: new Date(NOW * 1000).toISOString() })

  const signature = { header: 'x-sig' }
  t.throws(() => hmac({ signature, signed: '{timestamp}{body}', timestamp: { field: 'a' } }), /and no \{timestamp\}/)
  t.throws(() => hmac({ signature, signed: '{url}', timestamp: { field: 'a' } }), /must have \{body\}/)
  t.throws(() => hmac({ signature, timestamp: { field: 'a', header: 'x-ts' } }), /"field" \(of the body\)/)
  t.throws(() => hmac({ signature, timestamp: { field: '' } }), /the name of a field/)
  t.equal(hmac({ signature }).stamp, undefined, 'nothing to stamp without one')
})

t.test('ed25519: RFC 8032 vector 1, Discord shape, and garbage signatures', async t => {
  const vector = ed25519({ signature: { header: 'x-sig' } })
  const headers = {
    'x-sig': 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd' +
      '25bf5f0595bbe24655141438e7a100b'
  }
  const key = vector.parseSecret('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')
  t.match(vector.verify([key], headers, Buffer.alloc(0), at), { ok: true })
  t.same(vector.sign('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', Buffer.alloc(0)), headers)

  const discord = ed25519({
    signed: '{timestamp}{body}',
    signature: { header: 'x-signature-ed25519' },
    timestamp: { header: 'x-signature-timestamp' }
  })
  const pair = discord.generateKeyPair!()
  const signed = discord.sign(pair.secretKey, body, { timestamp: NOW })
  const keys = [discord.parseSecret(pair.publicKey)]
  t.match(discord.verify(keys, signed, body, at), { ok: true })
  for (const garbage of ['zz', 'AB'.repeat(64), '00'.repeat(64), '0'.repeat(5000)]) {
    t.match(discord.verify(keys, { ...signed, 'x-signature-ed25519': garbage }, body, at), { ok: false },
      garbage.slice(0, 8))
  }
  t.throws(() => discord.parseSecret('not hex'), /must be hex/)
  t.throws(() => discord.parseSecret('00'), /32 bytes/)
  t.ok(discord.parseSecret(discord.generateSecret()))
})

t.test('ECDSA P-256: SendGrid\'s library agrees both ways; malformed DER is refused, not thrown', async t => {
  const sendgrid = ecdsa({
    signed: '{timestamp}{body}',
    signature: { header: 'x-twilio-email-event-webhook-signature' },
    timestamp: { header: 'x-twilio-email-event-webhook-timestamp' }
  })
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicB64 = publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
  const theirs = signWith('sha256', Buffer.concat([Buffer.from(String(NOW)), body]), privateKey).toString('base64')
  const headers = {
    'x-twilio-email-event-webhook-signature': theirs,
    'x-twilio-email-event-webhook-timestamp': String(NOW)
  }
  t.match(sendgrid.verify([sendgrid.parseSecret(publicB64)], headers, body, at), { ok: true })
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString()
  t.match(sendgrid.verify([sendgrid.parseSecret(pem)], headers, body, at), { ok: true }, 'PEM too')

  const pair = sendgrid.generateKeyPair!()
  const ours = sendgrid.sign(pair.secretKey, body, { timestamp: NOW })
  const ew = new EventWebhook()
  const key = ew.convertPublicKeyToECDSA(pair.publicKey)
  t.ok(ew.verifySignature(key, body.toString(), ours['x-twilio-email-event-webhook-signature']!, String(NOW)))
  for (const garbage of ['MEQCIA==', 'AAAA', 'not base64!']) {
    const forged = { ...headers, 'x-twilio-email-event-webhook-signature': garbage }
    t.match(sendgrid.verify([sendgrid.parseSecret(publicB64)], forged, body, at),
      { reason: 'invalid-signature' }, garbage)
  }
  t.throws(() => sendgrid.parseSecret(generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64')), /P-256/)
  t.throws(() => sendgrid.sign(pair.publicKey, body), /private key/)
})

t.test('shared token: equal or not, whatever the length', async t => {
  const gitlab = sharedToken({ header: 'X-Gitlab-Token' })
  const keys = [gitlab.parseSecret('old'), gitlab.parseSecret('tok-é')]
  t.match(gitlab.verify(keys, gitlab.sign('tok-é', body), body, at), { ok: true })
  t.match(gitlab.verify(keys, { 'x-gitlab-token': 'tok' }, body, at), { reason: 'invalid-signature' })
  t.match(gitlab.verify(keys, {}, body, at), { reason: 'missing-signature' })
  t.match(gitlab.precheck!({ 'x-gitlab-token': 'x'.repeat(5000) }, at), { reason: 'malformed-signature' })
  t.equal(gitlab.precheck!({ 'x-gitlab-token': 'x' }, at), undefined)
})

t.test('a shape that cannot work throws when it is made', async t => {
  const signature = { header: 'x-sig' }
  t.throws(() => hmac({ signature, signed: '{nope}' }), /unknown part \{nope\}/)
  t.throws(() => hmac({ signature, signed: '{body' }), /brace/)
  t.throws(() => hmac({ signature, signed: '{timestamp}{body}' }), /"timestamp" option/)
  t.throws(() => hmac({ signature, timestamp: { header: 'x-ts' } }), /must have \{timestamp\}/)
  t.throws(() => hmac({ signature, signed: '{id}{body}' }), /"id" option/)
  t.throws(() => hmac({ signature, id: { header: 'x-id' } }), /must have \{id\}/)
  t.throws(() => hmac({ signature, signed: '{timestamp}{body}', timestamp: { entry: 't' } }), /needs signature.entries/)
  t.throws(() => hmac({ signature, signed: '{timestamp}{body}', timestamp: {} }), /one of "header"/)
  t.throws(() => hmac({ signature, digest: 'md5' as 'sha1' }), /digest/)
  t.throws(() => hmac({ signature, tolerance: -1 }), /tolerance/)
  t.throws(() => hmac({ signature: { header: [] } }), /at least one/)
  const b64 = hmac({ signature, secret: { encoding: 'base64', prefix: 'key_', minBytes: 24 } })
  t.throws(() => b64.parseSecret('key_abc!'), /followed by base64/)
  t.throws(() => b64.parseSecret('key_' + Buffer.alloc(8).toString('base64')), /24 to Infinity bytes, not 8/)
  t.ok(b64.parseSecret(b64.generateSecret()))
  t.match(b64.mistakenKeys!('key_' + Buffer.alloc(24).toString('base64')), [{ summary: /secret string itself/ }])
})

t.test('options a block cannot use throw when it is made', async t => {
  const signature = { header: 'x-sig' }
  t.throws(() => hmac(undefined as never), /needs its options/)
  t.throws(() => hmac({ signature, encoding: 'base32' as 'hex' }), /option "encoding"/)
  t.throws(() => hmac({ signature, secret: { encoding: 'latin1' as 'utf8' } }), /secret.encoding/)
  t.throws(() => hmac({ signature, secret: { prefix: 1 as unknown as string } }), /secret.prefix/)
  t.throws(() => hmac({ signature, signed: '' }), /signed content is empty/)
  t.throws(() => hmac({ signature: { header: 'x-sig', entries: { separator: '', assign: '=', signature: 'v1' } } }),
    /signature.entries.separator must be a non-empty string/)
  t.throws(() => hmac({ signature: { header: '' } }), /header name/)
  t.throws(() => hmac({
    signature,
    signed: '{timestamp}{body}',
    timestamp: { header: 'x-ts', format: 'iso' as 'seconds' }
  }), /timestamp.format/)
})

t.test('secrets: base64 without a prefix, its mistakes, and a prefix with nothing after it', async t => {
  const signature = { header: 'x-sig' }
  const bare = hmac({ signature, secret: { encoding: 'base64', maxBytes: 16 } })
  t.throws(() => bare.parseSecret('not base64!'), { name: 'TypeError', message: 'must be base64' })
  t.throws(() => bare.parseSecret(Buffer.alloc(17).toString('base64')), /1 to 16 bytes, not 17/)
  t.equal(Buffer.from(bare.generateSecret(), 'base64').length, 16)
  t.equal(bare.mistakenKeys, undefined)
  t.equal(bare.claims(Buffer.alloc(16).toString('base64')), false)

  const prefixed = hmac({ signature, secret: { prefix: 'sk_' } })
  t.same(prefixed.mistakenKeys!('sk_'), [])
  const [mistake] = prefixed.mistakenKeys!('sk_abc')
  const headers = { 'x-sig': createHmac('sha256', 'abc').update(body).digest('hex') }
  t.match(prefixed.verify([mistake!.key], headers, body, at), { ok: true }, 'the key without the prefix')
  t.match(prefixed.verify([prefixed.parseSecret('sk_abc')], headers, body, at), { reason: 'invalid-signature' })
  t.match(prefixed.generateSecret(), /^sk_[0-9a-f]{64}$/)

  const gitlab = sharedToken({ header: 'x-gitlab-token', prefix: 'glpat-' })
  t.throws(() => gitlab.parseSecret('abc'), /must start with "glpat-"/)
  t.equal(gitlab.claims('glpat-x'), true)
})

t.test('timestamps: milliseconds refused when not digits, signed as sent; RFC 3339 years before 100', async t => {
  const ms = hmac({
    signed: '{timestamp}{body}', signature: { header: 'x-sig' }, timestamp: { header: 'x-ts', format: 'milliseconds' }
  })
  const signed = ms.sign('s', body, { timestamp: NOW })
  t.equal(signed['x-ts'], `${NOW}000`)
  t.match(ms.verify([ms.parseSecret('s')], signed, body, at), { ok: true, meta: { timestamp: NOW } })
  t.match(ms.verify([ms.parseSecret('s')], { ...signed, 'x-ts': '1.7e12' }, body, at),
    { reason: 'malformed-signature', detail: /x-ts is not integer milliseconds/ })
  t.match(ms.verify([ms.parseSecret('s')], { ...signed, 'x-ts': '1'.repeat(65) }, body, at),
    { reason: 'malformed-signature' }, 'longer than any timestamp')

  const rfc = hmac({
    signed: '{timestamp}{body}',
    signature: { header: 'x-sig' },
    timestamp: { header: 'x-ts', format: 'rfc3339', window: false }
  })
  const key = [rfc.parseSecret('s')]
  const stamped = (stamp: string) => ({
    'x-ts': stamp,
    'x-sig': createHmac('sha256', 's').update(stamp).update(body).digest('hex')
  })
  // Year 50 of the common era, not 1950 (what Date.UTC makes of year 50).
  t.match(rfc.verify(key, stamped('0050-01-01T00:00:00Z'), body, at),
    { ok: true, meta: { timestamp: -60_589_296_000 } })
  t.match(rfc.verify(key, stamped('1950-01-01T00:00:00Z'), body, at), { ok: true, meta: { timestamp: -631_152_000 } })
  t.match(rfc.verify(key, stamped('0000-02-29T00:00:00Z'), body, at), { ok: true }, 'year 0 is a leap year')
  t.match(rfc.verify(key, stamped('0001-02-29T00:00:00Z'), body, at), { reason: 'malformed-signature' })
  t.match(rfc.verify(key, stamped('2023-11-14T22:13:20-01:60'), body, at), { reason: 'malformed-signature' })
  t.match(rfc.verify(key, stamped('2023-11-14T21:13:20-01:00'), body, at), { ok: true, meta: { timestamp: NOW } })
})

t.test('ids without a timestamp, signatures past the limit, forms that are not text', async t => {
  const ided = hmac({ signed: '{id}.{body}', signature: { header: 'x-sig' }, id: { header: 'x-id' } })
  const signed = ided.sign('s', body)
  t.match(signed['x-id'], /^msg_[0-9a-f]{24}$/)
  t.equal(signed['x-sig'], createHmac('sha256', 's').update(`${signed['x-id']!}.`).update(body).digest('hex'))
  t.same(ided.verify([ided.parseSecret('s')], signed, body, at), { ok: true, id: signed['x-id'], meta: {} })
  t.match(ided.verify([ided.parseSecret('s')], { 'x-sig': signed['x-sig']! }, body, at),
    { reason: 'missing-signature', detail: /no single x-id header/ })

  const listed = hmac({ signature: { header: 'x-sigs', entries: { separator: ',', assign: '=', signature: 'v1' } } })
  const good = createHmac('sha256', 's').update(body).digest('hex')
  const sixteen = Array.from({ length: 16 }, () => 'v1=00').join(',')
  t.match(listed.verify([listed.parseSecret('s')], { 'x-sigs': `${sixteen},v1=${good}` }, body, at),
    { reason: 'invalid-signature', detail: /16 received/ }, 'the 17th is not looked at')
  t.match(listed.verify([listed.parseSecret('s')], { 'x-sigs': `v1=00,v1=${good}` }, body, at), { ok: true })

  const form = hmac({ signed: '{url}{form}', signature: { header: 'x-sig' } })
  t.throws(() => form.sign('s', Buffer.from([0xff]), { url: 'https://example.com/' }), /must be UTF-8/)
  t.same(hmac({ signature: { header: 'x-sig' }, secret: { prefix: '' } }).mistakenKeys!('abc'), [])
})
