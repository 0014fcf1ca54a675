/**
 * Twitch EventSub, proven against @twurple/eventsub-http: its listener checks a message with `_verifyData` (the
 * HMAC-SHA256 of message id, timestamp and body, `sha256=`-prefixed), which the tests call on its own, since the
 * listener needs a Twitch API client to run. Deliveries are signed with node:crypto as Twitch's docs say and each
 * signature is confirmed by Twurple's check; what the kit and `send` put on the wire is handed to it too. Then the
 * callback verification handshake, revocations, retries and hostile headers.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { EventSubMiddleware } from '@twurple/eventsub-http'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { defineTwitch, twitch, twitchScheme } from '../../plugins/twitch.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend, type Captured } from '../helpers/capture.js'

const SECRET = 's3cRe7-of-the-eventsub-subscription'
const SECRET_2 = 'another-subscription-secret-0123'
const now = (): number => Math.floor(Date.now() / 1000)

type Verify = (id: string, timestamp: string, body: string, signature: string) => boolean
/** Twurple's own check of a message, as its listener runs it (`this._secret` is the subscription's secret). */
function twurpleVerifies (secret: string, headers: Record<string, string | string[] | undefined>, body: string) {
  const check = (EventSubMiddleware.prototype as unknown as { _verifyData: Verify })._verifyData
  return check.call(
    { _secret: secret },
    headers['twitch-eventsub-message-id'] as string,
    headers['twitch-eventsub-message-timestamp'] as string,
    body,
    headers['twitch-eventsub-message-signature'] as string
  )
}

/** RFC 3339 to nanoseconds, as Twitch writes its timestamps. */
const stamp = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('Z', '123456Z')

/** Twitch's signature, as its docs define it, each one confirmed by Twurple's check. */
function twitchSigns (
  body: string | Buffer,
  args: { secret: string, id?: string | undefined, timestamp?: number | undefined, type?: string | undefined },
  message = args.type === 'revocation' ? 'revocation' : 'notification'
): Record<string, string> {
  const id = args.id ?? randomUUID()
  const timestamp = stamp(args.timestamp ?? now())
  const signature = `sha256=${createHmac('sha256', args.secret).update(id + timestamp + body).digest('hex')}`
  const headers = {
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-retry': '0',
    'twitch-eventsub-message-type': message,
    'twitch-eventsub-message-signature': signature,
    'twitch-eventsub-message-timestamp': timestamp,
    'twitch-eventsub-subscription-type': args.type ?? 'channel.follow',
    'twitch-eventsub-subscription-version': '1'
  }
  if (!twurpleVerifies(args.secret, headers, body.toString())) throw new Error('Twurple refuses this signature')
  return headers
}

const follow = fixtures.twitch['channel.follow']

function omit (headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _, ...rest } = headers
  return rest
}

providerSuite({
  name: 'twitch',
  plugin: twitch,
  scheme: { kind: 'oracle', header: 'twitch-eventsub-message-signature', timed: true, sign: twitchSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.twitch,
  invalid: {
    payload: { ...follow, event: { ...follow.event, followed_at: 5 } },
    path: '/event/followed_at',
    reason: 'must be a string'
  },
  unknown: {
    subscription: { ...follow.subscription, type: 'channel.ban' },
    event: { user_id: '1234', broadcaster_user_id: '1337', reason: 'spam' }
  }
})

async function receiver () {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown }> = []
  await app.register(twitch, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id, payload: event.payload }) }
  })
  const post = (body: string, headers: Record<string, string | string[]>) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/twitch',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  return { app, seen, post }
}

const CHALLENGE = 'pogchamp-kappa-360noscope-vohiyo'
const verification = JSON.stringify({
  challenge: CHALLENGE,
  subscription: { ...follow.subscription, status: 'webhook_callback_verification_pending' }
})

t.test('twitch: webhook_callback_verification is answered with the challenge as text, no handler, never deduped',
  async t => {
    const { post, seen } = await receiver()
    const id = randomUUID()
    for (let i = 0; i < 2; i++) {
      const headers = twitchSigns(verification, { secret: SECRET, id }, 'webhook_callback_verification')
      const res = await post(verification, headers)
      t.equal(res.statusCode, 200)
      t.equal(res.body, CHALLENGE, 'the challenge itself, as Twitch asks')
      t.match(res.headers['content-type'], /^text\/plain/)
    }
    const refused: Array<[string, Record<string, string>, string]> = [
      ['unsigned', { 'twitch-eventsub-message-type': 'webhook_callback_verification' }, 'WEBHOOK_MISSING_SIGNATURE'],
      [
        'another secret',
        twitchSigns(verification, { secret: SECRET_2 }, 'webhook_callback_verification'),
        'WEBHOOK_INVALID_SIGNATURE'
      ],
      [
        'signed 11 minutes ago',
        twitchSigns(verification, { secret: SECRET, timestamp: now() - 660 }, 'webhook_callback_verification'),
        'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'
      ]
    ]
    for (const [what, headers, code] of refused) {
      const res = await post(verification, headers)
      t.equal(res.statusCode, 401, what)
      t.equal(res.json().code, code, what)
      t.notMatch(res.body, CHALLENGE, `${what}: the challenge is not answered`)
    }
    const none = JSON.stringify({ subscription: follow.subscription })
    const empty = await post(none, twitchSigns(none, { secret: SECRET }, 'webhook_callback_verification'))
    t.equal(empty.body, '', 'a verification without a challenge is answered with none')
    t.equal(seen.length, 0)
  })

