/**
 * Square, proven against the `square` package's `WebhooksHelper.verifySignature` (it has no signer, so deliveries are
 * signed with node:crypto as Square's docs say, and the SDK verifies every one the suite signed): the notification
 * URL signed before the body, behind a proxy with `publicUrl` or `trustProxy`, what the kit and `send` put on the
 * wire, the CLI's `verify --url` naming a URL signed in another form, and hostile deliveries.
 */
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { WebhooksHelper } from 'square'
import t from 'tap'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { defineSquare, square } from '../../plugins/square.js'
import { deliver, fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend } from '../helpers/capture.js'

const SECRET = 'Ul7pmjSNB5vMGUN1gO3nkw'
const SECRET_2 = 'aS8tlXn5QFeXw7bPrUS2uA'
/** The notification URL as set on the subscription; the route is reached at another one, as behind a proxy. */
const PUBLIC = 'https://hooks.example.com'
const NOTIFICATION_URL = `${PUBLIC}/webhooks/square`

const signature = (url: string, body: string | Buffer, secret = SECRET): string =>
  createHmac('sha256', secret).update(url).update(body).digest('base64')

async function sdkVerifies (body: string, header: string, url: string, secret = SECRET): Promise<boolean> {
  return await WebhooksHelper.verifySignature({
    requestBody: body, signatureHeader: header, signatureKey: secret, notificationUrl: url
  })
}

const signedBySuite: Array<{ secret: string, header: string, body: string }> = []

/** Square's header for a delivery to the notification URL: base64 HMAC-SHA256 of the URL, then the body. */
function squareSigns (body: string | Buffer, args: { secret: string }): Record<string, string> {
  const header = signature(NOTIFICATION_URL, body, args.secret)
  signedBySuite.push({ secret: args.secret, header, body: body.toString() })
  return { 'x-square-hmacsha256-signature': header }
}

/** The plugin as an app behind a proxy registers it: `publicUrl` is the URL Square calls. */
async function behindProxy (app: FastifyInstance, options: Record<string, unknown>): Promise<void> {
  await app.register(square, { publicUrl: PUBLIC, ...options } as never)
}

const payment = fixtures.square['payment.updated']

providerSuite({
  name: 'square',
  plugin: behindProxy,
  scheme: { kind: 'oracle', header: 'x-square-hmacsha256-signature', timed: false, sign: squareSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.square,
  invalid: {
    payload: {
      ...payment,
      data: { ...payment.data, object: { payment: { ...payment.data.object.payment, status: 1 } } }
    },
    path: '/data/object/payment/status',
    reason: 'must be a string'
  },
  unknown: { ...payment, type: 'labor.shift.created', event_id: 'unknown-1' },
  expectedId: payload => (payload as { event_id: string }).event_id
})

t.test('square: WebhooksHelper.verifySignature accepts every delivery the suite signed', async t => {
  t.ok(signedBySuite.length > 20, `${signedBySuite.length} deliveries`)
  for (const { secret, header, body } of signedBySuite) {
    t.ok(await sdkVerifies(body, header, NOTIFICATION_URL, secret))
  }
  const [first] = signedBySuite
  t.notOk(await sdkVerifies(first!.body, first!.header, `${NOTIFICATION_URL}/`, first!.secret),
    'and refuses it for another URL: the check could fail')
})

async function receiver (options: Record<string, unknown> = {}, server: Record<string, unknown> = {}) {
  const app = Fastify(server)
  const seen: Array<{ type: string, id: string }> = []
  await app.register(square, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id }) },
    ...options
  })
  return { app, seen }
}

t.test('square: over real HTTP behind a proxy, the URL Square called is the one checked', async t => {
  const body = JSON.stringify(payment)
  const called = `${PUBLIC}/webhooks/square?location=main`
  const header = signature(called, body)
  t.ok(await sdkVerifies(body, header, called), 'signed as Square signs')
  const post = async (address: string, extra: Record<string, string> = {}) => {
    const headers = { 'content-type': 'application/json', 'x-square-hmacsha256-signature': header, ...extra }
    return (await fetch(`${address}/webhooks/square?location=main`, { method: 'POST', headers, body })).status
  }

  const proxied = await receiver({ publicUrl: PUBLIC })
  const at = await proxied.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => proxied.app.close())
  t.equal(await post(at), 200, 'publicUrl: the public URL, with the path and query the route got')
  t.match(proxied.seen, [{ type: 'payment.updated', id: payment.event_id }])

  const bare = await receiver()
  const bareAt = await bare.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => bare.app.close())
  t.equal(await post(bareAt), 401, 'without it, the URL Fastify sees (http://127.0.0.1:port) is not the one signed')
  const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' }
  t.equal(await post(bareAt, forwarded), 401, 'X-Forwarded-* are not trusted by default')

  const trusting = await receiver({}, { trustProxy: true })
  const trustingAt = await trusting.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => trusting.app.close())
  t.equal(await post(trustingAt, forwarded), 200, 'with trustProxy, the proxy\'s X-Forwarded-Proto and -Host')
  t.equal(bare.seen.length, 0)
})

