/**
 * The shapes a provider of its own can take beyond a signed JSON body (made with the public API only):
 * a scheme that signs the request's URL, a form body, a handshake the provider answers itself, and a batch.
 * The senders here sign as their platforms document it, with node:crypto: not with the code under test.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import swagger from '@fastify/swagger'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import {
  MemoryStore,
  defineProvider,
  formBody,
  headerValue,
  hmacHex,
  stringField,
  type SignatureScheme
} from '../plugins/index.js'
import { dispatch, silentLogger } from '../lib/core/dispatch.js'
import { WebhookInvalidPayloadError } from '../lib/core/errors.js'
import { receive as kitReceive } from '../lib/testing/kit.js'

const SECRET = 'form-sender-secret'

/** Twilio's recipe: HMAC-SHA1 of the full URL, then each form field's name and value in name order; base64. */
function twilioSignature (url: string, fields: Record<string, string>): string {
  const data = Object.keys(fields).sort().reduce((text, name) => text + name + fields[name], url)
  return createHmac('sha1', SECRET).update(data).digest('base64')
}

/** A scheme that signs the request's URL as Twilio does: it reads the whole URL from the verify context. */
const urlSigned: SignatureScheme<Buffer> = {
  name: 'url-signed',
  title: 'URL-signed HMAC',
  headers: ['x-twilio-signature'],
  secretFormat: 'any string',
  signsTimestamp: false,
  signsUrl: true,
  parseSecret: secret => Buffer.from(secret),
  generateSecret: () => 'generated',
  claims: () => false,
  verify (keys, headers, body, context) {
    const received = headerValue(headers, 'x-twilio-signature')
    if (received === undefined) return { ok: false, reason: 'missing-signature', detail: 'no x-twilio-signature' }
    const fields = new URLSearchParams(body.toString('utf8'))
    const signed = [...fields.keys()].sort().reduce(
      (text, name) => text + name + fields.get(name)!,
      context.url ?? ''
    )
    for (const key of keys) {
      const expected = Buffer.from(createHmac('sha1', key).update(signed).digest('base64'))
      const given = Buffer.from(received)
      const match = given.length === expected.length && timingSafeEqual(given, expected)
      if (match) return { ok: true, id: undefined, meta: {} }
    }
    return { ok: false, reason: 'invalid-signature', detail: `${context.method ?? ''} signature does not match` }
  },
  sign: () => ({})
}

const sms = defineProvider({
  name: 'sms',
  scheme: urlSigned,
  body: formBody,
  events: { 'sms.received': Type.Object({ MessageSid: Type.String(), Body: Type.String() }) },
  typeOf: () => 'sms.received',
  idOf: payload => stringField(payload, 'MessageSid')
})

function formDelivery (path: string, fields: Record<string, string>) {
  return {
    method: 'POST' as const,
    url: path,
    headers: {
      host: 'hooks.example.com',
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(`https://hooks.example.com${path}`, fields)
    },
    payload: new URLSearchParams(fields).toString()
  }
}

t.test('a form body, signed over the URL it was posted to', async t => {
  const app = Fastify()
  const received: unknown[] = []
  await app.register(sms, {
    secret: SECRET,
    publicUrl: 'https://hooks.example.com',
    on: { 'sms.received': async event => { received.push(event.payload) } }
  })
  const fields = { MessageSid: 'SM1', Body: 'hello there', From: '+15550100' }

  const ok = await app.inject(formDelivery('/webhooks/sms?account=AC1', fields))
  t.same([ok.statusCode, ok.json()], [200, { received: true }])
  t.same(received, [{ MessageSid: 'SM1', Body: 'hello there', From: '+15550100' }], 'the form, as fields')
  t.equal(received.length, 1)

  const moved = formDelivery('/webhooks/sms?account=AC1', { ...fields, MessageSid: 'SM2' })
  const elsewhere = await app.inject({ ...moved, url: '/webhooks/sms?account=AC2' })
  t.same(
    [elsewhere.statusCode, elsewhere.json().code],
    [401, 'WEBHOOK_INVALID_SIGNATURE'],
    'the same signed fields posted to another URL'
  )

  const json = await app.inject({
    ...formDelivery('/webhooks/sms', fields),
    headers: { ...formDelivery('/webhooks/sms', fields).headers, 'content-type': 'application/json' }
  })
  t.equal(json.statusCode, 415, 'only the format\'s content type')
  t.equal(received.length, 1)

  // Signed over the fields as a lenient decoder reads them; a field it had to guess is refused all the same.
  const notUtf8 = formDelivery('/webhooks/sms', { MessageSid: 'SM3', Body: 'caf\ufffd' })
  const res = await app.inject({ ...notUtf8, payload: Buffer.from('MessageSid=SM3&Body=caf\xe9', 'latin1') })
  t.same([res.statusCode, res.json().code], [400, 'WEBHOOK_INVALID_FORM'], 'bytes that are not UTF-8')
  t.equal(received.length, 1)
})