t.test('twitch: a retry keeps its message id and is a duplicate; a revocation is its own type', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(follow)
  const id = randomUUID()
  t.same((await post(body, twitchSigns(body, { secret: SECRET, id }))).json(), { received: true })
  const retry = {
    ...twitchSigns(body, { secret: SECRET, id, timestamp: now() - 30 }),
    'twitch-eventsub-message-retry': '1'
  }
  t.same((await post(body, retry)).json(), { received: true, duplicate: true })
  t.equal(seen.length, 1)
  t.match(seen[0], { type: 'channel.follow', id })

  const revoked = JSON.stringify(fixtures.twitch.revocation)
  const res = await post(revoked, twitchSigns(revoked, { secret: SECRET, type: 'revocation' }))
  t.equal(res.statusCode, 200)
  t.match(seen.at(-1), { type: 'revocation', payload: { subscription: { status: 'authorization_revoked' } } })
})

t.test('twitch: no known message type, or a notification without its subscription type: 400', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(follow)
  const untyped = JSON.stringify({ subscription: { id: 'x' }, event: {} })
  const cases: Array<[string, string, Record<string, string>]> = [
    ['no message type', body, { ...twitchSigns(body, { secret: SECRET }), 'twitch-eventsub-message-type': '' }],
    ['an unknown message type', body, twitchSigns(body, { secret: SECRET }, 'notification_v2')],
    ['no subscription type', untyped, twitchSigns(untyped, { secret: SECRET })]
  ]
  for (const [what, payload, headers] of cases) {
    const res = await post(payload, headers)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'WEBHOOK_MISSING_TYPE', what)
  }
  const headerless = omit(twitchSigns(body, { secret: SECRET }), 'twitch-eventsub-message-type')
  t.equal((await post(body, headerless)).json().code, 'WEBHOOK_MISSING_TYPE', 'the header absent')
  t.equal(seen.length, 0)
})

