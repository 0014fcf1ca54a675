/**
 * Twilio, proven against the `twilio` package: every delivery of the suite is signed by `getExpectedTwilioSignature`
 * over the public URL and the form's fields (behind a proxy, `publicUrl`), what the kit and `send` put on the wire
 * passes `validateRequest`, the URL is taken with or without its port as `validateRequest` takes it, requests are
 * typed by their fields, and hostile deliveries get a coded 4xx with no handler run.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'node:querystring'
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import twilioSdk from 'twilio'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { defineTwilio, twilio } from '../../plugins/twilio.js'
import { deliver, fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend } from '../helpers/capture.js'

const TOKEN = '12345678901234567890123456789012'
const TOKEN_2 = 'abcdefabcdefabcdefabcdefabcdef12'
/** The URL set on the number in Twilio's console; the route is reached at another one, as behind a proxy. */
const PUBLIC = 'https://public.example'
const CALLED = `${PUBLIC}/webhooks/twilio`
const FORM = 'application/x-www-form-urlencoded'

/** A form of a payload's fields, a list as the field once per value (as Twilio sends `MediaUrl` twice). */
function form (payload: unknown): string {
  const fields = new URLSearchParams()
  for (const [name, value] of Object.entries(payload as Record<string, string | string[]>)) {
    for (const each of Array.isArray(value) ? value : [value]) fields.append(name, each)
  }
  return fields.toString()
}

/** The SDK's signature of a form posted to `url`: its fields as Express hands them to it (a list for a repeat). */
const sdkSignature = (token: string, url: string, body: string | Buffer): string =>
  twilioSdk.getExpectedTwilioSignature(token, url, parse(body.toString()) as Record<string, string | string[]>)

const sdkValidates = (token: string, signature: string, url: string, body: string): boolean =>
  twilioSdk.validateRequest(token, signature, url, parse(body) as Record<string, string | string[]>)

function twilioSigns (body: string | Buffer, args: { secret: string, id?: string | undefined }) {
  return {
    'x-twilio-signature': sdkSignature(args.secret, CALLED, body),
    'i-twilio-idempotency-token': args.id ?? randomUUID()
  }
}

/** The plugin as an app behind a proxy registers it: `publicUrl` is the host Twilio calls. */
async function behindProxy (app: FastifyInstance, options: Record<string, unknown>): Promise<void> {
  await app.register(twilio, { publicUrl: PUBLIC, ...options } as never)
}

const incoming = fixtures.twilio['message.incoming']

providerSuite({
  name: 'twilio',
  plugin: behindProxy,
  scheme: { kind: 'oracle', header: 'x-twilio-signature', timed: false, sign: twilioSigns },
  secret: TOKEN,
  otherSecret: TOKEN_2,
  samples: fixtures.twilio,
  invalid: { payload: { ...incoming, To: ['+15558675310', '+15558675311'] }, path: '/To', reason: 'must be a string' },
  // A Conversations webhook: none of the fields the types are read from.
  unknown: { AccountSid: incoming.AccountSid, EventType: 'onMessageAdded', ConversationSid: 'CH1' },
  // Every UTF-8 body is a form, and one that is not UTF-8 has no fields to sign: no signed body fails to parse.
  format: { contentType: FORM, serialize: form, unparsable: null }
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown }> = []
  const unknown: unknown[] = []
  await app.register(twilio, {
    secret: TOKEN,
    publicUrl: PUBLIC,
    onEvent: event => { seen.push({ type: event.type, id: event.id, payload: event.payload }) },
    onUnknown: event => { unknown.push(event.payload) },
    ...options
  })
  const post = (body: string, headers: Record<string, string | string[]>, url = '/webhooks/twilio') => app.inject({
    method: 'POST', url, headers: { 'content-type': FORM, ...headers }, payload: body
  })
  return { app, seen, unknown, post }
}

