/**
 * SendGrid's Event Webhook, proven against @sendgrid/eventwebhook: its own spec's signed deliveries verify here; it
 * has no signer, so deliveries are signed with node:crypto's ECDSA as SendGrid's docs say and its verifySignature
 * confirms each, and what our testing kit and the CLI's `send` sign. A delivery is a JSON array of events, each
 * deduplicated and handled on its own: what a failing handler does to the rest is tested here.
 */
import { createHash, createPrivateKey, sign as ecdsaSign, type KeyObject } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { defineSendGrid, sendgrid } from '../../plugins/sendgrid.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend, type Captured } from '../helpers/capture.js'
import { p256Base64 } from '../helpers/sign.js'

const PAIR = p256Base64()
const PAIR_2 = p256Base64()
const SIGNATURE = 'x-twilio-email-event-webhook-signature'
const TIMESTAMP = 'x-twilio-email-event-webhook-timestamp'
const sdk = new EventWebhook()
const now = (): number => Math.floor(Date.now() / 1000)

/** The secret key of each public key the tests hand the route. */
const secretKeys = new Map<string, KeyObject>([PAIR, PAIR_2].map(pair => [
  pair.publicKey,
  createPrivateKey({ key: Buffer.from(pair.secretKey, 'base64'), format: 'der', type: 'pkcs8' })
]))

/** The SDK's verify of a body and its two headers under a public key (base64 DER, as SendGrid shows it). */
function sdkVerifies (body: string | Buffer, signature: string, timestamp: string, publicKey = PAIR.publicKey) {
  return sdk.verifySignature(sdk.convertPublicKeyToECDSA(publicKey), body, signature, timestamp)
}

/** SendGrid's signature, as its docs define it; the SDK confirms each one. `secret` is the receiver's public key. */
function sendgridSigns (body: string | Buffer, args: { secret: string, timestamp?: number | undefined }) {
  const timestamp = String(args.timestamp ?? now())
  const message = Buffer.concat([Buffer.from(timestamp), Buffer.from(body)])
  const signature = ecdsaSign('sha256', message, { key: secretKeys.get(args.secret)!, dsaEncoding: 'der' })
    .toString('base64')
  if (!sdkVerifies(body, signature, timestamp, args.secret)) {
    throw new Error('@sendgrid/eventwebhook refused a signature made as SendGrid\'s docs say')
  }
  return { [SIGNATURE]: signature, [TIMESTAMP]: timestamp }
}

const delivered = fixtures.sendgrid.delivered

providerSuite({
  name: 'sendgrid',
  plugin: sendgrid,
  scheme: { kind: 'oracle', header: SIGNATURE, timed: true, sign: sendgridSigns },
  secret: PAIR.publicKey,
  otherSecret: PAIR_2.publicKey,
  samples: fixtures.sendgrid,
  invalid: { payload: { ...delivered, email: ['sam@example.com'] }, path: '/email', reason: 'must be a string' },
  unknown: { ...delivered, sg_event_id: 'unknown-0', event: 'machine_opened' },
  expectedId: payload => (payload as { sg_event_id: string }).sg_event_id,
  // SendGrid posts a list of events, here of one.
  wrap: payload => [payload]
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string }> = []
  const unknown: string[] = []
  await app.register(sendgrid, {
    secret: PAIR.publicKey,
    onEvent: event => { seen.push({ type: event.type, id: event.id }) },
    onUnknown: event => { unknown.push(event.type) },
    ...options
  })
  const signed = (body: string) => sendgridSigns(body, { secret: PAIR.publicKey })
  const post = (body: string, headers: Record<string, string | string[]> = signed(body)) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  return { app, seen, unknown, post }
}

/** A delivery as SendGrid writes one: the events, a CRLF after each. */
const crlf = (events: readonly unknown[]): string => JSON.stringify(events).split('},{').join('},\r\n{') + '\r\n'