t.test('twitch: hostile signature, id and timestamp headers get a 401, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(follow)
  const good = twitchSigns(body, { secret: SECRET })
  const hex = good['twitch-eventsub-message-signature']!.slice('sha256='.length)
  const signedWith = (id: string, timestamp: string) => ({
    ...good,
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-timestamp': timestamp,
    'twitch-eventsub-message-signature':
      `sha256=${createHmac('sha256', SECRET).update(id + timestamp + body).digest('hex')}`
  })
  const ts = new Date(now() * 1000).toISOString()
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['no prefix', { ...good, 'twitch-eventsub-message-signature': hex }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['sha1=', { ...good, 'twitch-eventsub-message-signature': `sha1=${hex}` }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    // Twurple reads hex with Buffer.from and takes uppercase; Twitch sends lowercase, and so we take only that.
    ['uppercase hex', { ...good, 'twitch-eventsub-message-signature': `sha256=${hex.toUpperCase()}` },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { ...good, 'twitch-eventsub-message-signature': `sha256=${'a'.repeat(5000)}` },
      'WEBHOOK_MALFORMED_SIGNATURE'],
    // Joined by ', ' as Node joins a repeated header: no signature is that.
    ['the signature twice', { ...good, 'twitch-eventsub-message-signature': [`sha256=${hex}`, `sha256=${hex}`] },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['no timestamp', { ...good, 'twitch-eventsub-message-timestamp': '' }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['unix seconds, not RFC 3339', signedWith(randomUUID(), String(now())), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['ten digits of fraction', signedWith(randomUUID(), ts.replace(/\.\d+Z$/, '.1234567891Z')),
      'WEBHOOK_MALFORMED_SIGNATURE'],
    ['31 February', signedWith(randomUUID(), '2026-02-31T10:00:00Z'), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['11 minutes ago', twitchSigns(body, { secret: SECRET, timestamp: now() - 660 }),
      'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    // Twurple only refuses old messages; a future one is as much a replay risk, and is refused too.
    ['11 minutes ahead', twitchSigns(body, { secret: SECRET, timestamp: now() + 660 }),
      'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['another timestamp than signed', { ...good, 'twitch-eventsub-message-timestamp': stamp(now() - 1) },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['another id than signed', { ...good, 'twitch-eventsub-message-id': randomUUID() }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['an empty id', signedWith('', ts), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['an id of 300 characters', signedWith('x'.repeat(300), ts), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['no id', omit(good, 'twitch-eventsub-message-id'), 'WEBHOOK_MISSING_SIGNATURE'],
    ['no signature', omit(good, 'twitch-eventsub-message-signature'), 'WEBHOOK_MISSING_SIGNATURE']
  ]
  for (const [what, headers, code] of cases) {
    const res = await post(body, headers)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, hex, `${what}: no signature in the answer`)
  }
  // The same instant two hours east: the wall clock (and, near midnight, the date) moves with the offset.
  const offset = new Date(now() * 1000 + 2 * 3600_000).toISOString().replace('Z', '+02:00')
  const zoned = await post(body, signedWith(randomUUID(), offset))
  t.equal(zoned.statusCode, 200, 'an offset other than Z, signed as sent')
  for (const [what, payload] of [['an array', '[]'], ['not JSON', '{"subscription":']] as const) {
    const res = await post(payload, twitchSigns(payload, { secret: SECRET }))
    t.equal(res.statusCode, 400, what)
  }
  t.equal(seen.length, 1, 'only the zoned one ran')
})

t.test('twitch: a vector signed by Python\'s hmac, verified by us and by Twurple', async t => {
  // python3 -c "import hmac,hashlib; print(hmac.new(b'secret', b'e76c6bd4-55c9-4987-8304-da1588d8988b'
  //   b'2019-11-16T10:11:12.123456789Z' b'{\"a\":1}', hashlib.sha256).hexdigest())"
  const headers = {
    'twitch-eventsub-message-id': 'e76c6bd4-55c9-4987-8304-da1588d8988b',
    'twitch-eventsub-message-timestamp': '2019-11-16T10:11:12.123456789Z',
    'twitch-eventsub-message-signature': 'sha256=532b4b5d3c48bcc12af7ca18b643da6f25222e914f122e2663b119e16f308929'
  }
  const body = Buffer.from('{"a":1}')
  const at = { now: Date.UTC(2019, 10, 16, 10, 11, 12) / 1000, tolerance: 600 }
  t.match(twitchScheme.verify([twitchScheme.parseSecret('secret')], headers, body, at),
    { ok: true, id: headers['twitch-eventsub-message-id'], meta: { timestamp: at.now } }, 'whole seconds')
  t.ok(twurpleVerifies('secret', headers, body.toString()))
  t.match(twitchScheme.verify([twitchScheme.parseSecret('Secret')], headers, body, at), { reason: 'invalid-signature' })
})

t.test('twitch: the kit and send sign what Twurple\'s check accepts', async t => {
  const signed = sign('twitch', fixtures.twitch['stream.online'], { secret: SECRET, type: 'stream.online' })
  t.ok(twurpleVerifies(SECRET, signed.headers, signed.body))
  t.notOk(twurpleVerifies(SECRET_2, signed.headers, signed.body))
  t.match(signed.headers, {
    'twitch-eventsub-message-type': 'notification',
    'twitch-eventsub-subscription-type': 'stream.online'
  })
  const revocation = sign('twitch', fixtures.twitch.revocation, { secret: SECRET, type: 'revocation' })
  t.equal(revocation.headers['twitch-eventsub-message-type'], 'revocation')
  t.ok(twurpleVerifies(SECRET, revocation.headers, revocation.body))

  const sent = await captureSend(['send', 'twitch', 'channel.cheer', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught as [Captured]
  t.ok(twurpleVerifies(SECRET, caught.headers, caught.body.toString()))
  const age = Date.now() - new Date(caught.headers['twitch-eventsub-message-timestamp'] as string).getTime()
  t.ok(age >= 0 && age < 10 * 60 * 1000, 'fresh, as Twurple\'s listener requires')
  t.match(sent.out, `id ${caught.headers['twitch-eventsub-message-id'] as string}`, 'send names the message id')

  const stale = await captureSend(['send', 'twitch', '--stale', '--secret', SECRET])
  const [old] = stale.caught as [Captured]
  t.ok(twurpleVerifies(SECRET, old.headers, old.body.toString()), 'signed all the same')
  const oldAge = Date.now() - new Date(old.headers['twitch-eventsub-message-timestamp'] as string).getTime()
  t.ok(oldAge > 10 * 60 * 1000, 'but older than Twurple\'s listener takes')
})

t.test('twitch: defineTwitch adds schemas, and yours win over ours', async t => {
  const mine = defineTwitch({
    events: {
      'channel.ban': Type.Object({
        subscription: Type.Object({ type: Type.Literal('channel.ban') }),
        event: Type.Object({ user_login: Type.String(), reason: Type.String() })
      }, { examples: [{ subscription: { type: 'channel.ban' }, event: { user_login: 'spammer', reason: 'spam' } }] })
    }
  })
  const app = Fastify()
  const banned: string[] = []
  await app.register(mine, {
    secret: SECRET,
    on: { 'channel.ban': event => { banned.push(event.payload.event.user_login) } }
  })
  const ban = { subscription: { type: 'channel.ban' }, event: { user_login: 'spammer', reason: 'spam' } }
  const body = JSON.stringify(ban)
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/twitch',
    headers: { 'content-type': 'application/json', ...twitchSigns(body, { secret: SECRET, type: 'channel.ban' }) },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(banned, ['spammer'])
  t.equal(defineTwitch({ name: 'twitch-alt' }).provider.name, 'twitch-alt')
})