t.test('twilio: over real HTTP behind a proxy, with and without the default port, as validateRequest', async t => {
  const body = form(incoming)
  const { app, seen } = await receiver()
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const bare = Fastify()
  await bare.register(twilio, { secret: TOKEN })
  const bareAt = await bare.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => bare.close())
  const post = async (at: string, signedUrl: string) => (await fetch(`${at}/webhooks/twilio?channel=sms`, {
    method: 'POST',
    headers: { 'content-type': FORM, 'x-twilio-signature': sdkSignature(TOKEN, signedUrl, body) },
    body
  })).status
  for (const signedUrl of [`${CALLED}?channel=sms`, 'https://public.example:443/webhooks/twilio?channel=sms']) {
    const signature = sdkSignature(TOKEN, signedUrl, body)
    t.ok(sdkValidates(TOKEN, signature, `${CALLED}?channel=sms`, body), `the SDK takes ${signedUrl}`)
    t.equal(await post(address, signedUrl), 200, signedUrl)
  }
  t.equal(await post(address, 'https://public.example:8443/webhooks/twilio?channel=sms'), 401, 'another port')
  t.equal(await post(address, `${CALLED}/?channel=sms`), 401, 'a trailing slash')
  t.equal(await post(address, 'http://public.example/webhooks/twilio?channel=sms'), 401, 'http, not https')
  t.equal(await post(address, CALLED), 401, 'without the query string')
  t.equal(await post(bareAt, `${CALLED}?channel=sms`), 401, 'without publicUrl: the URL Fastify sees')
  t.equal(await post(bareAt, `${bareAt}/webhooks/twilio?channel=sms`), 200, 'which is then the one to sign')
  t.equal(seen.length, 1, 'the second, the same body without an idempotency token, is a duplicate')
  t.same(seen[0]!.payload, incoming, 'the fields, as strings')
})

t.test('twilio: each request is typed by its fields; none of them goes to onUnknown', async t => {
  const { post, seen, unknown } = await receiver()
  const cases: Array<[string, Record<string, string>]> = [
    ['message.incoming', { AccountSid: 'AC1', MessageSid: 'SM1', From: '+1', To: '+2', Body: 'hi' }],
    ['message.incoming', {
      AccountSid: 'AC1', SmsMessageSid: 'SM2', MessageSid: 'SM2', From: '+1', To: '+2', Body: ''
    }],
    ['message.status', { AccountSid: 'AC1', MessageSid: 'SM3', MessageStatus: 'failed', ErrorCode: '30003' }],
    ['call.incoming', {
      AccountSid: 'AC1', CallSid: 'CA1', From: '+1', To: '+2', CallStatus: 'ringing', Direction: 'inbound'
    }],
    ['call.status', {
      AccountSid: 'AC1', CallSid: 'CA1', CallStatus: 'ringing', CallbackSource: 'call-progress-events'
    }],
    ['recording.status', {
      AccountSid: 'AC1', CallSid: 'CA1', RecordingSid: 'RE1', RecordingUrl: 'https://x', RecordingStatus: 'absent'
    }]
  ]
  for (const [type, fields] of cases) {
    const body = form(fields)
    const res = await post(body, { 'x-twilio-signature': sdkSignature(TOKEN, CALLED, body) })
    t.equal(res.statusCode, 200, `${type}: ${res.body}`)
    t.match(seen.at(-1), { type, payload: fields }, type)
  }
  const none = form({ AccountSid: 'AC1', EventType: 'onMessageAdded' })
  t.equal((await post(none, { 'x-twilio-signature': sdkSignature(TOKEN, CALLED, none) })).statusCode, 200)
  t.equal(unknown.length, 1)
  // The SmsMessageSid alone, without the MessageSid every message carries, is typed and then fails the schema.
  const old = form({ AccountSid: 'AC1', SmsMessageSid: 'SM9', From: '+1', To: '+2', Body: 'hi' })
  const refused = await post(old, { 'x-twilio-signature': sdkSignature(TOKEN, CALLED, old) })
  t.equal(refused.statusCode, 400)
  t.match(refused.json(), { code: 'WEBHOOK_INVALID_PAYLOAD', message: /at \/: must have property "MessageSid"/ })
  t.equal(seen.length, cases.length)
})