t.test('sendgrid: the SDK\'s own signed deliveries verify, and their events are handled, each once', async t => {
  // The vectors of @sendgrid/eventwebhook's own tests (src/eventwebhook.spec.js), signed by SendGrid.
  const single = {
    publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRa' +
      'INXvVpiglSI8eNEc6wEA3F+g==',
    signature: 'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=',
    timestamp: '1600112502',
    body: JSON.stringify([{
      email: 'hello@world.com',
      event: 'dropped',
      reason: 'Bounced Address',
      sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
      sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
      'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
      timestamp: 1600112492
    }]) + '\r\n'
  }
  const multiple = {
    publicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQ4LIFtWztlsF7skFqOncjD1lun4H5w8XOhyOArHW9RcIx/FfEzx6cikC/yPfUv' +
      'waX/JScE7Fc9CJD2afQ9Ok3Q==',
    signature: 'MEYCIQC/I4o6vCgqRYrTljjoVWB/GRWNtxeePlLMHr3x9ETeRQIhAIpV+03nREPTTHWSW0wIOA0EoMPdcNgXa70yCaqDJlu5',
    timestamp: '1619651159',
    body: crlf([
      {
        email: 'invalid@gmail.com',
        event: 'processed',
        send_at: 0,
        sg_event_id: 'cHJvY2Vzc2VkLTE5OTQyMTEyLXFOd0JMZ1BRUWpXNkRKdktRd1NBYnctMA',
        sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
        'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>',
        timestamp: 1619651146
      },
      {
        email: 'invalid@gmail.com',
        event: 'bounce',
        ip: '167.89.101.76',
        reason: '552 5.2.2 The email account that you tried to reach is over quota and inactive. Please direct the ' +
          'recipient to https://support.google.com/mail/?p=OverQuotaPerm c17si1130468pgv.34 - gsmtp',
        sg_event_id: 'Ym91bmNlLTAtMTk5NDIxMTItcU53QkxnUFFRalc2REp2S1F3U0Fidy0w',
        sg_message_id: 'qNwBLgPQQjW6DJvKQwSAbw.filterdrecv-canary-547b64655b-cw6zx-1-6089EA4A-56.0',
        'smtp-id': '<qNwBLgPQQjW6DJvKQwSAbw@ismtpd0178p1mdw1.sendgrid.net>',
        status: '5.2.2',
        timestamp: 1619651147,
        tls: 1,
        type: 'blocked'
      }
    ])
  }
  for (const vector of [single, multiple]) {
    t.ok(sdkVerifies(vector.body, vector.signature, vector.timestamp, vector.publicKey), 'the SDK\'s vector')
    const { scheme } = sendgrid.provider
    const headers = { [SIGNATURE]: vector.signature, [TIMESTAMP]: vector.timestamp }
    const context = { now: Number(vector.timestamp), tolerance: 300 }
    t.ok(scheme.verify([scheme.parseSecret(vector.publicKey)], headers, Buffer.from(vector.body), context).ok, 'ours')
    const without = Buffer.from(vector.body.trimEnd())
    t.notOk(scheme.verify([scheme.parseSecret(vector.publicKey)], headers, without, context).ok, 'without its CRLF')

    // Through the route, with a window as wide as the vector is old.
    const age = now() - Number(vector.timestamp)
    const { post, seen } = await receiver({ secret: vector.publicKey, tolerance: age + 60 })
    const res = await post(vector.body, headers)
    t.equal(res.statusCode, 200, res.body)
    t.same(seen.map(event => event.type), (JSON.parse(vector.body) as Array<{ event: string }>).map(e => e.event))
  }
  t.equal(EventWebhookHeader.SIGNATURE().toLowerCase(), SIGNATURE)
  t.equal(EventWebhookHeader.TIMESTAMP().toLowerCase(), TIMESTAMP)
})

t.test('sendgrid: each event of a delivery is deduplicated and handled on its own', async t => {
  const { post, seen } = await receiver()
  const [a, b, c] = ['processed', 'delivered', 'open'].map(type => ({
    ...fixtures.sendgrid[type as 'processed'], sg_event_id: `batch-${type}`
  })) as [object, object, object]
  t.same((await post(crlf([a, b]))).json(), { received: true })
  t.same((await post(crlf([b, c]))).json(), { received: true }, 'one new event of two: handled')
  t.same((await post(crlf([a, c]))).json(), { received: true, duplicate: true }, 'every event seen: a duplicate')
  t.same(seen.map(event => event.id), ['batch-processed', 'batch-delivered', 'batch-open'])
})

