/**
 * `fastify-webhooks/standard-webhooks`: any Standard Webhooks sender, with the user's schemas or none, over
 * real HTTP, with deliveries signed by the `svix` and `standardwebhooks` packages (the senders' own code).
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { Webhook as SvixWebhook } from 'svix'
import Type from 'typebox'
import { defineStandardWebhooks } from '../plugins/standard-webhooks.js'
import { SW_SECRET } from './helpers/sign.js'
import { receive, sign } from '../lib/testing/kit.js'

const Invoice = Type.Object({
  type: Type.Literal('invoice.paid'),
  data: Type.Object({ invoice: Type.String(), cents: Type.Integer() })
})

type Signer = (id: string, timestamp: Date, body: string) => Record<string, string>
const signers: Record<string, Signer> = {
  standardwebhooks: (id, timestamp, body) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new StandardWebhook(SW_SECRET).sign(id, timestamp, body)
  }),
  svix: (id, timestamp, body) => ({
    'svix-id': id,
    'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'svix-signature': new SvixWebhook(SW_SECRET).sign(id, timestamp, body)
  })
}

async function listen (register: (app: FastifyInstance) => PromiseLike<unknown>): Promise<string> {
  const app = Fastify()
  await register(app)
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return url
}

async function post (
  url: string,
  signer: Signer,
  payload: unknown,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(payload)
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signer(`msg_${randomBytes(8).toString('hex')}`, new Date(), body),
      ...headers
    },
    body
  })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}

for (const [sender, signer] of Object.entries(signers)) {
  t.test(`with schemas, signed by ${sender}: typed handlers, unknown types, schema failures`, async t => {
    const acme = defineStandardWebhooks({
      name: 'acme',
      title: 'Acme',
      events: { 'invoice.paid': Invoice },
      headerPrefixes: ['webhook', 'svix']
    })
    const paid: number[] = []
    const unknown: string[] = []
    const url = await listen(app => app.register(acme, {
      secret: SW_SECRET,
      on: { 'invoice.paid': async event => { paid.push(event.payload.data.cents) } },
      onUnknown: async event => { unknown.push(event.type) }
    }))
    const route = `${url}/webhooks/acme`
    t.equal((await post(route, signer, { type: 'invoice.paid', data: { invoice: 'in_1', cents: 1250 } })).status, 200)
    t.same(paid, [1250])
    t.equal(
      (await post(route, signer, { type: 'invoice.voided', data: {} })).status,
      200,
      'a type the schemas do not list is taken'
    )
    t.same(unknown, ['invoice.voided'])
    const invalid = await post(route, signer, { type: 'invoice.paid', data: { invoice: 'in_2', cents: 'lots' } })
    t.equal(invalid.status, 400)
    t.equal(invalid.body.code, 'WEBHOOK_INVALID_PAYLOAD')
    const forged = await post(
      route,
      signer,
      { type: 'invoice.paid', data: { invoice: 'in_3', cents: 1 } },
      { [`${sender === 'svix' ? 'svix' : 'webhook'}-signature`]: 'v1,' + randomBytes(32).toString('base64') }
    )
    t.equal(forged.status, 401)
    t.same(paid, [1250])
  })

  t.test(`without schemas, signed by ${sender}: every verified event to onEvent, payload unknown`, async t => {
    const anyone = defineStandardWebhooks({ name: 'anyone', headerPrefixes: ['webhook', 'svix'] })
    const seen: Array<{ type: string, payload: unknown }> = []
    const unknown: unknown[] = []
    const byType: unknown[] = []
    const url = await listen(app => app.register(anyone, {
      secret: SW_SECRET,
      on: { 'user.created': event => { byType.push(event.payload) } },
      onEvent: event => { seen.push({ type: event.type, payload: event.payload }) },
      onUnknown: event => { unknown.push(event.payload) }
    }))
    const route = `${url}/webhooks/anyone`
    t.equal((await post(route, signer, { type: 'user.created', data: { id: 1 } })).status, 200)
    t.equal((await post(route, signer, { type: 'anything.at.all', whatever: [1, 2] })).status, 200)
    t.same(seen, [
      { type: 'user.created', payload: { type: 'user.created', data: { id: 1 } } },
      { type: 'anything.at.all', payload: { type: 'anything.at.all', whatever: [1, 2] } }
    ])
    t.same(byType, [{ type: 'user.created', data: { id: 1 } }], '`on` may name any type')
    t.equal((await post(route, signer, { no: 'type' })).status, 200, 'an object with no type is verified, and unknown')
    t.same(unknown, [{ no: 'type' }])
    t.equal((await post(route, signer, [1, 2])).status, 400, 'a list with no type is no event')
    t.equal(seen.length, 2)
  })
}

t.test('the type from a body path, or from a header', async t => {
  const nested = defineStandardWebhooks({ name: 'nested', type: 'meta.kind' })
  const headed = defineStandardWebhooks({
    name: 'headed',
    type: { header: 'X-Event-Type' },
    events: { 'order.shipped': Type.Object({ order: Type.String() }) }
  })
  const seen: string[] = []
  const url = await listen(async app => {
    await app.register(nested, {
      secret: SW_SECRET,
      onEvent: event => {
        seen.push(`nested ${event.type}`)
      }
    })
    await app.register(headed, {
      secret: SW_SECRET,
      on: {
        'order.shipped': event => {
          seen.push(`headed ${event.type} ${event.payload.order}`)
        }
      }
    })
  })
  t.equal(
    (await post(`${url}/webhooks/nested`, signers.standardwebhooks!, { meta: { kind: 'report.ready' } })).status,
    200
  )
  t.equal(
    (
      await post(
        `${url}/webhooks/headed`,
        signers.standardwebhooks!,
        { order: 'o_1' },
        { 'x-event-type': 'order.shipped' }
      )
    ).status,
    200
  )
  t.equal(
    (await post(`${url}/webhooks/headed`, signers.standardwebhooks!, { order: 'o_2' })).status,
    200,
    'no header: an unknown event'
  )
  t.same(seen, ['nested report.ready', 'headed order.shipped o_1'])
  await t.rejects(async () => {
    await Fastify().register(headed, { secret: SW_SECRET, on: { 'order.lost': () => {} } as never })
  }, /names "order.lost", which is not a headed event type/)
})

t.test('the testing kit sends a header type as the sender does', async t => {
  const strict = defineStandardWebhooks({
    name: 'kitted',
    type: { header: 'X-Event-Type', required: true },
    events: { 'order.shipped': Type.Object({ order: Type.String() }) }
  })
  const app = Fastify()
  const seen: string[] = []
  const on = { 'order.shipped': (event: { payload: { order: string } }) => { seen.push(event.payload.order) } }
  await app.register(strict, { secret: SW_SECRET, on })
  const { headers, body } = sign(strict, { order: 'o_k' }, { secret: SW_SECRET, type: 'order.shipped' })
  t.equal(headers['x-event-type'], 'order.shipped')
  const res = await app.inject({ method: 'POST', url: '/webhooks/kitted', headers, payload: body })
  t.same([res.statusCode, res.json()], [200, { received: true }])
  const received = await receive({ on: { 'order.shipped': () => {} } }, {
    provider: strict, type: 'order.shipped', payload: { order: 'o_r' }
  })
  t.equal(received.type, 'order.shipped', 'the kit\'s receive, typed by the header it sent')
  t.same(seen, ['o_k'])
})

t.test('a type from a header may be required: without it, 400 WEBHOOK_MISSING_TYPE, and nothing runs', async t => {
  const strict = defineStandardWebhooks({
    name: 'strict',
    type: { header: 'X-Event-Type', required: true },
    events: { 'order.shipped': Type.Object({ order: Type.String() }) }
  })
  t.equal(strict.provider.requiresType, true)
  t.equal(defineStandardWebhooks({ name: 'lax', type: { header: 'x-t', required: false } }).provider.requiresType,
    undefined, '`required: false` is the default')
  const seen: string[] = []
  const url = await listen(app => app.register(strict, {
    secret: SW_SECRET,
    on: { 'order.shipped': event => { seen.push(`shipped ${event.payload.order}`) } },
    onUnknown: event => { seen.push(`unknown ${event.type}`) }
  }))
  const route = `${url}/webhooks/strict`
  const signer = signers.standardwebhooks!
  const missing = await post(route, signer, { order: 'o_1' })
  t.match(missing, { status: 400, body: { code: 'WEBHOOK_MISSING_TYPE' } }, 'no header')
  const empty = await post(route, signer, { order: 'o_2' }, { 'x-event-type': '' })
  t.match(empty, { status: 400, body: { code: 'WEBHOOK_MISSING_TYPE' } }, 'an empty header')
  t.equal((await post(route, signer, { order: 'o_3' }, { 'x-event-type': 'order.shipped' })).status, 200)
  t.equal((await post(route, signer, { order: 'o_4' }, { 'x-event-type': 'order.lost' })).status, 200,
    'a type no schema knows still goes to onUnknown')
  t.same(seen, ['shipped o_3', 'unknown order.lost'])
})