t.test('a form: a field sent twice is a list, and `__proto__` is a field like any other', async t => {
  const payload = formBody.parse(Buffer.from('a=1&b=2&a=3&a=4&__proto__=x&c=%E2%9C%93'), {})
  t.same(Object.keys(payload as object), ['a', 'b', '__proto__', 'c'])
  t.same((payload as Record<string, unknown>).a, ['1', '3', '4'])
  t.equal(Object.getPrototypeOf(payload), Object.prototype, 'a plain object, its prototype untouched')
  t.equal(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value, 'x')
  t.equal((payload as Record<string, unknown>).c, '✓')
})

const chat = defineProvider({
  name: 'chat',
  scheme: hmacHex({ headers: ['x-chat-signature'] }),
  events: { message: Type.Object({ type: Type.Literal('message'), id: Type.String(), text: Type.String() }) },
  typeOf: payload => stringField(payload, 'type'),
  idOf: payload => stringField(payload, 'id'),
  // Slack's url_verification: echo the challenge; a text one shows the status and headers being taken.
  handshake (payload) {
    const type = stringField(payload, 'type')
    if (type === 'url_verification') return { body: { challenge: stringField(payload, 'challenge') } }
    if (type === 'ping') return { status: 202, headers: { 'content-type': 'text/plain' }, body: 'pong' }
    return undefined
  }
})

/** A JSON delivery to `provider`'s route, HMAC-SHA256 hex in `x-<provider>-signature`, as the two below sign. */
function signedJson (provider: string, payload: unknown, secret = SECRET) {
  const body = JSON.stringify(payload)
  return {
    method: 'POST' as const,
    url: `/webhooks/${provider}`,
    headers: {
      'content-type': 'application/json',
      [`x-${provider}-signature`]: createHmac('sha256', secret).update(body).digest('hex')
    },
    payload: body
  }
}

const chatDelivery = (payload: unknown, secret = SECRET) => signedJson('chat', payload, secret)

t.test('a handshake is answered as the provider asks, once verified, and no handler runs', async t => {
  const app = Fastify()
  const ran: string[] = []
  await app.register(chat, {
    secret: SECRET,
    idempotency: { store: new MemoryStore() },
    onEvent: async event => { ran.push(event.type) },
    onUnknown: async event => { ran.push(`unknown ${event.type}`) }
  })
  const challenge = await app.inject(chatDelivery({ type: 'url_verification', challenge: 'c-123' }))
  t.same([challenge.statusCode, challenge.json()], [200, { challenge: 'c-123' }])
  const again = await app.inject(chatDelivery({ type: 'url_verification', challenge: 'c-123' }))
  t.same(again.json(), { challenge: 'c-123' }, 'answered again: a handshake is not an event to deduplicate')

  const ping = await app.inject(chatDelivery({ type: 'ping' }))
  t.same([ping.statusCode, ping.headers['content-type'], ping.body], [202, 'text/plain', 'pong'])

  const forged = await app.inject(chatDelivery({ type: 'url_verification', challenge: 'c-123' }, 'not-the-secret'))
  t.same([forged.statusCode, forged.json().code], [401, 'WEBHOOK_INVALID_SIGNATURE'], 'a forged handshake')
  t.same(ran, [], 'no handler ran')

  const message = await app.inject(chatDelivery({ type: 'message', id: 'm1', text: 'hi' }))
  t.same([message.statusCode, message.json()], [200, { received: true }], 'an event still is one')
  t.same(ran, ['message'])
})

