/**
 * Shopify, proven against @shopify/shopify-api's `webhooks.validate` (the SDK has no signer, so deliveries are signed
 * with node:crypto as Shopify's docs say, and the SDK validates every one the suite signed): topics from the
 * header, ids from X-Shopify-Event-Id or X-Shopify-Webhook-Id, the unprefixed headers of event subscriptions, what
 * the kit and `send` put on the wire, and hostile deliveries.
 */
import '@shopify/shopify-api/adapters/node'
import { createHash, createHmac, randomUUID } from 'node:crypto'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { defineShopify, shopify } from '../../plugins/shopify.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend } from '../helpers/capture.js'

const SECRET = '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'
const SECRET_2 = '9a8b7c6d5e4f30211203f4e5d6c7b8a9'

/** The SDK as an app configures it: only the secret matters to `validate`. */
const sdks = new Map<string, ReturnType<typeof shopifyApi>>()
function sdkFor (secret: string) {
  let sdk = sdks.get(secret)
  if (sdk === undefined) {
    sdk = shopifyApi({
      apiKey: 'test-api-key',
      apiSecretKey: secret,
      hostName: 'app.example.com',
      apiVersion: ApiVersion.October26,
      isEmbeddedApp: false,
      logger: { level: LogSeverity.Error }
    })
    sdks.set(secret, sdk)
  }
  return sdk
}

/** What `webhooks.validate` makes of a delivery: `valid`, and the topic and ids it read. */
async function validate (secret: string, headers: Record<string, unknown>, body: string) {
  return await sdkFor(secret).webhooks.validate({
    rawBody: body,
    rawRequest: { headers, method: 'POST', url: '/webhooks/shopify' },
    rawResponse: {}
  })
}

const signedBySuite: Array<{ secret: string, headers: Record<string, string>, body: string }> = []

/** Shopify's headers: the base64 HMAC of the body, the topic, the shop, the API version and the ids. */
function shopifySigns (
  body: string | Buffer,
  args: { secret: string, id?: string | undefined, type?: string | undefined }
): Record<string, string> {
  const headers = {
    'x-shopify-hmac-sha256': createHmac('sha256', args.secret).update(body).digest('base64'),
    'x-shopify-topic': args.type ?? 'orders/create',
    'x-shopify-shop-domain': 'snowdevil.myshopify.com',
    'x-shopify-api-version': '2026-10',
    'x-shopify-webhook-id': randomUUID(),
    'x-shopify-event-id': args.id ?? randomUUID(),
    'x-shopify-triggered-at': new Date().toISOString()
  }
  signedBySuite.push({ secret: args.secret, headers, body: body.toString() })
  return headers
}

const order = fixtures.shopify['orders/create']

providerSuite({
  name: 'shopify',
  plugin: shopify,
  scheme: { kind: 'oracle', header: 'x-shopify-hmac-sha256', timed: false, sign: shopifySigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.shopify,
  invalid: { payload: { ...order, line_items: 'none' }, path: '/line_items', reason: 'must be an array' },
  unknown: { id: 1, title: 'Summer', handle: 'summer' },
  unknownType: 'collections/create'
})

t.test('shopify: @shopify/shopify-api validates every delivery the suite signed', async t => {
  t.ok(signedBySuite.length > 20, `${signedBySuite.length} deliveries`)
  for (const { secret, headers, body } of signedBySuite) {
    if (body === '') continue
    t.match(await validate(secret, headers, body), { valid: true, topic: /^[A-Z_]+$/ })
  }
  const [first] = signedBySuite
  t.match(await validate(SECRET_2 === first!.secret ? SECRET : SECRET_2, first!.headers, first!.body),
    { valid: false, reason: 'invalid_hmac' }, 'and refuses one under another secret: the check could fail')
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown }> = []
  const unknown: string[] = []
  await app.register(shopify, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id, payload: event.payload }) },
    onUnknown: event => { unknown.push(event.type) },
    ...options
  })
  const post = (headers: Record<string, string | string[]>, body: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/shopify',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  return { app, seen, unknown, post }
}

