/**
 * The scheme blocks on a real route: body formats chosen by content type (JSON, a form, JSON in a form's `payload`
 * field), 415 for any other, and the URL a URL-signing scheme checks: `publicUrl` as a base or a function, or the
 * host and protocol Fastify sees (behind a proxy with `trustProxy`). Signatures are made with node:crypto.
 */
import { createHmac } from 'node:crypto'
import Fastify, { type FastifyServerOptions } from 'fastify'
import t from 'tap'
import { mediaType } from '../lib/core/body-format.js'
import { ecdsa, ed25519, hmac } from '../lib/schemes/index.js'
import { receive, sign } from '../lib/testing/kit.js'
import { byContentType, defineProvider, formBody, jsonBody, jsonInForm, stringField } from '../plugins/index.js'

const SECRET = 'route-secret'
const FORM = 'application/x-www-form-urlencoded'

/** Slack's shape: JSON events, and forms whose `payload` field holds JSON, or plain forms. */
const slackish = defineProvider({
  name: 'slackish',
  scheme: hmac({ signature: { header: 'x-sig' } }),
  body: byContentType([jsonBody, jsonInForm('payload', { orForm: true })]),
  events: {},
  anyType: true,
  typeOf: payload => stringField(payload, 'type') ?? stringField(payload, 'command')
})

/** Twilio's shape: HMAC-SHA1 base64 of the URL as the sender saw it then the sorted form fields. */
const twilioish = defineProvider({
  name: 'twilioish',
  scheme: hmac({ digest: 'sha1', encoding: 'base64', signed: '{url}{body}', signature: { header: 'x-sig' } }),
  body: jsonInForm('payload'),
  events: {},
  anyType: true,
  typeOf: payload => stringField(payload, 'type')
})

function hexSig (body: string): string {
  return createHmac('sha256', SECRET).update(body).digest('hex')
}

function urlSig (url: string, body: string): string {
  return createHmac('sha1', SECRET).update(url).update(body).digest('base64')
}

async function app (
  plugin: typeof slackish | typeof twilioish,
  options: object = {},
  server: FastifyServerOptions = {}
) {
  const seen: unknown[] = []
  const instance = Fastify(server)
  await instance.register(plugin as typeof slackish, {
    secret: SECRET, ...options, onEvent: async (event: { payload: unknown }) => { seen.push(event.payload) }
  })
  return { instance, seen }
}

t.test('byContentType: JSON, JSON in a payload field, a plain form; anything else is a 415', async t => {
  const { instance, seen } = await app(slackish)
  t.teardown(() => instance.close())
  const post = (contentType: string, payload: string) => instance.inject({
    method: 'POST',
    url: '/webhooks/slackish',
    headers: { 'content-type': contentType, 'x-sig': hexSig(payload) },
    payload
  })

  const json = JSON.stringify({ type: 'event_callback', n: 1 })
  t.equal((await post('application/json; charset=utf-8', json)).statusCode, 200)
  const inForm = new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', n: 2 }) }).toString()
  t.equal((await post(FORM, inForm)).statusCode, 200)
  const command = new URLSearchParams({ command: '/deploy', text: 'now' }).toString()
  t.equal((await post(`${FORM}; charset=utf-8`, command)).statusCode, 200)
  t.same(seen, [
    { type: 'event_callback', n: 1 },
    { type: 'block_actions', n: 2 },
    { command: '/deploy', text: 'now' }
  ])

  const text = await post('text/plain', 'hello')
  t.equal(text.statusCode, 415)
  t.equal(text.json().code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')

  // JSON that is not JSON, and a form whose payload field is not JSON or is there twice: coded 400s.
  const notJson = await post('application/json', '{"type":')
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.json().code, 'WEBHOOK_INVALID_JSON')
  const badField = await post(FORM, 'payload=%7Bnope')
  t.equal(badField.statusCode, 400)
  t.equal(badField.json().code, 'WEBHOOK_INVALID_FORM')
  const twice = await post(FORM, 'payload=%7B%7D&payload=%7B%7D')
  t.equal(twice.statusCode, 400)
  t.equal(twice.json().code, 'WEBHOOK_INVALID_FORM')
  const notUtf8 = Buffer.from([0x61, 0x3d, 0xff])
  const binary = await instance.inject({
    method: 'POST',
    url: '/webhooks/slackish',
    headers: { 'content-type': FORM, 'x-sig': createHmac('sha256', SECRET).update(notUtf8).digest('hex') },
    payload: notUtf8
  })
  t.equal(binary.statusCode, 400)
  t.equal(binary.json().code, 'WEBHOOK_INVALID_FORM')
  t.equal(seen.length, 3)
})

