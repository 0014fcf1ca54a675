/**
 * Linear, proven against @linear/sdk's webhook client: its `verify` (the lowercase hex HMAC-SHA256 of the raw body
 * from `Linear-Signature`, compared in constant time, then the body's `webhookTimestamp` held to ±60 s) and
 * `parseData`. Deliveries are signed with node:crypto as Linear's docs say and each is confirmed by the SDK; what the
 * kit and `send` put on the wire is handed to it too, and its own handler receives the kit's deliveries over HTTP.
 * Then the body's timestamp (expired, future, missing, not a number), retries and hostile headers.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { defineLinear, linear, linearScheme } from '../../plugins/linear.js'
import { deliver, fixtures, sign } from '../../lib/testing/kit.js'
import { diagnose } from '../../lib/schemes/diagnose.js'
import { providers } from '../../plugins/registry.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend, type Captured } from '../helpers/capture.js'

const SECRET = 'lin_wh_s3cRe7-of-the-linear-webhook'
const SECRET_2 = 'lin_wh_another-webhook-secret-0123'

/** Whether the SDK's `verify` takes the delivery whole: signature, then the body's timestamp. */
function sdkAccepts (secret: string, body: string | Buffer, signature: string): boolean {
  try {
    return new LinearWebhookClient(secret).verify(Buffer.from(body), signature)
  } catch {
    return false
  }
}

/** Whether the SDK's signature check passes (what it says after that is about the body, not the signature). */
function sdkSignatureHolds (secret: string, body: string | Buffer, signature: string): boolean {
  try {
    return new LinearWebhookClient(secret).verify(Buffer.from(body), signature)
  } catch (err) {
    return (err as Error).message !== 'Invalid webhook signature'
  }
}

/** Linear's signature, as its docs define it (the body's HMAC, hex), each one confirmed by the SDK's check. */
function linearSigns (
  body: string | Buffer,
  args: { secret: string, id?: string | undefined, type?: string | undefined }
): Record<string, string> {
  const signature = createHmac('sha256', args.secret).update(body).digest('hex')
  if (!sdkSignatureHolds(args.secret, body, signature)) throw new Error('the SDK refuses this signature')
  return {
    'linear-signature': signature,
    'linear-delivery': args.id ?? randomUUID(),
    'linear-event': args.type ?? 'Issue'
  }
}

/** A payload as Linear sends it now: `webhookTimestamp` in milliseconds, `ago` seconds in the past. */
function fresh<P extends object> (payload: P, ago = 0): P & { webhookTimestamp: number } {
  return { ...payload, webhookTimestamp: Date.now() - ago * 1000 }
}

const issue = fixtures.linear.Issue
const samples = Object.fromEntries(Object.entries(fixtures.linear).map(([type, payload]) => [type, fresh(payload)]))

providerSuite({
  name: 'linear',
  plugin: linear,
  // The timestamp is the body's, which a header-only signer cannot move: the window has its own tests below.
  scheme: { kind: 'oracle', header: 'linear-signature', timed: false, sign: linearSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples,
  invalid: {
    payload: fresh({ ...issue, data: { ...issue.data, identifier: 5 } }),
    path: '/data/identifier',
    reason: 'must be a string'
  },
  unknown: fresh({ ...issue, type: 'Document', data: { id: 'doc_1', title: 'Runbook' } }),
  tolerance: 60
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown, timestamp: unknown }> = []
  await app.register(linear, {
    secret: SECRET,
    onEvent: event => {
      seen.push({ type: event.type, id: event.id, payload: event.payload, timestamp: event.timestamp })
    },
    ...options
  })
  const post = (body: string, headers: Record<string, string | string[]>) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/linear',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      payload: body
    })
  return { app, seen, post }
}