const hmac = (body: string, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64')

t.test('shopify: the kit and the CLI send what webhooks.validate accepts, with the headers it requires', async t => {
  const payload = fixtures.shopify['orders/paid']
  const signed = sign('shopify', payload, { secret: SECRET, type: 'orders/paid' })
  t.match(await validate(SECRET, signed.headers, signed.body), {
    valid: true, topic: 'ORDERS_PAID', domain: 'example.myshopify.com', apiVersion: '2026-10'
  })
  t.match(await validate(SECRET_2, signed.headers, signed.body), { valid: false })
  t.equal(signed.headers['x-shopify-event-id'], signed.headers['x-shopify-webhook-id'])
  t.ok(Date.parse(signed.headers['x-shopify-triggered-at']!) > 0, 'X-Shopify-Triggered-At is a time')

  const sent = await captureSend(['send', 'shopify', 'customers/redact', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  const result = await validate(SECRET, caught!.headers, caught!.body.toString())
  t.match(result, { valid: true, topic: 'CUSTOMERS_REDACT', webhookId: /^msg_/ })
  t.same(JSON.parse(caught!.body.toString()), fixtures.shopify['customers/redact'])
  t.match(sent.out, `(shopify, customers/redact, id ${caught!.headers['x-shopify-event-id'] as string})`)

  const sample = await captureSend(['send', 'shopify', '--secret', SECRET])
  t.equal(sample.caught[0]!.headers['x-shopify-topic'], 'orders/create', 'the sample is an order')
})

t.test('shopify: the topic and ids are headers outside the signature', async t => {
  const { post, seen, unknown } = await receiver()
  const body = JSON.stringify(order)
  const signature = { 'x-shopify-hmac-sha256': hmac(body) }
  const noTopic = await post({ ...signature, 'x-shopify-webhook-id': 'w1' }, body)
  t.equal(noTopic.statusCode, 400)
  t.equal(noTopic.json().code, 'WEBHOOK_MISSING_TYPE')

  const topic = { ...signature, 'x-shopify-topic': 'orders/create' }
  t.equal((await post({ ...topic, 'x-shopify-webhook-id': 'w2', 'x-shopify-event-id': 'e2' }, body)).statusCode, 200)
  t.equal(seen.at(-1)!.id, 'e2', 'the event id first')
  t.equal((await post({ ...topic, 'x-shopify-webhook-id': 'w3' }, body)).statusCode, 200)
  t.equal(seen.at(-1)!.id, 'w3', 'else the webhook id')
  t.equal((await post(topic, body)).statusCode, 200)
  t.equal(seen.at(-1)!.id, createHash('sha256').update(body).digest('hex'), 'else the body\'s hash')

  const retry = await post({ ...topic, 'x-shopify-webhook-id': 'w4', 'x-shopify-event-id': 'e2' }, body)
  t.same(retry.json(), { received: true, duplicate: true }, 'the same event again is a duplicate')
  // Node joins a repeated header with ", ": no topic is named so, and the topic is not signed anyway.
  const twice = { ...signature, 'x-shopify-topic': ['orders/create', 'orders/create'], 'x-shopify-event-id': 'e5' }
  t.equal((await post(twice, body)).statusCode, 200)
  const other = { ...signature, 'x-shopify-topic': 'themes/publish', 'x-shopify-event-id': 'e6' }
  t.equal((await post(other, body)).statusCode, 200)
  t.same(unknown, ['orders/create, orders/create', 'themes/publish'], 'a topic without a schema goes to onUnknown')
  t.equal(seen.length, 3)
})

t.test('shopify: an event subscription\'s headers, without X-, as the SDK reads them', async t => {
  const { post, seen } = await receiver()
  const payload = fixtures.shopify['products/update']
  const body = JSON.stringify(payload)
  const headers = {
    'shopify-hmac-sha256': hmac(body),
    'shopify-topic': 'products/update',
    'shopify-shop-domain': 'snowdevil.myshopify.com',
    'shopify-api-version': '2026-10',
    'shopify-webhook-id': 'evt-sub-1',
    'shopify-triggered-at': new Date().toISOString()
  }
  t.match(await validate(SECRET, headers, body), { valid: true, webhookType: 'events', topic: 'PRODUCTS_UPDATE' })
  t.equal((await post(headers, body)).statusCode, 200)
  t.match(seen, [{ type: 'products/update', id: 'evt-sub-1', payload }])
  const forged = await post({ ...headers, 'shopify-hmac-sha256': hmac(body, SECRET_2) }, body)
  t.equal(forged.statusCode, 401)
})

t.test('shopify: hostile signature headers and bodies get a coded 4xx, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(order)
  const good = hmac(body)
  const topic = { 'x-shopify-topic': 'orders/create' }
  const hex = createHmac('sha256', SECRET).update(body).digest('hex')
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['hex instead of base64', { 'x-shopify-hmac-sha256': hex }, 'WEBHOOK_INVALID_SIGNATURE'],
    [
      'base64url',
      { 'x-shopify-hmac-sha256': good.replaceAll('+', '-').replaceAll('/', '_') },
      'WEBHOOK_INVALID_SIGNATURE'
    ],
    ['without its padding', { 'x-shopify-hmac-sha256': good.replace(/=+$/, '') }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['sha256= in front', { 'x-shopify-hmac-sha256': `sha256=${good}` }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', { 'x-shopify-hmac-sha256': '' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['not base64 at all', { 'x-shopify-hmac-sha256': '!!!!' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { 'x-shopify-hmac-sha256': 'A'.repeat(5000) }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['sent twice', { 'x-shopify-hmac-sha256': [good, good] }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['the other secret\'s', { 'x-shopify-hmac-sha256': hmac(body, SECRET_2) }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['only the SHA-1 of it', {
      'x-shopify-hmac-sha256': createHmac('sha1', SECRET).update(body).digest('base64')
    }, 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, headers, code] of cases) {
    const res = await post({ ...topic, ...headers }, body)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, good, `${what}: no signature in the answer`)
  }
  const list = '[1,2]'
  const array = await post({ ...topic, 'x-shopify-hmac-sha256': hmac(list) }, list)
  t.equal(array.statusCode, 400, 'a signed array where an order is expected')
  t.equal(array.json().code, 'WEBHOOK_INVALID_PAYLOAD')
  t.equal(seen.length, 0)
})

t.test('shopify: defineShopify adds topic schemas, and yours win over ours', async t => {
  const mine = defineShopify({
    events: {
      'collections/create': Type.Object({ id: Type.Number(), title: Type.String() }, {
        examples: [{ id: 1, title: 'Summer' }]
      })
    }
  })
  const app = Fastify()
  const titles: string[] = []
  await app.register(mine, {
    secret: SECRET,
    on: { 'collections/create': async event => { titles.push(event.payload.title) } }
  })
  const delivery = sign(mine, { id: 2, title: 'Winter' }, { secret: SECRET, type: 'collections/create' })
  const res = await app.inject({
    method: 'POST', url: '/webhooks/shopify', headers: delivery.headers, payload: delivery.body
  })
  t.equal(res.statusCode, 200)
  t.same(titles, ['Winter'])
  t.equal(defineShopify({ name: 'shopify-eu' }).provider.name, 'shopify-eu')
})