t.test('twilio: repeated and missing fields, and a handler that answers TwiML', async t => {
  const { post, seen } = await receiver({
    on: {
      'message.incoming': async (
        _event: unknown,
        _request: unknown,
        reply: { type (t: string): { send (b: string): void } }
      ) => {
        reply.type('text/xml').send('<Response><Message>Thanks</Message></Response>')
      }
    }
  })
  const media = `${form(incoming)}&MediaUrl0=https%3A%2F%2Fb.example&MediaUrl0=https%3A%2F%2Fa.example`
  const signature = sdkSignature(TOKEN, CALLED, media)
  t.ok(sdkValidates(TOKEN, signature, CALLED, media), 'the SDK signs a repeated field: each value, sorted')
  const answered = await post(media, { 'x-twilio-signature': signature })
  t.equal(answered.statusCode, 200)
  t.equal(answered.headers['content-type'], 'text/xml')
  t.equal(answered.body, '<Response><Message>Thanks</Message></Response>', 'the handler\'s TwiML, as it sent it')
  t.same((seen.at(-1)!.payload as Record<string, unknown>).MediaUrl0, ['https://b.example', 'https://a.example'])

  const swapped = `${form(incoming)}&MediaUrl0=https%3A%2F%2Fa.example&MediaUrl0=https%3A%2F%2Fb.example`
  t.equal((await post(swapped, { 'x-twilio-signature': signature })).statusCode, 200,
    'the same values in another order sign the same, as Twilio\'s rule has it')

  const refused: Array<[string, string]> = [
    ['Body twice', `${form(incoming)}&Body=again`],
    ['no Body', form({ ...incoming, Body: undefined }).replace(/&?Body=undefined/, '')]
  ]
  for (const [what, body] of refused) {
    const res = await post(body, { 'x-twilio-signature': sdkSignature(TOKEN, CALLED, body) })
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, 'WEBHOOK_INVALID_PAYLOAD', what)
  }
  t.equal(seen.length, 2)
})

t.test('twilio: the idempotency token keys a retry; without it, the body', async t => {
  const { post, seen } = await receiver()
  const body = form(fixtures.twilio['call.status'])
  const signature = { 'x-twilio-signature': sdkSignature(TOKEN, CALLED, body) }
  const token = { ...signature, 'i-twilio-idempotency-token': 'idem-1' }
  t.same((await post(body, token)).json(), { received: true })
  t.same((await post(body, token)).json(), { received: true, duplicate: true }, 'a retry of the same request')
  t.same((await post(body, signature)).json(), { received: true })
  t.equal(seen.at(-1)!.id, createHash('sha256').update(body).digest('hex'))
  t.same(seen.map(event => event.id), ['idem-1', seen[1]!.id])
})

