/**
 * Paddle Billing, proven against @paddle/paddle-node-sdk: the SDK has no signer, so deliveries are signed with
 * node:crypto as Paddle's docs say and the SDK's `isSignatureValid` confirms each one; what our testing kit and the
 * CLI's `send` sign passes the SDK's `unmarshal`; hostile signature headers get a coded 4xx with no handler run.
 */
import { createHmac } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Paddle } from '@paddle/paddle-node-sdk'
import fc from 'fast-check'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { definePaddle, paddle } from '../../plugins/paddle.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend } from '../helpers/capture.js'

const SECRET = 'pdl_ntfset_01hv8wt8nffez4p2t6typn4a5j_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI'
const SECRET_2 = 'pdl_ntfset_01hv8x29kz0t586xy6zn1a62ny_Qw8rT5yU2iO9pA3sD6fG1hJ4kL7zX0cV'
// Only the webhooks helpers are used: no API call is made, so the key is never checked.
const sdk = new Paddle('pdl_sdbx_apikey_unused')
const now = (): number => Math.floor(Date.now() / 1000)
const hmacHex = (key: string, text: string): string => createHmac('sha256', key).update(text).digest('hex')

/**
 * Paddle's signature, as its docs define it. The SDK confirms each one it can judge: it refuses anything signed
 * over 5 s ago by its own clock (and takes any future timestamp), so older ones are signed the same way unconfirmed.
 */
async function paddleConfirms (body: string, secret: string, header: string): Promise<boolean> {
  return await sdk.webhooks.isSignatureValid(body, secret, header)
}
const pending: Array<Promise<void>> = []
function paddleSigns (body: string | Buffer, args: { secret: string, timestamp?: number | undefined }) {
  const ts = args.timestamp ?? now()
  const header = `ts=${ts};h1=${hmacHex(args.secret, `${ts}:${body}`)}`
  if (now() - ts < 4) {
    pending.push(paddleConfirms(body.toString(), args.secret, header).then(ok => {
      if (!ok) throw new Error('the Paddle SDK refused a signature made as its docs say')
    }))
  }
  return { 'paddle-signature': header }
}
t.afterEach(async () => {
  await Promise.all(pending.splice(0))
})

const completed = fixtures.paddle['transaction.completed']

providerSuite({
  name: 'paddle',
  plugin: paddle,
  scheme: { kind: 'oracle', header: 'paddle-signature', timed: true, sign: paddleSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.paddle,
  invalid: {
    payload: { ...completed, data: { ...completed.data, status: 7 } },
    path: '/data/status',
    reason: 'must be a string'
  },
  unknown: { ...completed, event_id: 'evt_unknown', event_type: 'adjustment.created', data: { id: 'adj_1' } },
  // The key is the event's `evt_…` id, the same on every retry.
  expectedId: payload => (payload as { event_id: string }).event_id,
  tolerance: 5
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, timestamp: number }> = []
  await app.register(paddle, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id, timestamp: event.timestamp }) },
    ...options
  })
  const post = (headers: Record<string, string | string[]>, body: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/paddle',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  return { app, seen, post }
}

