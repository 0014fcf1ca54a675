/**
 * Stripe, proven against the `stripe` package: what `webhooks.generateTestHeaderString` signs is accepted, what our
 * testing kit and the CLI's `send` sign passes `webhooks.constructEvent`, and hostile signature headers get a coded
 * 4xx with no handler run.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import Fastify from 'fastify'
import Stripe from 'stripe'
import t from 'tap'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { defineStripe, stripe, stripeEvent } from '../../plugins/stripe.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend } from '../helpers/capture.js'

const SECRET = 'whsec_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6'
const SECRET_2 = 'whsec_' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp'
// Only the webhooks helpers are used: no API call is made, so the key is never checked.
const sdk = new Stripe('sk_test_unused')
const now = (): number => Math.floor(Date.now() / 1000)

/** Stripe's own signer: `t=<timestamp>,v1=<hex>`. */
function stripeSigns (body: string | Buffer, args: { secret: string, timestamp?: number | undefined }) {
  const header = sdk.webhooks.generateTestHeaderString({
    payload: body.toString(),
    secret: args.secret,
    ...(args.timestamp === undefined ? {} : { timestamp: args.timestamp })
  })
  return { 'stripe-signature': header }
}

const checkout = fixtures.stripe['checkout.session.completed']

providerSuite({
  name: 'stripe',
  plugin: stripe,
  scheme: { kind: 'oracle', header: 'stripe-signature', timed: true, sign: stripeSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.stripe,
  invalid: {
    payload: { ...checkout, data: { object: { ...checkout.data.object, payment_status: 2 } } },
    path: '/data/object/payment_status',
    reason: 'must be a string'
  },
  unknown: { ...checkout, type: 'charge.refunded', data: { object: { id: 'ch_1', object: 'charge' } } },
  // The key is the event's `evt_…` id, the same on every retry.
  expectedId: payload => (payload as { id: string }).id
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string }> = []
  await app.register(stripe, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id }) },
    ...options
  })
  const post = (headers: Record<string, string | string[]>, body: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  return { app, seen, post }
}

const hmacHex = (key: string | Buffer, text: string): string => createHmac('sha256', key).update(text).digest('hex')