t.test('jsonInForm without orForm: a form without the field is a 400, JSON a 415', async t => {
  const { instance, seen } = await app(twilioish, { publicUrl: 'https://example.com/' })
  t.teardown(() => instance.close())
  const url = 'https://example.com/webhooks/twilioish?x=1'
  const post = (contentType: string, payload: string, signedUrl = url) => instance.inject({
    method: 'POST',
    url: '/webhooks/twilioish?x=1',
    headers: { 'content-type': contentType, 'x-sig': urlSig(signedUrl, payload) },
    payload
  })
  const form = new URLSearchParams({ payload: JSON.stringify({ type: 'ping' }) }).toString()
  t.equal((await post(FORM, form)).statusCode, 200, 'the base URL and the request path and query are signed')
  t.same(seen, [{ type: 'ping' }])
  const plain = await post(FORM, 'type=ping')
  t.equal(plain.statusCode, 400)
  t.equal(plain.json().code, 'WEBHOOK_INVALID_FORM')
  t.equal((await post('application/json', '{"type":"ping"}')).statusCode, 415)
  const elsewhere = await post(FORM, form, 'http://localhost:80/webhooks/twilioish?x=1')
  t.equal(elsewhere.statusCode, 401, 'the URL Fastify sees is not the one signed')
  t.equal(seen.length, 1)
})

t.test('publicUrl as a function: its URL is the one checked', async t => {
  const asked: string[] = []
  const { instance, seen } = await app(twilioish, {
    publicUrl: (request: { url: string }) => {
      asked.push(request.url)
      return `https://hooks.example.net/in${request.url}`
    }
  })
  t.teardown(() => instance.close())
  const form = new URLSearchParams({ payload: JSON.stringify({ type: 'ping' }) }).toString()
  const post = (signedUrl: string) => instance.inject({
    method: 'POST',
    url: '/webhooks/twilioish',
    headers: { 'content-type': FORM, 'x-sig': urlSig(signedUrl, form) },
    payload: form
  })
  t.equal((await post('https://hooks.example.net/in/webhooks/twilioish')).statusCode, 200)
  t.equal((await post('https://example.com/webhooks/twilioish')).statusCode, 401)
  t.same(asked, ['/webhooks/twilioish', '/webhooks/twilioish'])
  t.equal(seen.length, 1)
})

t.test('no publicUrl: the protocol and host Fastify sees, X-Forwarded-* only with trustProxy', async t => {
  const form = new URLSearchParams({ payload: JSON.stringify({ type: 'ping' }) }).toString()
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.example.org' }
  const post = (instance: Awaited<ReturnType<typeof app>>['instance'], signedUrl: string) => instance.inject({
    method: 'POST',
    url: '/webhooks/twilioish?a=b',
    headers: { 'content-type': FORM, host: 'internal:8080', ...forwarded, 'x-sig': urlSig(signedUrl, form) },
    payload: form
  })
  const proxied = await app(twilioish, {}, { trustProxy: true })
  t.teardown(() => proxied.instance.close())
  t.equal((await post(proxied.instance, 'https://public.example.org/webhooks/twilioish?a=b')).statusCode, 200)
  t.equal((await post(proxied.instance, 'http://internal:8080/webhooks/twilioish?a=b')).statusCode, 401)

  const direct = await app(twilioish)
  t.teardown(() => direct.instance.close())
  t.equal((await post(direct.instance, 'http://internal:8080/webhooks/twilioish?a=b')).statusCode, 200)
  t.equal((await post(direct.instance, 'https://public.example.org/webhooks/twilioish?a=b')).statusCode, 401)
})

t.test('publicUrl that is not a base URL is refused at registration', async t => {
  for (const publicUrl of ['example.com', 'ftp://example.com', 'https://example.com/?q=1', 'https://e.com/#x', 42]) {
    const instance = Fastify()
    await t.rejects(async () => { await instance.register(twilioish, { secret: SECRET, publicUrl } as never).ready() },
      /publicUrl/, String(publicUrl))
    await instance.close()
  }
})