t.test('paddle: the kit and the CLI sign what the SDK\'s unmarshal accepts', async t => {
  for (const [type, each] of Object.entries(fixtures.paddle)) {
    const delivery = sign('paddle', each, { secret: SECRET })
    // The SDK builds its own entity of every sample: the samples have what Paddle's payloads have.
    const entity = await sdk.webhooks.unmarshal(delivery.body, SECRET, delivery.headers['paddle-signature']!)
    t.equal(entity.eventType, type, `${type}: signed by the kit, unmarshalled by the SDK`)
  }
  const payload = fixtures.paddle['subscription.canceled']
  const signed = sign('paddle', payload, { secret: SECRET })
  const event = await sdk.webhooks.unmarshal(signed.body, SECRET, signed.headers['paddle-signature']!)
  t.equal(event.eventId, payload.event_id)
  t.equal(event.eventType, 'subscription.canceled')
  await t.rejects(
    sdk.webhooks.unmarshal(signed.body, SECRET_2, signed.headers['paddle-signature']!),
    /signature verification failed/,
    'and refuses it under another secret'
  )

  const sent = await captureSend(['send', 'paddle', 'transaction.paid', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  const delivered = await sdk.webhooks.unmarshal(
    caught!.body.toString(), SECRET, caught!.headers['paddle-signature'] as string
  )
  t.equal(delivered.eventType, 'transaction.paid')
  t.match(delivered.eventId, /^evt_[0-9a-f]{26}$/, 'send makes a new event id each time')
  t.match(sent.out, `id ${delivered.eventId}`, 'send names the id the route dedupes on')

  let secret = ''
  t.equal(await main(['secret', 'paddle'], { out: text => { secret += text }, err: () => {}, env: {} }), 0)
  t.match(secret, /^pdl_ntfset_\S+$/, 'secret gives a pdl_ntfset_ secret')
  const own = sign('paddle', payload, { secret })
  t.ok(await sdk.webhooks.isSignatureValid(own.body, secret, own.headers['paddle-signature']!), 'that Paddle accepts')
})

t.test('paddle: random bodies and secrets agree with the SDK both ways', async t => {
  const { scheme } = paddle.provider
  await fc.assert(fc.asyncProperty(
    fc.string({ minLength: 1, maxLength: 40 }).filter(s => s.trim() === s),
    fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
    async (tail, extra) => {
      const secret = `pdl_ntfset_${tail}`
      const body = JSON.stringify({ ...completed, data: { ...completed.data, custom_data: extra } })
      // Signed as the docs say (and so confirmed by the SDK), verified by ours.
      const theirs = paddleSigns(body, { secret })
      t.ok(scheme.verify([scheme.parseSecret(secret)], theirs, Buffer.from(body), { now: now(), tolerance: 5 }).ok)
      // Ours, verified by the SDK.
      const ours = scheme.sign(secret, body)
      t.ok(await sdk.webhooks.isSignatureValid(body, secret, ours['paddle-signature']!))
    }
  ), { numRuns: 100 })
})

t.test('paddle: the entries of Paddle-Signature', async t => {
  // A wider window than Paddle's 5 s, so that a slow machine does not turn these cases into stale ones.
  const { post, seen } = await receiver({ idempotency: false, tolerance: 300 })
  const body = JSON.stringify(completed)
  const ts = now()
  const good = hmacHex(SECRET, `${ts}:${body}`)
  const other = hmacHex(SECRET_2, `${ts}:${body}`)
  const accepted: Array<[string, string | string[]]> = [
    ['one h1', `ts=${ts};h1=${good}`],
    ['rotating: the new secret\'s h1 after the old one\'s', `ts=${ts};h1=${other};h1=${good}`],
    // The SDK looks at the last h1 only, and would refuse this one: any of them counts here.
    ['rotating: the matching h1 first', `ts=${ts};h1=${good};h1=${other}`],
    ['entries in another order', `h1=${good};ts=${ts}`],
    ['an entry Paddle may add later', `ts=${ts};h1=${good};h2=abc`],
    // Node joins a repeated header with ", ": the second copy's entries are no `ts` and no `h1` of the first.
    ['sent twice', [`ts=${ts};h1=${good}`, `ts=${ts};h1=${good}`]]
  ]
  for (const [what, header] of accepted) {
    const res = await post({ 'paddle-signature': header }, body)
    t.equal(res.statusCode, 200, what)
  }
  t.notOk(
    await sdk.webhooks.isSignatureValid(body, SECRET, `ts=${ts};h1=${good};h1=${other}`),
    'the SDK reads only the last h1'
  )
  const at = (stamp: number): string => `ts=${stamp};h1=${hmacHex(SECRET, `${stamp}:${body}`)}`
  const refused: Array<[string, string | string[], string]> = [
    ['no ts entry', `h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['no h1 entry', `ts=${ts}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['Stripe\'s separator', `ts=${ts},h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['ts twice', `ts=${ts};ts=${ts};h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['ts not a number', `ts=${ts}x;h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['ts in milliseconds', `ts=${ts * 1000};h1=${hmacHex(SECRET, `${ts * 1000}:${body}`)}`,
      'WEBHOOK_MALFORMED_SIGNATURE'],
    ['ts empty', `ts=;h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['ts an hour old', at(ts - 3600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['ts an hour ahead', at(ts + 3600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['ts huge', `ts=${'9'.repeat(400)};h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['the signature of another timestamp', `ts=${ts - 1};h1=${good}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['signed over <ts>.<body>, as Stripe signs', `ts=${ts};h1=${hmacHex(SECRET, `${ts}.${body}`)}`,
      'WEBHOOK_INVALID_SIGNATURE'],
    ['uppercase hex', `ts=${ts};h1=${good.toUpperCase()}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['base64 where hex goes', `ts=${ts};h1=${Buffer.from(good, 'hex').toString('base64')}`,
      'WEBHOOK_INVALID_SIGNATURE'],
    ['a truncated signature', `ts=${ts};h1=${good.slice(0, 40)}`, 'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', '', 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['garbage', ';;;===;', 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['over 4 KiB', `ts=${ts};${`h1=${other};`.repeat(70)}h1=${good}`, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['a forged ts in a first copy', [`ts=${ts + 30};h1=${other}`, `ts=${ts};h1=${good}`], 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, header, code] of refused) {
    const res = await post({ 'paddle-signature': header }, body)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, good, `${what}: no signature in the answer`)
  }
  t.equal(seen.length, accepted.length, 'no handler ran for a refused one')
  t.equal(seen[0]!.timestamp, ts, 'the event has the signed timestamp')
})

t.test('paddle: the window is the SDK\'s 5 s by default, both ways; tolerance widens it', async t => {
  const body = JSON.stringify(completed)
  const at = (stamp: number) => ({ 'paddle-signature': `ts=${stamp};h1=${hmacHex(SECRET, `${stamp}:${body}`)}` })
  const strict = await receiver({ idempotency: false })
  t.equal((await strict.post(at(now() - 2), body)).statusCode, 200, '2 s old')
  const stale = await strict.post(at(now() - 30), body)
  t.equal(stale.statusCode, 401, '30 s old')
  t.equal(stale.json().code, 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE')
  t.equal((await strict.post(at(now() + 30), body)).statusCode, 401, '30 s ahead, which the SDK would take')
  t.ok(
    await sdk.webhooks.isSignatureValid(body, SECRET, at(now() + 30)['paddle-signature']),
    'the SDK bounds the age only'
  )
  const loose = await receiver({ idempotency: false, tolerance: 60 })
  t.equal((await loose.post(at(now() - 30), body)).statusCode, 200, 'tolerance: 60')
  t.equal(paddle.provider.scheme.tolerance, 5)
})

t.test('paddle: bodies Paddle never sends are a 400, not a handler run', async t => {
  const { post, seen } = await receiver()
  for (const [what, body, code] of [
    ['an array', JSON.stringify([completed]), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['null', 'null', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a known type without data', JSON.stringify({ ...completed, data: undefined }), 'WEBHOOK_INVALID_PAYLOAD'],
    ['__proto__', JSON.stringify(completed).replace('{', '{"__proto__":{"x":1},'), 'WEBHOOK_INVALID_JSON']
  ] as const) {
    const res = await post(paddleSigns(body, { secret: SECRET }), body)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  t.equal(seen.length, 0)
})

t.test('paddle: a retry to the same or another destination is a duplicate: event_id is the key', async t => {
  const { post, seen } = await receiver()
  const first = JSON.stringify(completed)
  t.same((await post(paddleSigns(first, { secret: SECRET }), first)).json(), { received: true })
  const again = JSON.stringify({ ...completed, notification_id: 'ntf_01hv8x2aanotherdestination0' })
  const res = await post(paddleSigns(again, { secret: SECRET }), again)
  t.same(res.json(), { received: true, duplicate: true })
  t.same(seen.map(event => event.id), [completed.event_id])
})

t.test('paddle: definePaddle adds event schemas, and yours win over ours', async t => {
  const Adjustment = Type.Object({
    event_id: Type.String(),
    event_type: Type.Literal('adjustment.created'),
    data: Type.Object({ id: Type.String(), action: Type.String() })
  }, { examples: [{ event_id: 'evt_adj', event_type: 'adjustment.created', data: { id: 'adj_1', action: 'refund' } }] })
  const mine = definePaddle({ events: { 'adjustment.created': Adjustment } })
  const app = Fastify()
  const refunds: string[] = []
  await app.register(mine, {
    secret: SECRET,
    on: { 'adjustment.created': async event => { refunds.push(event.payload.data.action) } }
  })
  const body = JSON.stringify(fixtures.paddle['customer.created'])
  const adjustment = JSON.stringify({
    event_id: 'evt_adj', event_type: 'adjustment.created', data: { id: 'adj_1', action: 'refund' }
  })
  for (const each of [adjustment, body]) {
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/paddle',
      headers: { 'content-type': 'application/json', ...paddleSigns(each, { secret: SECRET }) },
      payload: each
    })
    t.equal(res.statusCode, 200, 'the shipped ones stay')
  }
  t.same(refunds, ['refund'])
  t.equal(definePaddle({ name: 'paddle-sandbox' }).provider.name, 'paddle-sandbox')
  await t.rejects(
    async () => { await Fastify().register(paddle, { secret: '6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI' }).ready() },
    /pdl_ntfset_/,
    'a secret without pdl_ntfset_ is refused at registration'
  )
})

t.test('paddle: the CLI\'s verify names a secret used without its prefix, and a re-serialized body', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-paddle-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const body = JSON.stringify(completed, null, 2)
  const ts = now()
  const verify = async (key: string, secret: string, signedBody = body, at = ts, extra: string[] = []) => {
    const headers = join(dir, 'headers.json')
    const signature = `ts=${at};h1=${hmacHex(key, `${at}:${signedBody}`)}`
    await writeFile(headers, JSON.stringify({ 'Paddle-Signature': signature }))
    await writeFile(join(dir, 'body'), body)
    let out = ''
    const args = ['verify', 'paddle', '--headers', headers, '--body', join(dir, 'body'), '--secret', secret, ...extra]
    const code = await main(args, {
      out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {}
    })
    return { code, out }
  }
  const right = await verify(SECRET, SECRET)
  t.equal(right.code, 0, right.out)
  const unprefixed = await verify(SECRET.slice('pdl_ntfset_'.length), SECRET)
  t.equal(unprefixed.code, 1)
  t.match(unprefixed.out, 'the sender used the secret without its "pdl_ntfset_" prefix as the key')
  const cut = await verify(SECRET, SECRET.slice('pdl_ntfset_'.length))
  t.equal(cut.code, 1)
  t.match(cut.out, 'must start with "pdl_ntfset_"')
  const stale = await verify(SECRET, SECRET, body, ts - 30)
  t.equal(stale.code, 1, 'the route\'s 5 s window, by default')
  t.match(stale.out, /the signature matches, but its timestamp is 3\d s in the past \(tolerance 5 s\)/)
  t.equal((await verify(SECRET, SECRET, body, ts - 30, ['--tolerance', '60'])).code, 0, '--tolerance 60')
  const compact = await verify(SECRET, SECRET, JSON.stringify(completed))
  t.equal(compact.code, 1)
  t.match(compact.out, 'the body was re-serialized')
  t.notMatch(unprefixed.out + cut.out + compact.out, SECRET.slice(12), 'no secret printed')
})