t.test('the testing kit says a handshake is not an event', async t => {
  await t.rejects(
    kitReceive({}, { provider: chat, type: 'url_verification', payload: { type: 'url_verification', challenge: 'c' } }),
    { name: 'TypeError', message: /would answer this payload as a handshake/ }
  )
})

t.test('a form route documents its content type', async t => {
  const app = Fastify()
  await app.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
  await app.register(sms, { secret: SECRET })
  await app.ready()
  type Operation = { requestBody: { content: object }, responses: Record<string, { description: string }> }
  const operation = (app.swagger() as { paths: Record<string, { post: Operation }> }).paths['/webhooks/sms']!.post
  t.same(Object.keys(operation.requestBody.content), ['application/x-www-form-urlencoded'])
  t.equal(operation.responses['415']!.description, 'Content type is not application/x-www-form-urlencoded')
  const codes = (operation.responses['400'] as unknown as {
    content: { 'application/json': { schema: { properties: { code: { enum: string[] } } } } }
  }).content['application/json'].schema.properties.code.enum
  t.ok(codes.includes('WEBHOOK_INVALID_FORM') && !codes.includes('WEBHOOK_INVALID_JSON'), 'its own format\'s 400')
})

t.test('dispatch, with no store that keeps events, keeps an invalid event only through run', async t => {
  const refusal = new WebhookInvalidPayloadError('/text', 'must be string')
  const ran: string[] = []
  const invalidDispatch = (id: string, accept: boolean) => dispatch({
    idempotency: { store: new MemoryStore(), ttlMs: 1000, leaseMs: 1000 },
    key: `chat:${id}`,
    event: { provider: 'chat', id, type: 'message', payload: {}, receivedAt: new Date() },
    log: silentLogger,
    fields: {},
    run: async () => { ran.push(id); return true },
    invalid: { refusal, accept }
  })
  await t.rejects(invalidDispatch('m1', false), refusal, 'not accepted: refused, and run does not run')
  t.equal(await invalidDispatch('m2', true), 'kept-invalid', 'accepted: run is what keeps it')
  t.same(ran, ['m2'])
})

const Mail = Type.Object({ event: Type.String(), sg_event_id: Type.String(), email: Type.String() })
const mail = defineProvider({
  name: 'mail',
  scheme: hmacHex({ headers: ['x-mail-signature'] }),
  events: { delivered: Mail, open: Mail },
  // SendGrid's event webhook: one POST carries a JSON array of events.
  eventsOf: payload => Array.isArray(payload) ? payload : undefined,
  typeOf: payload => stringField(payload, 'event'),
  idOf: payload => stringField(payload, 'sg_event_id')
})

const mailDelivery = (payload: unknown) => signedJson('mail', payload)

const mailEvent = (event: string, id: string) => ({ event, sg_event_id: id, email: 'a@example.com' })