t.test('linear: deliveries the SDK accepts, over real HTTP, are handled once, typed by the body\'s type', async t => {
  const { app, seen } = await receiver()
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const { port } = app.server.address() as AddressInfo
  const id = randomUUID()
  const body = JSON.stringify(fresh({ ...fixtures.linear.Comment, action: 'remove' }))
  const headers = linearSigns(body, { secret: SECRET, id, type: 'Comment' })
  t.ok(sdkAccepts(SECRET, body, headers['linear-signature']!), 'the SDK takes it whole')
  t.match(new LinearWebhookClient(SECRET).parseData(Buffer.from(body), headers['linear-signature']!), {
    type: 'Comment', action: 'remove'
  })
  const post = (bytes: string, sent: Record<string, string>) => fetch(`http://127.0.0.1:${port}/webhooks/linear`, {
    method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...sent }, body: bytes
  })
  const res = await post(body, headers)
  t.equal(res.status, 200)
  t.same(await res.json(), { received: true })
  t.match(seen, [{ type: 'Comment', id, payload: { action: 'remove', data: { id: fixtures.linear.Comment.data.id } } }])
  const stamp = (seen[0]!.payload as { webhookTimestamp: number }).webhookTimestamp
  t.equal(seen[0]!.timestamp, Math.floor(stamp / 1000), 'event.timestamp: the body\'s, in whole seconds')

  // Linear's retry: the same Linear-Delivery, re-signed with a new webhookTimestamp.
  const retry = JSON.stringify(fresh({ ...fixtures.linear.Comment, action: 'remove' }, 5))
  const again = await post(retry, linearSigns(retry, { secret: SECRET, id, type: 'Comment' }))
  t.same(await again.json(), { received: true, duplicate: true })

  // Without the header, the body's hash is the id: the same bytes are a duplicate.
  const { 'linear-delivery': _, ...headerless } = linearSigns(body, { secret: SECRET })
  t.same(await (await post(body, headerless)).json(), { received: true })
  t.same(await (await post(body, headerless)).json(), { received: true, duplicate: true })
  t.match(seen[1]!.id, /^[0-9a-f]{64}$/)
  t.equal(seen.length, 2)
})