t.test('sendgrid: a handler that throws: 500, the events before it stay done, the retry runs the rest', async t => {
  const app = Fastify()
  const runs: string[] = []
  let failOpen = true
  await app.register(sendgrid, {
    secret: PAIR.publicKey,
    on: {
      processed: event => { runs.push(event.id) },
      open: event => {
        runs.push(event.id)
        if (failOpen) throw new Error('database down')
      },
      click: event => { runs.push(event.id) }
    }
  })
  const body = crlf([fixtures.sendgrid.processed, fixtures.sendgrid.open, fixtures.sendgrid.click])
  const post = () => app.inject({
    method: 'POST',
    url: '/webhooks/sendgrid',
    headers: { 'content-type': 'application/json', ...sendgridSigns(body, { secret: PAIR.publicKey }) },
    payload: body
  })
  const [processed, open, click] = [fixtures.sendgrid.processed, fixtures.sendgrid.open, fixtures.sendgrid.click]
    .map(event => event.sg_event_id)
  const first = await post()
  t.equal(first.statusCode, 500)
  t.equal(first.json().code, 'WEBHOOK_HANDLER_FAILED')
  t.same(runs, [processed, open], 'in order, up to the one that failed: the click after it did not run')
  failOpen = false
  const retry = await post()
  t.equal(retry.statusCode, 200)
  t.same(retry.json(), { received: true })
  t.same(runs, [processed, open, open, click], 'the retry: the processed event a duplicate, the open one run again')
  t.same((await post()).json(), { received: true, duplicate: true })
  t.equal(runs.length, 4)
})