t.test('byContentType and jsonInForm: what the kit sends, and shapes that cannot work', async t => {
  const both = byContentType([jsonInForm('payload'), jsonBody])
  t.same(both.contentTypes, [FORM, 'application/json'])
  t.equal(both.title, 'a form whose "payload" field holds JSON or JSON')
  t.equal(both.serialize!({ a: 1 }), 'payload=%7B%22a%22%3A1%7D')
  t.equal(both.select!('application/json'), jsonBody)
  t.equal(both.select!('text/plain'), both.select!(FORM), 'a type no route takes: the first format')
  t.throws(() => both.parse(Buffer.from('{}'), {}), /parse the selected format/)
  t.equal(byContentType([jsonBody]).serialize, undefined)
  t.same([mediaType(undefined), mediaType(['a/b', 'c/d']), mediaType(' Text/Plain ; x=1')], ['', '', 'text/plain'])
  t.equal(byContentType([formBody]).serialize!({ To: '+1555', MediaUrl: ['b', 'a'], n: 1 }),
    'To=%2B1555&MediaUrl=b&MediaUrl=a&n=1')
  t.throws(() => byContentType([]), /no format given/)
  t.throws(() => byContentType([jsonBody, jsonBody]), /two formats take application\/json/)
  const slack = jsonInForm()
  t.same(slack.parse(Buffer.from('payload=%7B%22__proto__%22%3A1%7D'), { protoAction: 'remove' }), {})
  t.throws(() => slack.parse(Buffer.from('payload=%7B%22__proto__%22%3A1%7D'), { protoAction: 'error' }))
  t.match(slack.malformed.error(), { code: 'WEBHOOK_INVALID_FORM', statusCode: 400 })
})

t.test('the testing kit sends each format as its sender does', async t => {
  const url = 'https://example.com/webhooks/twilioish'
  const form = sign(twilioish, { type: 'ping' } as never, { secret: SECRET, url })
  t.equal(form.headers['content-type'], FORM)
  t.equal(form.body, 'payload=%7B%22type%22%3A%22ping%22%7D')
  t.equal(form.headers['x-sig'], urlSig(url, form.body))
  const json = sign(slackish, { type: 'event_callback' } as never, { secret: SECRET })
  t.equal(json.headers['content-type'], 'application/json')
  t.equal(json.body, '{"type":"event_callback"}')
  const event = { provider: twilioish, type: 'ping', payload: { type: 'ping' } }
  const got = await receive({ onEvent: async () => {} }, event)
  t.match(got, { type: 'ping', payload: { type: 'ping' } })
})

t.test('public-key blocks: options and keys they refuse', async t => {
  const signature = { header: 'x-sig' }
  t.throws(() => ed25519(undefined as never), /needs its options/)
  t.throws(() => ed25519({ signature, encoding: 'base32' as 'hex' }), /option "encoding" must be "hex" or "base64"/)
  const prefixed = ed25519({ signature, publicKey: { encoding: 'base64', prefix: 'ed_' } })
  t.match(prefixed.secretFormat, /"ed_" followed by its 32 bytes in base64/)
  t.throws(() => prefixed.parseSecret(Buffer.alloc(32).toString('base64')), /must start with "ed_"/)
  t.throws(() => prefixed.parseSecret('ed_not base64!'), /must be "ed_" followed by base64/)
  t.equal(prefixed.claims('ed_x'), true)
  const pair = prefixed.generateKeyPair!()
  const signed = prefixed.sign(pair.secretKey, 'hello')
  const keys = [prefixed.parseSecret(pair.publicKey)]
  t.match(prefixed.verify(keys, signed, Buffer.from('hello'), { now: 0, tolerance: 1 }), { ok: true })
  t.match(prefixed.verify(keys, { 'x-sig': 'ab'.repeat(100) }, Buffer.from('hello'), { now: 0, tolerance: 1 }),
    { reason: 'invalid-signature' }, 'longer than any signature')
  t.throws(() => ecdsa(undefined as never), /needs its options/)
  const sendgrid = ecdsa({ signature })
  t.equal(sendgrid.claims(sendgrid.generateSecret()), false)
  const { secretKey } = sendgrid.generateKeyPair!()
  const pem = `-----BEGIN PRIVATE KEY-----\n${secretKey}\n-----END PRIVATE KEY-----\n`
  t.throws(() => sendgrid.parseSecret(pem), /is a PEM "PRIVATE KEY", not a "PUBLIC KEY"/)
  t.throws(() => sendgrid.parseSecret('not base64!'), /must be the base64 of a DER public key/)
})