t.test('a batch: each event typed, deduplicated and handled on its own, in order', async t => {
  const app = Fastify()
  const ran: string[] = []
  const decorated: unknown[] = []
  let failOn: string | null = 'e5'
  await app.register(mail, {
    secret: SECRET,
    onEvent: async (event, request) => {
      decorated.push(request.webhook)
      if (event.id === failOn) throw new Error('the mail service is down')
      ran.push(`${event.type} ${event.id}`)
    }
  })
  const first = await app.inject(mailDelivery([mailEvent('delivered', 'e1'), mailEvent('open', 'e2')]))
  t.same([first.statusCode, first.json()], [200, { received: true }])
  t.same(ran, ['delivered e1', 'open e2'])
  t.same(decorated, [null, null], 'no one event on the request: request.webhook stays null')

  const again = await app.inject(mailDelivery([mailEvent('delivered', 'e1'), mailEvent('open', 'e2')]))
  t.same(again.json(), { received: true, duplicate: true }, 'all of them duplicates')
  const mixed = await app.inject(mailDelivery([mailEvent('delivered', 'e1'), mailEvent('open', 'e3')]))
  t.same(mixed.json(), { received: true }, 'one new among duplicates')
  t.same(ran, ['delivered e1', 'open e2', 'open e3'])

  const failing = await app.inject(mailDelivery([mailEvent('delivered', 'e4'), mailEvent('open', 'e5')]))
  t.same([failing.statusCode, failing.json().code], [500, 'WEBHOOK_HANDLER_FAILED'], 'one handler throws')
  failOn = null
  const retried = await app.inject(mailDelivery([mailEvent('delivered', 'e4'), mailEvent('open', 'e5')]))
  t.same(retried.json(), { received: true })
  t.same(ran.slice(3), ['delivered e4', 'open e5'], 'the retry runs only the one that failed')

  const invalid = await app.inject(mailDelivery([mailEvent('delivered', 'e6'), { event: 'open', sg_event_id: 'e7' }]))
  t.same([invalid.statusCode, invalid.json().code], [400, 'WEBHOOK_INVALID_PAYLOAD'], 'one event fails its schema')
  const unreadable = await app.inject(mailDelivery([mailEvent('delivered', 'e8'), null]))
  t.same([unreadable.statusCode, unreadable.json().code], [400, 'WEBHOOK_UNREADABLE_PAYLOAD'], 'one is no event')
  for (const payload of [[], { event: 'open' }]) {
    const none = await app.inject(mailDelivery(payload))
    t.same([none.statusCode, none.json().code], [400, 'WEBHOOK_UNREADABLE_PAYLOAD'], 'no events in the delivery')
  }
  t.equal(ran.length, 5, 'a delivery refused is refused whole')
})

t.test('a batch without event ids: each is the delivery\'s id and its place', async t => {
  const logs = defineProvider({
    name: 'logs',
    scheme: hmacHex({ headers: ['x-mail-signature'] }),
    events: { info: Type.Object({ level: Type.String() }), warn: Type.Object({ level: Type.String() }) },
    eventsOf: payload => (payload as { lines: unknown[] }).lines,
    typeOf: payload => stringField(payload, 'level')
  })
  const app = Fastify()
  const ids: string[] = []
  await app.register(logs, { secret: SECRET, onEvent: async event => { ids.push(event.id) } })
  const delivery = { ...mailDelivery({ lines: [{ level: 'info' }, { level: 'warn' }] }), url: '/webhooks/logs' }
  t.same((await app.inject(delivery)).json(), { received: true })
  const hash = createHash('sha256').update(delivery.payload).digest('hex')
  t.same(ids, [`${hash}#0`, `${hash}#1`])
  t.same((await app.inject(delivery)).json(), { received: true, duplicate: true }, 'the same bytes again')
  const notAList = await app.inject({ ...mailDelivery({ lines: 'none' }), url: '/webhooks/logs' })
  t.same([notAList.statusCode, notAList.json().code], [400, 'WEBHOOK_UNREADABLE_PAYLOAD'], 'no list found')
  const broken = await app.inject({ ...mailDelivery(null), url: '/webhooks/logs' })
  t.same([broken.statusCode, broken.json().code], [400, 'WEBHOOK_UNREADABLE_PAYLOAD'], 'a reader that throws')
})

t.test('the testing kit says a batch is not one event', async t => {
  await t.rejects(
    kitReceive({}, { provider: mail, type: 'open', payload: [mailEvent('open', 'k1')] as never }),
    { name: 'TypeError', message: /as several events/ }
  )
})

t.test("send's id of a batch: none, as each event carries its own", async t => {
  const { idOfEvent } = await import('../bin/send.js')
  const batch = JSON.stringify([mailEvent('delivered', 'e1'), mailEvent('open', 'e2')])
  t.equal(idOfEvent(mail.provider, batch, {}, undefined), undefined)
  t.equal(idOfEvent(mail.provider, 'not json', {}, undefined), undefined, 'a body that does not parse')
})