t.test('stripe: the kit and the CLI sign what stripe.webhooks.constructEvent accepts', async t => {
  const payload = fixtures.stripe['invoice.paid']
  const signed = sign('stripe', payload, { secret: SECRET })
  const event = sdk.webhooks.constructEvent(signed.body, signed.headers['stripe-signature']!, SECRET)
  t.equal(event.id, payload.id)
  t.equal(event.type, 'invoice.paid')
  t.throws(
    () => sdk.webhooks.constructEvent(signed.body, signed.headers['stripe-signature']!, SECRET_2),
    /No signatures found matching/,
    'and refuses it under another secret'
  )

  const sent = await captureSend(['send', 'stripe', 'payment_intent.payment_failed', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  const delivered = sdk.webhooks.constructEvent(caught!.body, caught!.headers['stripe-signature'] as string, SECRET)
  t.equal(delivered.type, 'payment_intent.payment_failed')
  t.match(delivered.id, /^evt_[0-9a-f]{24}$/, 'send makes a new event id each time')

  const secret = await (async () => {
    let out = ''
    const code = await main(['secret', 'stripe'], { out: text => { out += text }, err: () => {}, env: {} })
    t.equal(code, 0)
    return out
  })()
  t.match(secret, /^whsec_\S+$/, 'secret gives a whsec_ secret')
  const own = sign('stripe', payload, { secret })
  t.ok(sdk.webhooks.constructEvent(own.body, own.headers['stripe-signature']!, secret), 'that Stripe accepts')
})

t.test('stripe: random bodies and secrets agree with the stripe package both ways', async t => {
  const { app, seen } = await receiver({ secret: SECRET, idempotency: false })
  await fc.assert(fc.asyncProperty(
    fc.string({ minLength: 1, maxLength: 40 }).filter(s => s.trim() === s),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
    async (tail, extra) => {
      const secret = `whsec_${tail}`
      const body = JSON.stringify({ ...checkout, id: `evt_${randomBytes(6).toString('hex')}`, metadata: extra })
      // Stripe's signature, our verifier (through the route, registered per secret would be slow: the scheme itself).
      const key = stripe.provider.scheme.parseSecret(secret)
      const theirs = stripeSigns(body, { secret })
      t.ok(stripe.provider.scheme.verify([key], theirs, Buffer.from(body), { now: now(), tolerance: 300 }).ok)
      // Our signature, Stripe's verifier.
      const ours = stripe.provider.scheme.sign(secret, body)
      sdk.webhooks.constructEvent(body, ours['stripe-signature']!, secret)
    }
  ), { numRuns: 150 })
  // And a delivery through the route for good measure.
  const body = JSON.stringify(checkout)
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/stripe',
    headers: { 'content-type': 'application/json', ...stripeSigns(body, { secret: SECRET }) },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.equal(seen.length, 1)
})

t.test('stripe: the whsec_ secret is the key as it is, never base64-decoded', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(checkout)
  const timestamp = now()
  const decoded = Buffer.from(SECRET.slice('whsec_'.length), 'base64')
  const asStandardWebhooks = `t=${timestamp},v1=${hmacHex(decoded, `${timestamp}.${body}`)}`
  const res = await post({ 'stripe-signature': asStandardWebhooks }, body)
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'WEBHOOK_INVALID_SIGNATURE')
  const asUtf8 = `t=${timestamp},v1=${hmacHex(SECRET, `${timestamp}.${body}`)}`
  t.equal((await post({ 'stripe-signature': asUtf8 }, body)).statusCode, 200)
  t.equal(seen.length, 1)

  await t.rejects(
    async () => { await Fastify().register(stripe, { secret: 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6' }).ready() },
    /secret/,
    'a secret without whsec_ is refused at registration'
  )
})

t.test('stripe: the entries of Stripe-Signature', async t => {
  const { post, seen } = await receiver({ idempotency: false })
  const body = JSON.stringify(checkout)
  const ts = now()
  const good = hmacHex(SECRET, `${ts}.${body}`)
  const at = (t: number): string => `t=${t},v1=${hmacHex(SECRET, `${t}.${body}`)}`
  const other = hmacHex(SECRET_2, `${ts}.${body}`)
  const accepted: Array<[string, string]> = [
    ['rolling: the old secret\'s v1 and the new one\'s', `t=${ts},v1=${other},v1=${good}`],
    ['a v0 entry (test mode) beside v1', `t=${ts},v1=${good},v0=${other}`],
    ['entries in another order', `v1=${good},t=${ts}`],
    ['an entry Stripe may add later', `t=${ts},v1=${good},v2=abc`],
    // Node joins a repeated header with ", ": the second copy's " t" is no `t` entry, and its v1 is one more.
    ['sent twice', [`t=${ts},v1=${good}`, `t=${ts},v1=${good}`] as never]
  ]
  for (const [what, header] of accepted) {
    const res = await post({ 'stripe-signature': header }, body)
    t.equal(res.statusCode, 200, what)
  }
  const refused: Array<[string, string | string[], string]> = [
    ['only a v0 entry', `t=${ts},v0=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['no t entry', `v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['t twice', `t=${ts},t=${ts},v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['t not a number', `t=${ts}x,v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['t with a sign', `t=+${ts},v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['t empty', `t=,v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['t an hour old', at(ts - 3600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['t an hour ahead', at(ts + 3600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['t huge', `t=${'9'.repeat(400)},v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['the signature of another timestamp', `t=${ts - 1},v1=${good}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['uppercase hex', `t=${ts},v1=${good.toUpperCase()}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['base64 where hex goes', `t=${ts},v1=${Buffer.from(good, 'hex').toString('base64')}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['a truncated signature', `t=${ts},v1=${good.slice(0, 40)}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['not hex at all', `t=${ts},v1=${'zz'.repeat(32)}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', '', 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['garbage', ',,,===,', 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['over 4 KiB', `t=${ts},${`v1=${other},`.repeat(70)}v1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['a forged t in a first copy', [`t=${ts + 5},v1=${other}`, `t=${ts},v1=${good}`], 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, header, code] of refused) {
    const res = await post({ 'stripe-signature': header }, body)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, good, `${what}: no signature in the answer`)
  }
  t.equal(seen.length, accepted.length, 'no handler ran for a refused one')
})

t.test('stripe: bodies Stripe never sends are a 400, not a handler run', async t => {
  const { post, seen } = await receiver()
  for (const [what, body, code] of [
    ['an array', JSON.stringify([checkout]), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['null', 'null', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a known type without data', JSON.stringify({ ...checkout, data: undefined }), 'WEBHOOK_INVALID_PAYLOAD'],
    ['__proto__', JSON.stringify(checkout).replace('{', '{"__proto__":{"x":1},'), 'WEBHOOK_INVALID_JSON']
  ] as const) {
    const res = await post(stripeSigns(body, { secret: SECRET }), body)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  t.equal(seen.length, 0)
})

t.test('stripe: defineStripe adds event schemas, and yours win over ours', async t => {
  const Charge = Type.Object({ id: Type.String(), object: Type.Literal('charge'), amount_refunded: Type.Number() })
  const strict = Type.Object({ id: Type.String(), object: Type.Literal('invoice'), amount_paid: Type.Literal(1500) })
  const mine = defineStripe({
    events: {
      'charge.refunded': stripeEvent('charge.refunded', Charge, {
        object: { id: 'ch_1', object: 'charge', amount_refunded: 500 }
      }),
      'invoice.paid': stripeEvent('invoice.paid', strict, {
        object: { id: 'in_1', object: 'invoice', amount_paid: 1500 }
      })
    }
  })
  const app = Fastify()
  const refunded: number[] = []
  await app.register(mine, {
    secret: SECRET,
    on: { 'charge.refunded': async event => { refunded.push(event.payload.data.object.amount_refunded) } }
  })
  const post = (payload: unknown) => {
    const body = JSON.stringify(payload)
    return app.inject({
      method: 'POST',
      url: '/webhooks/stripe',
      headers: { 'content-type': 'application/json', ...stripeSigns(body, { secret: SECRET }) },
      payload: body
    })
  }
  const charge = {
    ...checkout, type: 'charge.refunded', data: { object: { id: 'ch_1', object: 'charge', amount_refunded: 500 } }
  }
  t.equal((await post(charge)).statusCode, 200)
  t.same(refunded, [500])
  const invoice = fixtures.stripe['invoice.paid']
  const cheaper = { ...invoice, id: 'evt_2', data: { object: { ...invoice.data.object, amount_paid: 1 } } }
  t.equal((await post(cheaper)).statusCode, 400, 'the stricter invoice.paid schema is the one checked')
  t.equal((await post(fixtures.stripe['checkout.session.completed'])).statusCode, 200, 'the shipped ones stay')
  t.equal(mine.provider.name, 'stripe')
  t.equal(defineStripe({ name: 'stripe-connect' }).provider.name, 'stripe-connect')
})

t.test('stripe: the CLI\'s verify names a secret used without its whsec_ prefix, or cut off', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-stripe-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const body = JSON.stringify(checkout)
  const ts = now()
  const verify = async (key: string, secret: string) => {
    const headers = join(dir, 'headers.json')
    await writeFile(headers, JSON.stringify({ 'Stripe-Signature': `t=${ts},v1=${hmacHex(key, `${ts}.${body}`)}` }))
    await writeFile(join(dir, 'body'), body)
    let out = ''
    const args = ['verify', 'stripe', '--headers', headers, '--body', join(dir, 'body'), '--secret', secret]
    const code = await main(args, {
      out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {}
    })
    return { code, out }
  }
  const right = await verify(SECRET, SECRET)
  t.equal(right.code, 0, right.out)
  const unprefixed = await verify(SECRET.slice('whsec_'.length), SECRET)
  t.equal(unprefixed.code, 1)
  t.match(unprefixed.out, 'the sender used the secret without its "whsec_" prefix as the key')
  const cut = await verify(SECRET, SECRET.slice('whsec_'.length))
  t.equal(cut.code, 1)
  t.match(cut.out, 'must start with "whsec_"')
  t.notMatch(unprefixed.out + cut.out, SECRET.slice(8), 'no secret printed')
})