t.test('linear: the body\'s webhookTimestamp, checked as the SDK checks it, once the signature matched', async t => {
  const { post, seen } = await receiver()
  const at = (webhookTimestamp: unknown) => JSON.stringify({ ...issue, webhookTimestamp })
  const cases: Array<[string, string, string]> = [
    ['two minutes ago', at(Date.now() - 120_000), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['two minutes ahead', at(Date.now() + 120_000), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['the example\'s, long past', JSON.stringify(issue), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['absent', JSON.stringify({ ...issue, webhookTimestamp: undefined }), 'WEBHOOK_MISSING_SIGNATURE'],
    ['null', at(null), 'WEBHOOK_MISSING_SIGNATURE'],
    ['a string of digits', at(String(Date.now())), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['an ISO date', at(new Date().toISOString()), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['negative', at(-1), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['an object', at({ ms: Date.now() }), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['an array body', '[1,2]', 'WEBHOOK_MISSING_SIGNATURE']
  ]
  for (const [what, body, code] of cases) {
    const headers = linearSigns(body, { secret: SECRET })
    t.notOk(sdkAccepts(SECRET, body, headers['linear-signature']!), `${what}: the SDK refuses it too`)
    const res = await post(body, headers)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
  }
  // A field twice: the last one counts, for JSON.parse, the SDK and the engine's parser alike.
  const twice = `{"webhookTimestamp":${Date.now() - 600_000},${at(Date.now()).slice(1)}`
  const twiceHeaders = linearSigns(twice, { secret: SECRET })
  t.ok(sdkAccepts(SECRET, twice, twiceHeaders['linear-signature']!), 'the SDK reads the last')
  t.equal((await post(twice, twiceHeaders)).statusCode, 200, 'and so do we')
  const staleLast = `${at(Date.now()).slice(0, -1)},"webhookTimestamp":${Date.now() - 600_000}}`
  const staleHeaders = linearSigns(staleLast, { secret: SECRET })
  t.notOk(sdkAccepts(SECRET, staleLast, staleHeaders['linear-signature']!))
  t.equal((await post(staleLast, staleHeaders)).json().code, 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE')
  // The signature first: a forged body is refused for its signature, whatever its timestamp says.
  const forged = await post(at(null), { 'linear-signature': 'ab'.repeat(32) })
  t.equal(forged.json().code, 'WEBHOOK_INVALID_SIGNATURE')
  // The deprecated Linear-Timestamp header is signed by nothing, and read by neither the SDK nor us.
  const body = at(Date.now() - 50_000)
  const res = await post(body, { ...linearSigns(body, { secret: SECRET }), 'linear-timestamp': '1' })
  t.equal(res.statusCode, 200, '50 s ago, a stale header beside it')
  t.equal(seen.length, 2)
  const wide = await receiver({ tolerance: 600 })
  const late = at(Date.now() - 300_000)
  t.equal((await wide.post(late, linearSigns(late, { secret: SECRET }))).statusCode, 200, 'tolerance widens it')
})

t.test('linear: hostile signature headers get a 401, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(fresh(issue))
  const good = linearSigns(body, { secret: SECRET })
  const hex = good['linear-signature']!
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    // The SDK compares the lowercase hex as text: uppercase is refused by both.
    ['uppercase hex', { ...good, 'linear-signature': hex.toUpperCase() }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['sha256= prefixed', { ...good, 'linear-signature': `sha256=${hex}` }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['base64', { ...good, 'linear-signature': Buffer.from(hex, 'hex').toString('base64') },
      'WEBHOOK_INVALID_SIGNATURE'],
    ['not hex', { ...good, 'linear-signature': 'z'.repeat(64) }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { ...good, 'linear-signature': 'a'.repeat(5000) }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['the signature twice', { ...good, 'linear-signature': [hex, hex] }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', { ...good, 'linear-signature': '' }, 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, headers, code] of cases) {
    const signature = headers['linear-signature']
    if (typeof signature === 'string') t.notOk(sdkAccepts(SECRET, body, signature), `${what}: the SDK refuses it`)
    const res = await post(body, headers)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, hex, `${what}: no signature in the answer`)
  }
  const untyped = JSON.stringify(fresh({ ...issue, type: undefined }))
  const res = await post(untyped, linearSigns(untyped, { secret: SECRET }))
  t.equal(res.statusCode, 200, 'no type: verified, and handed to onUnknown')
  t.equal(seen.length, 0)
})

t.test('linear: what the kit and send put on the wire, fresh, is accepted by the SDK', async t => {
  const signed = sign('linear', fixtures.linear.Issue, { secret: SECRET, type: 'Issue', id: 'delivery-1' })
  t.ok(sdkAccepts(SECRET, signed.body, signed.headers['linear-signature']!), 'the kit stamps a fresh timestamp')
  t.notOk(sdkAccepts(SECRET_2, signed.body, signed.headers['linear-signature']!))
  t.match(signed.headers, { 'linear-event': 'Issue', 'linear-delivery': 'delivery-1' })
  const age = Date.now() - (JSON.parse(signed.body) as { webhookTimestamp: number }).webhookTimestamp
  t.ok(age >= 0 && age < 60_000, 'within the SDK\'s minute')
  const old = sign('linear', fixtures.linear.Issue, { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 120 })
  t.notOk(sdkAccepts(SECRET, old.body, old.headers['linear-signature']!), 'given an old time, stale')
  t.ok(sdkSignatureHolds(SECRET, old.body, old.headers['linear-signature']!), 'but signed all the same')
  const bytes = JSON.stringify(issue)
  t.equal(sign('linear', bytes, { secret: SECRET }).body, bytes, 'a string is sent as it is, unstamped')

  // The SDK's own handler receives the kit's deliveries.
  const handler = new LinearWebhookClient(SECRET).createHandler()
  const got: string[] = []
  handler.on('Project', payload => { got.push(`${payload.type}.${payload.action}`) })
  const server = createServer((req, res) => { handler(req, res).catch(() => {}) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const { port } = server.address() as AddressInfo
  const project = sign('linear', fixtures.linear.Project, { secret: SECRET, type: 'Project' })
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: project.headers, body: project.body })
  t.equal(res.status, 200)
  t.same(got, ['Project.update'])

  const sent = await captureSend(['send', 'linear', 'Comment', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught as [Captured]
  t.ok(sdkAccepts(SECRET, caught.body, caught.headers['linear-signature'] as string), 'send: accepted by the SDK')
  t.match(sent.out, `id ${caught.headers['linear-delivery'] as string}`, 'send names the delivery id')

  const retries = await captureSend(['send', 'linear', '--repeat', '2', '--secret', SECRET])
  const [one, two] = retries.caught as [Captured, Captured]
  t.equal(one.headers['linear-delivery'], two.headers['linear-delivery'], 'send --repeat: one Linear-Delivery')
  t.ok(sdkAccepts(SECRET, two.body, two.headers['linear-signature'] as string), 'each stamped and signed anew')

  const stale = await captureSend(['send', 'linear', '--stale', '--secret', SECRET])
  const [late] = stale.caught as [Captured]
  t.ok(sdkSignatureHolds(SECRET, late.body, late.headers['linear-signature'] as string), 'send --stale: signed')
  t.notOk(sdkAccepts(SECRET, late.body, late.headers['linear-signature'] as string), 'but refused by the SDK')
  const { app } = await receiver()
  const refused = await app.inject({
    method: 'POST', url: '/webhooks/linear', headers: late.headers as Record<string, string>, payload: late.body
  })
  t.equal(refused.json().code, 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE', 'and by us')
  const delivered = await deliver(app, 'linear', fixtures.linear.Cycle, { secret: SECRET, type: 'Cycle' })
  t.same(delivered.json(), { received: true }, 'the kit\'s deliver stamps it too')
})

t.test('linear: the scheme, on a vector signed by Python\'s hmac', async t => {
  // python3 -c "import hmac,hashlib; print(hmac.new(b'secret',
  //   b'{\"type\":\"Issue\",\"webhookTimestamp\":1700000000123}', hashlib.sha256).hexdigest())"
  const body = Buffer.from('{"type":"Issue","webhookTimestamp":1700000000123}')
  const headers = { 'linear-signature': '4cd1f51267708038e90bf94d10c0327e89d175dad6b1dd190d85be11cbfa871b' }
  const at = { now: 1_700_000_030, tolerance: 60 }
  t.match(linearScheme.verify([linearScheme.parseSecret('secret')], headers, body, at),
    { ok: true, id: undefined, meta: { timestamp: 1_700_000_000 } })
  t.match(linearScheme.verify([linearScheme.parseSecret('secret')], headers, body, { ...at, now: 1_700_000_061 }),
    { ok: false, reason: 'timestamp-outside-tolerance' })
  t.equal(linearScheme.precheck!(headers, at), undefined, 'the timestamp waits for the body')
  t.equal(linearScheme.tolerance, 60)
  t.ok(linearScheme.signsTimestamp)
})

t.test('linear: defineLinear adds schemas', async t => {
  const mine = defineLinear({
    events: {
      Document: Type.Object({ type: Type.Literal('Document'), data: Type.Object({ title: Type.String() }) }, {
        examples: [{ type: 'Document', data: { title: 'Runbook' } }]
      })
    }
  })
  const app = Fastify()
  const titles: string[] = []
  await app.register(mine, { secret: SECRET, on: { Document: event => { titles.push(event.payload.data.title) } } })
  const body = JSON.stringify(fresh({ type: 'Document', action: 'create', data: { title: 'Runbook' } }))
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/linear',
    headers: { 'content-type': 'application/json', ...linearSigns(body, { secret: SECRET, type: 'Document' }) },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(titles, ['Runbook'])
  t.equal(defineLinear({ name: 'linear-alt' }).provider.name, 'linear-alt')
})

t.test('linear: verify tells an old capture, a re-serialized body and a wrong secret apart', async t => {
  const payload = { ...issue, webhookTimestamp: Date.now() - 300_000 }
  const body = JSON.stringify(payload)
  const headers = linearSigns(body, { secret: SECRET })
  const others = Object.values(providers).map(plugin => plugin.provider)
  const input = {
    provider: linear.provider, others, secrets: [SECRET], headers, now: Math.floor(Date.now() / 1000), tolerance: 60
  }
  const old = diagnose({ ...input, body: Buffer.from(body) })
  t.match(old, { ok: false, summary: /^the signature matches, but its timestamp is 30\d s in the past/ })
  t.match(diagnose({ ...input, body: Buffer.from(body), tolerance: 600 }), { ok: true, summary: /signed 30\d s ago/ })
  const pretty = diagnose({ ...input, body: Buffer.from(JSON.stringify(payload, null, 2)), tolerance: 600 })
  t.match(pretty, { ok: false, hints: [/./, /re-serialized|pretty|parsed/] })
  t.match(diagnose({ ...input, body: Buffer.from(body), secrets: [SECRET_2], tolerance: 600 }), { ok: false })
})