t.test('square: a URL signed in another form is refused', async t => {
  const { app, seen } = await receiver({ publicUrl: PUBLIC })
  const body = JSON.stringify(payment)
  const post = async (signedUrl: string) => (await app.inject({
    method: 'POST',
    url: '/webhooks/square',
    headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': signature(signedUrl, body) },
    payload: body
  })).statusCode
  t.equal(await post(NOTIFICATION_URL), 200)
  for (const other of [
    `${NOTIFICATION_URL}/`, 'http://hooks.example.com/webhooks/square', 'https://hooks.example.com:443/webhooks/square',
    'https://other.example.com/webhooks/square', `${NOTIFICATION_URL}?x=1`, 'HTTPS://hooks.example.com/webhooks/square'
  ]) {
    t.equal(await post(other), 401, other)
  }
  t.equal(seen.length, 1)
})

t.test('square: the kit and the CLI sign the URL they post to, as WebhooksHelper verifies', async t => {
  const refund = fixtures.square['refund.created']
  const url = 'https://shop.example/webhooks/square'
  const signed = sign('square', refund, { secret: SECRET, url })
  t.ok(await sdkVerifies(signed.body, signed.headers['x-square-hmacsha256-signature']!, url))
  t.notOk(await sdkVerifies(signed.body, signed.headers['x-square-hmacsha256-signature']!, url, SECRET_2))
  t.throws(() => sign('square', refund, { secret: SECRET }), /Square signs the URL: give sign\(\) a url/)

  const { app, seen } = await receiver()
  const res = await deliver(app, 'square', fixtures.square['invoice.payment_made'], { secret: SECRET })
  t.equal(res.statusCode, 200, 'deliver signs the URL the route sees under inject')
  t.match(seen, [{ type: 'invoice.payment_made' }])

  const sent = await captureSend(['send', 'square', 'order.created', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const posted = /^POST (\S+)/.exec(sent.out)![1]!
  const [caught] = sent.caught
  const header = caught!.headers['x-square-hmacsha256-signature'] as string
  t.ok(await sdkVerifies(caught!.body.toString(), header, posted), `signed over ${posted}`)
  const event = JSON.parse(caught!.body.toString())
  t.not(event.event_id, fixtures.square['order.created'].event_id, 'a new event each send')
  t.match(sent.out, `(square, order.created, id ${event.event_id as string})`)
})

t.test('square: hostile signature headers and bodies get a coded 4xx, never a handler run', async t => {
  const { app, seen } = await receiver({ publicUrl: PUBLIC })
  const body = JSON.stringify(payment)
  const good = signature(NOTIFICATION_URL, body)
  const post = (headers: Record<string, string | string[]>, payload = body) => app.inject({
    method: 'POST', url: '/webhooks/square', headers: { 'content-type': 'application/json', ...headers }, payload
  })
  const name = 'x-square-hmacsha256-signature'
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['none', {}, 'WEBHOOK_MISSING_SIGNATURE'],
    ['only the legacy SHA-1 x-square-signature', {
      'x-square-signature': createHmac('sha1', SECRET).update(NOTIFICATION_URL + body).digest('base64')
    }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['the body alone signed', { [name]: createHmac('sha256', SECRET).update(body).digest('base64') },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['hex', { [name]: createHmac('sha256', SECRET).update(NOTIFICATION_URL + body).digest('hex') },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['without its padding', { [name]: good.replace(/=+$/, '') }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', { [name]: '' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['bad base64', { [name]: '%%%%' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { [name]: 'A'.repeat(5000) }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['sent twice', { [name]: [good, good] }, 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, headers, code] of cases) {
    const res = await post(headers)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, good, `${what}: no signature in the answer`)
  }
  const refused: Array<[string, string, string]> = [
    ['an array where an event is expected', '[{"type":"payment.updated"}]', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a known type without its event_id', JSON.stringify({ ...payment, event_id: undefined }),
      'WEBHOOK_INVALID_PAYLOAD'],
    ['not JSON', '{"type":', 'WEBHOOK_INVALID_JSON']
  ]
  for (const [what, payload, code] of refused) {
    const res = await post({ [name]: signature(NOTIFICATION_URL, payload) }, payload)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  const untyped = '{"event_id":"x"}'
  const noType = await post({ [name]: signature(NOTIFICATION_URL, untyped) }, untyped)
  t.equal(noType.statusCode, 200, 'a verified body without a type goes to onUnknown')
  t.equal(seen.length, 0)
})

t.test('square: the CLI\'s verify needs --url, and names a URL signed in another form', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-square-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const body = JSON.stringify(payment)
  const verify = async (headers: Record<string, string>, ...extra: string[]) => {
    await writeFile(join(dir, 'headers.json'), JSON.stringify(headers))
    await writeFile(join(dir, 'body'), body)
    let out = ''
    const args = ['verify', 'square', '--headers', join(dir, 'headers.json'), '--body', join(dir, 'body'), ...extra]
    const code = await main(args, { out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {} })
    return { code, out }
  }
  const signedOver = (url: string) => ({ 'x-square-hmacsha256-signature': signature(url, body) })
  const good = signedOver(NOTIFICATION_URL)
  t.same(await verify(good, '--secret', SECRET, '--url', NOTIFICATION_URL),
    { code: 0, out: 'verified: the signature matches\n' })

  const mistakes: Array<[string, Record<string, string>, string, RegExp]> = [
    ['http, not https', good, 'http://hooks.example.com/webhooks/square', /another URL: https:\/\/hooks\.example\.com\/webhooks\/square \(https, not http\)/],
    ['a trailing slash', good, `${NOTIFICATION_URL}/`, /another URL: \S+ \(no trailing slash\)/],
    ['the app\'s own port behind a proxy', good, 'https://hooks.example.com:3000/webhooks/square', /\(no port, not 3000\)/],
    ['the default port written out', signedOver('https://hooks.example.com:443/webhooks/square'), NOTIFICATION_URL,
      /\(the port 443\)/],
    ['a query the sender does not send', good, `${NOTIFICATION_URL}?debug=1`, /\(no query string\)/],
    ['the host a proxy rewrote', { ...good, host: '127.0.0.1:3000', 'x-forwarded-host': 'hooks.example.com' },
      'http://127.0.0.1:3000/webhooks/square', /\(https, not http, the host hooks\.example\.com, not 127\.0\.0\.1, no port, not 3000\)/]
  ]
  for (const [what, headers, url, summary] of mistakes) {
    const run = await verify(headers, '--secret', SECRET, '--url', url)
    t.equal(run.code, 1, what)
    t.match(run.out, summary, what)
    t.match(run.out, 'publicUrl', what)
    t.notMatch(run.out, SECRET, `${what}: no secret printed`)
  }
  const slashless = await verify(good, '--secret', SECRET, '--url', 'https:hooks.example.com/webhooks/square')
  t.equal(slashless.code, 1, 'a URL written without // is no URL a sender calls: no variant of it is tried')
  t.match(slashless.out, 'no signature matched')
  const wrong = await verify(good, '--secret', SECRET_2, '--url', NOTIFICATION_URL)
  t.equal(wrong.code, 1)
  t.match(wrong.out, 'no signature matched')
  t.match(wrong.out, 'square signs the URL too', 'a wrong secret: the URL is named as a suspect too')

  const usage = await verify(good, '--secret', SECRET)
  t.equal(usage.code, 2)
  t.match(usage.out, '--url <url> is required: square signs the URL it posts to')
  t.match((await verify(good, '--secret', SECRET, '--url', 'ftp://x')).out, '--url "ftp://x" is not an http or https URL')
  const pulse = await main(['verify', 'pulse', '--secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '--headers',
    join(dir, 'headers.json'), '--body', join(dir, 'body'), '--url', NOTIFICATION_URL], {
    out: () => {}, err: text => { t.match(text, '--url: pulse does not sign the URL') }, env: {}
  })
  t.equal(pulse, 2)
})

t.test('square: defineSquare adds event schemas, and yours win over ours', async t => {
  const mine = defineSquare({
    events: {
      'labor.shift.created': Type.Object({ type: Type.Literal('labor.shift.created'), event_id: Type.String() }, {
        examples: [{ type: 'labor.shift.created', event_id: 'shift-1' }]
      })
    }
  })
  const app = Fastify()
  const shifts: string[] = []
  await app.register(mine, { secret: SECRET, on: { 'labor.shift.created': async event => { shifts.push(event.id) } } })
  const res = await deliver(app, mine, { type: 'labor.shift.created', event_id: 'shift-2' }, { secret: SECRET })
  t.equal(res.statusCode, 200)
  t.same(shifts, ['shift-2'])
  t.equal(defineSquare({ name: 'square-sandbox' }).provider.name, 'square-sandbox')
})