t.test('sendgrid: one event the route would refuse refuses the whole delivery, and no handler runs', async t => {
  const { post, seen, unknown } = await receiver()
  const cases: Array<[string, string, string]> = [
    ['an event that fails its schema', crlf([delivered, { ...fixtures.sendgrid.click, url: 5 }]),
      'WEBHOOK_INVALID_PAYLOAD'],
    ['a list with null in it', crlf([delivered, null]), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a list with a list in it', JSON.stringify([delivered, [delivered]]), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['an event alone, not in a list', JSON.stringify(delivered), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['an empty list', '[]', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['null', 'null', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a string', '"delivered"', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['__proto__ in an event', crlf([delivered]).replace('{', '{"__proto__":{"x":1},'), 'WEBHOOK_INVALID_JSON']
  ]
  for (const [what, body, code] of cases) {
    const res = await post(body)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  const invalid = await post(crlf([delivered, { ...fixtures.sendgrid.click, url: 5 }]))
  t.match(invalid.json().message, 'at /url: must be a string', 'the path is the event\'s own')
  t.equal(seen.length + unknown.length, 0)
})

t.test('sendgrid: an event of a type no schema knows goes to onUnknown beside the others', async t => {
  const { post, seen, unknown } = await receiver()
  const machine = { ...fixtures.sendgrid.open, event: 'machine_opened', sg_event_id: 'machine-0' }
  const res = await post(crlf([delivered, machine, { ...fixtures.sendgrid.bounce, event: undefined }]))
  t.equal(res.statusCode, 200)
  t.same(seen.map(event => event.type), ['delivered'])
  t.same(unknown, ['machine_opened', ''])
})

t.test('sendgrid: an event without sg_event_id is keyed by the delivery and its place in it', async t => {
  const { post, seen, unknown } = await receiver()
  const { sg_event_id: _, ...anonymous } = fixtures.sendgrid.dropped
  const body = crlf([delivered, anonymous])
  t.equal((await post(body)).statusCode, 400, 'the schema requires it')
  const { sg_event_id: __, ...loose } = { ...fixtures.sendgrid.open, event: 'machine_opened' }
  const unknownBody = crlf([delivered, loose])
  t.equal((await post(unknownBody)).statusCode, 200)
  t.same(seen.map(event => event.id), [delivered.sg_event_id])
  t.same(unknown, ['machine_opened'])
  const app = Fastify()
  const ids: string[] = []
  await app.register(sendgrid, { secret: PAIR.publicKey, onUnknown: event => { ids.push(event.id) } })
  await app.inject({
    method: 'POST',
    url: '/webhooks/sendgrid',
    headers: { 'content-type': 'application/json', ...sendgridSigns(unknownBody, { secret: PAIR.publicKey }) },
    payload: unknownBody
  })
  t.same(ids, [`${createHash('sha256').update(unknownBody).digest('hex')}#1`])
})

t.test('sendgrid: the kit, the CLI\'s send and its key pairs sign what the SDK accepts', async t => {
  for (const [type, event] of Object.entries(fixtures.sendgrid)) {
    const signed = sign('sendgrid', event, { secret: PAIR.secretKey })
    t.same(JSON.parse(signed.body), [event], `${type}: posted as a list of one`)
    t.ok(sdkVerifies(signed.body, signed.headers[SIGNATURE]!, signed.headers[TIMESTAMP]!), `${type}: the kit's`)
    t.notOk(
      sdkVerifies(signed.body, signed.headers[SIGNATURE]!, signed.headers[TIMESTAMP]!, PAIR_2.publicKey),
      `${type}: under no other key`
    )
  }
  const several = sign('sendgrid', crlf([delivered, fixtures.sendgrid.open]), { secret: PAIR.secretKey })
  t.ok(sdkVerifies(several.body, several.headers[SIGNATURE]!, several.headers[TIMESTAMP]!), 'a body given as is')
  const list = sign('sendgrid', [delivered, fixtures.sendgrid.open] as never, { secret: PAIR.secretKey })
  t.same(JSON.parse(list.body), [delivered, fixtures.sendgrid.open], 'a list given is posted as it is')
  t.ok(sdkVerifies(list.body, list.headers[SIGNATURE]!, list.headers[TIMESTAMP]!))

  const sent = await captureSend(['send', 'sendgrid', 'bounce', '--secret', PAIR.secretKey])
  t.equal(sent.code, 0, sent.out)
  const caught = sent.caught[0]!
  const verifies = (caught: Captured, publicKey = PAIR.publicKey) => sdkVerifies(
    caught.body, caught.headers[SIGNATURE] as string, caught.headers[TIMESTAMP] as string, publicKey
  )
  t.ok(verifies(caught), 'send\'s')
  const [event] = JSON.parse(caught.body.toString()) as Array<{ event: string, sg_event_id: string }>
  t.equal(event!.event, 'bounce')
  t.not(event!.sg_event_id, fixtures.sendgrid.bounce.sg_event_id, 'a new event each send')
  t.notMatch(sent.out, ' id ', 'a list of events: send names no one id')

  let out = ''
  const io = { out: (text: string) => { out += text + '\n' }, err: () => {}, env: {} }
  t.equal(await main(['secret', 'sendgrid', '--ed25519'], io), 0)
  const [secretKey, publicKey] = out.trimEnd().split('\n') as [string, string]
  t.match(publicKey, /^MFkw/, 'a P-256 public key, as SendGrid shows its verification key')
  const again = await captureSend(['send', 'sendgrid', '--secret', secretKey])
  t.ok(verifies(again.caught[0]!, publicKey), 'a pair the CLI made, verified by the SDK')

  const { post, seen } = await receiver()
  const fromKit = sign('sendgrid', fixtures.sendgrid.group_unsubscribe, { secret: PAIR.secretKey })
  t.equal((await post(fromKit.body, fromKit.headers)).statusCode, 200)
  t.same(seen.map(each => each.type), ['group_unsubscribe'])
})

t.test('sendgrid: hostile signature and timestamp headers get a 401, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = crlf([delivered])
  const ts = now()
  const signedAt = (timestamp: number) => sendgridSigns(body, { secret: PAIR.publicKey, timestamp })
  const good = signedAt(ts)[SIGNATURE]!
  const der = Buffer.from(good, 'base64')
  const headers = (signature: string | string[], timestamp: string | string[] = String(ts)) =>
    ({ [SIGNATURE]: signature, [TIMESTAMP]: timestamp })
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['no timestamp', { [SIGNATURE]: good }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['no signature', { [TIMESTAMP]: String(ts) }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['a timestamp not a number', headers(good, `${ts}.0`), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['stale', signedAt(ts - 600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['from the future', signedAt(ts + 600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['another timestamp than signed', headers(good, String(ts - 1)), 'WEBHOOK_INVALID_SIGNATURE'],
    ['hex where base64 goes', headers(der.toString('hex')), 'WEBHOOK_INVALID_SIGNATURE'],
    ['base64url', headers(der.toString('base64url')), 'WEBHOOK_INVALID_SIGNATURE'],
    ['base64 with one more padding character', headers(`${good}=`), 'WEBHOOK_INVALID_SIGNATURE'],
    ['a DER cut short', headers(der.subarray(0, der.length - 1).toString('base64')), 'WEBHOOK_INVALID_SIGNATURE'],
    ['a DER with a byte more', headers(Buffer.concat([der, Buffer.from([0])]).toString('base64')),
      'WEBHOOK_INVALID_SIGNATURE'],
    ['raw r and s, not DER', headers(Buffer.alloc(64, 7).toString('base64')), 'WEBHOOK_INVALID_SIGNATURE'],
    ['not base64 at all', headers('%%%not-base64%%%'), 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', headers(Buffer.alloc(3200, 1).toString('base64')), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['the signature sent twice', headers([good, good]), 'WEBHOOK_INVALID_SIGNATURE'],
    ['the timestamp sent twice', headers(good, [String(ts), String(ts)]), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['signed by another account\'s key', sendgridSigns(body, { secret: PAIR_2.publicKey }), 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, sent, code] of cases) {
    const res = await post(body, sent)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, good, `${what}: no signature in the answer`)
  }
  t.notOk(sdkVerifies(body, good, String(ts - 1)), 'the SDK refuses another timestamp too')
  t.equal(seen.length, 0)
})

t.test('sendgrid: the verification key, as base64 of its DER or PEM; anything else is refused', async t => {
  const pem = `-----BEGIN PUBLIC KEY-----\n${PAIR.publicKey.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`
  const { post } = await receiver({ secret: pem })
  t.equal((await post(crlf([delivered]))).statusCode, 200, 'PEM')
  await t.rejects(
    async () => { await Fastify().register(sendgrid, { secret: `${pem}\n` }).ready() },
    /whitespace at the start or end/,
    'a PEM file\'s last line break is a secret with whitespace at its end: trim it'
  )
  for (const [what, secret] of [
    ['an API key', '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'],
    ['the private key', PAIR.secretKey],
    ['an ed25519 public key', 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE='],
    ['cut short', PAIR.publicKey.slice(0, 80)]
  ] as const) {
    await t.rejects(async () => { await Fastify().register(sendgrid, { secret }).ready() }, /secret/, what)
  }
})

t.test('sendgrid: defineSendGrid adds schemas, and yours win over ours', async t => {
  const StrictOpen = Type.Object({
    email: Type.String(),
    event: Type.Literal('open'),
    sg_event_id: Type.String(),
    timestamp: Type.Number(),
    sg_machine_open: Type.Literal(false)
  }, { examples: [{ ...fixtures.sendgrid.open }] })
  const mine = defineSendGrid({ events: { open: StrictOpen } })
  const app = Fastify()
  const opens: string[] = []
  await app.register(mine, { secret: PAIR.publicKey, on: { open: async event => { opens.push(event.payload.email) } } })
  const post = (events: unknown[]) => {
    const body = crlf(events)
    return app.inject({
      method: 'POST',
      url: '/webhooks/sendgrid',
      headers: { 'content-type': 'application/json', ...sendgridSigns(body, { secret: PAIR.publicKey }) },
      payload: body
    })
  }
  t.equal((await post([fixtures.sendgrid.open])).statusCode, 200)
  t.equal((await post([{ ...fixtures.sendgrid.open, sg_event_id: 'mpp', sg_machine_open: true }])).statusCode, 400)
  t.same(opens, ['sam@example.com'])
  t.equal(defineSendGrid({ name: 'sendgrid-eu' }).provider.name, 'sendgrid-eu')
})

t.test('sendgrid: the CLI\'s verify tells a body that lost its CRLF, and a re-serialized one', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-sendgrid-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const signedBody = crlf([delivered, fixtures.sendgrid.open])
  const verify = async (captured: string) => {
    await writeFile(join(dir, 'headers.json'), JSON.stringify(sendgridSigns(signedBody, { secret: PAIR.publicKey })))
    await writeFile(join(dir, 'body'), captured)
    let out = ''
    const args = ['verify', 'sendgrid', '--headers', join(dir, 'headers.json'), '--body', join(dir, 'body'),
      '--secret', PAIR.publicKey]
    const code = await main(args, { out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {} })
    return { code, out }
  }
  const right = await verify(signedBody)
  t.equal(right.code, 0, right.out)
  for (const [what, captured] of [
    ['re-serialized', JSON.stringify(JSON.parse(signedBody))],
    ['pretty-printed', JSON.stringify(JSON.parse(signedBody), null, 2)],
    ['the CRLFs made LFs', signedBody.replaceAll('\r\n', '\n')]
  ] as const) {
    const wrong = await verify(captured)
    t.equal(wrong.code, 1, what)
    t.match(wrong.out, 'the body lost the line breaks (CRLF) that were signed', what)
  }
  for (const captured of [`${signedBody}x`, signedBody.replace('sam@', 'tom@')]) {
    const other = await verify(captured)
    t.equal(other.code, 1)
    t.match(other.out, 'no signature matched', 'a body that changed otherwise, with its CRLF or not JSON')
  }
})