t.test('twilio: hostile signature headers and bodies get a coded 4xx, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = form(incoming)
  const good = sdkSignature(TOKEN, CALLED, body)
  const name = 'x-twilio-signature'
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['none', {}, 'WEBHOOK_MISSING_SIGNATURE'],
    ['hex', { [name]: Buffer.from(good, 'base64').toString('hex') }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['HMAC-SHA256 of the same', {
      [name]: createHmac('sha256', TOKEN).update(CALLED + 'x').digest('base64')
    }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['signed over the URL alone', { [name]: createHmac('sha1', TOKEN).update(CALLED).digest('base64') },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['signed over the raw body', { [name]: createHmac('sha1', TOKEN).update(CALLED + body).digest('base64') },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', { [name]: '' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['bad base64', { [name]: '***' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { [name]: 'A'.repeat(5000) }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['sent twice', { [name]: [good, good] }, 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, headers, code] of cases) {
    const res = await post(body, headers)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, good, `${what}: no signature in the answer`)
  }
  const notUtf8 = Buffer.from([0x42, 0x6f, 0x64, 0x79, 0x3d, 0xff])
  const binary = await post(notUtf8 as never, { [name]: good })
  t.equal(binary.statusCode, 401, 'a body that is not UTF-8 has no form to sign')
  const json = JSON.stringify(incoming)
  const bodyHashed = `${CALLED}?bodySHA256=${createHash('sha256').update(json).digest('hex')}`
  const jsonRes = await post(json, { 'content-type': 'application/json', [name]: sdkSignature(TOKEN, bodyHashed, '') },
    `/webhooks/twilio?bodySHA256=${createHash('sha256').update(json).digest('hex')}`)
  t.equal(jsonRes.statusCode, 415, 'a JSON body (bodySHA256) is not taken')
  t.equal(seen.length, 0)
})

t.test('twilio: the kit and the CLI sign what validateRequest accepts, over the URL they post to', async t => {
  const status = fixtures.twilio['message.status']
  const url = 'https://api.example.com/webhooks/twilio?account=main'
  const signed = sign('twilio', status, { secret: TOKEN, url })
  t.equal(signed.headers['content-type'], FORM)
  t.ok(sdkValidates(TOKEN, signed.headers['x-twilio-signature']!, url, signed.body))
  t.notOk(sdkValidates(TOKEN_2, signed.headers['x-twilio-signature']!, url, signed.body))
  t.same({ ...parse(signed.body) }, status, 'the fields, as a form')

  const { app, seen } = await receiver({ publicUrl: undefined })
  const res = await deliver(app, 'twilio', fixtures.twilio['recording.status'], { secret: TOKEN })
  t.equal(res.statusCode, 200, 'deliver signs the URL the route sees under inject')
  t.match(seen, [{ type: 'recording.status' }])

  const sent = await captureSend(['send', 'twilio', '--secret', TOKEN])
  t.equal(sent.code, 0, sent.out)
  const posted = /^POST (\S+)/.exec(sent.out)![1]!
  const [caught] = sent.caught
  t.equal(caught!.headers['content-type'], FORM)
  t.ok(sdkValidates(TOKEN, caught!.headers['x-twilio-signature'] as string, posted, caught!.body.toString()),
    `signed over ${posted}`)
  const fields = new URLSearchParams(caught!.body.toString())
  t.not(fields.get('MessageSid'), incoming.MessageSid, 'a new message each send')
  t.equal(fields.get('SmsMessageSid'), fields.get('MessageSid'))
  t.match(sent.out, `(twilio, message.incoming, id ${caught!.headers['i-twilio-idempotency-token'] as string})`)
})

t.test('twilio: the CLI\'s verify takes the URL with or without its port, and names an http one', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-twilio-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const body = form(incoming)
  const verify = async (signedUrl: string, url: string) => {
    const headers = { 'X-Twilio-Signature': sdkSignature(TOKEN, signedUrl, body) }
    await writeFile(join(dir, 'headers.json'), JSON.stringify(headers))
    await writeFile(join(dir, 'body'), body)
    let out = ''
    const args = ['verify', 'twilio', '--headers', join(dir, 'headers.json'), '--body', join(dir, 'body'),
      '--secret', TOKEN, '--url', url]
    const code = await main(args, { out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {} })
    return { code, out }
  }
  t.same(await verify(CALLED, CALLED), { code: 0, out: 'verified: the signature matches\n' })
  t.equal((await verify('https://public.example:443/webhooks/twilio', CALLED)).code, 0, 'the default port written out')
  const http = await verify(CALLED, 'http://public.example/webhooks/twilio')
  t.equal(http.code, 1)
  t.match(http.out, 'the signature matches another URL: https://public.example/webhooks/twilio (https, not http)')
})

t.test('twilio: defineTwilio adds schemas, and yours win over ours', async t => {
  const mine = defineTwilio({
    events: {
      'message.incoming': Type.Object({ MessageSid: Type.String(), Body: Type.Literal('STOP') }, {
        examples: [{ MessageSid: 'SM1', Body: 'STOP' }]
      })
    }
  })
  const app = Fastify()
  const stops: string[] = []
  await app.register(mine, {
    secret: TOKEN,
    on: { 'message.incoming': async event => { stops.push(event.payload.Body) } }
  })
  t.equal((await deliver(app, mine, { MessageSid: 'SM2', Body: 'STOP' }, { secret: TOKEN })).statusCode, 200)
  const other = await deliver(app, mine, { MessageSid: 'SM3', Body: 'hello' } as never, { secret: TOKEN })
  t.equal(other.statusCode, 400, 'your schema, not ours')
  t.same(stops, ['STOP'])
  t.equal(defineTwilio({ name: 'twilio-voice' }).provider.name, 'twilio-voice')
})
