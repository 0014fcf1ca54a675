/**
 * The behaviour every provider plugin must show, run once per provider
 * (test/<provider>.test.ts) with that provider's scheme and payloads.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import t from 'tap'
import { signWith, type Scheme } from './sign.js'

export interface ProviderCase {
  name: string
  plugin: any
  scheme: Scheme
  secret: string
  otherSecret: string
  /** a valid payload per event type */
  samples: Record<string, unknown>
  /** a payload of a known type that breaks its schema, and the path and rule the answer and the log must name */
  invalid: { payload: unknown, path: string, reason: string }
  /** a verified payload of a type no schema knows (absent where the provider has one type only) */
  unknown?: unknown
  /** that payload's type, for senders that put it in a header (GitHub) */
  unknownType?: string
  /** the idempotency id the plugin must give a sample, when not the signed message id */
  expectedId?: (payload: unknown, body: string) => string
  /** the scheme's default window in seconds, when not 300 (a retry is then signed well inside it) */
  tolerance?: number
  /** the scheme signs nothing of the body (a shared token, GitLab's): a changed body is not what it catches */
  unsignedBody?: boolean
  /** what the sender posts for one event, when not the event itself (SendGrid: a list of them) */
  wrap?: (payload: unknown) => unknown
  /**
   * The body's format, for a sender that posts another than JSON (Twilio's forms): its media type, how a payload is
   * written, and a signed body it cannot parse with the code it is refused with (null where every signed body parses).
   */
  format?: { contentType: string, serialize: (payload: unknown) => string, unparsable: UnparsableBody | null }
}

/** The body the sender posts for one event: JSON, or in the case's own format. */
function bodyOf (c: ProviderCase, payload: unknown, space?: number): string {
  const sent = c.wrap === undefined ? payload : c.wrap(payload)
  return c.format === undefined ? JSON.stringify(sent, null, space) : c.format.serialize(sent)
}

export interface UnparsableBody { body: string, code: string }

const JSON_FORMAT = {
  contentType: 'application/json',
  unparsable: { body: '{"not json', code: 'WEBHOOK_INVALID_JSON' }
}

export interface Received { event: { id: string, type: string, payload: unknown }, webhook: unknown, rawBody: unknown }

export async function buildApp (
  c: ProviderCase,
  options: Record<string, unknown> = {}
): Promise<{ app: FastifyInstance; received: Received[]; unknown: unknown[] }> {
  const app = Fastify()
  const received: Received[] = []
  const unknown: unknown[] = []
  const on: Record<string, unknown> = {}
  for (const type of Object.keys(c.samples)) {
    on[type] = async (event: Received['event'], request: { webhook: unknown, rawBody: unknown }) => {
      received.push({ event, webhook: request.webhook, rawBody: request.rawBody })
    }
  }
  await app.register(c.plugin, {
    secret: c.secret,
    on,
    onUnknown: (event: unknown) => {
      unknown.push(event)
    },
    ...options
  })
  return { app, received, unknown }
}

export function deliver (
  app: FastifyInstance,
  c: ProviderCase,
  payload: unknown,
  opts: {
    secret?: string; id?: string; timestamp?: number; type?: string; headers?: Record<string, string>; body?: string
  } = {}
) {
  const format = c.format ?? JSON_FORMAT
  const body = opts.body ?? bodyOf(c, payload)
  const args = { secret: opts.secret ?? c.secret, id: opts.id, timestamp: opts.timestamp, type: opts.type }
  const headers = {
    'content-type': format.contentType,
    ...signWith(c.scheme, body, args),
    ...opts.headers
  }
  return app.inject({ method: 'POST', url: `/webhooks/${c.name}`, headers, payload: body })
}

export function providerSuite (c: ProviderCase): void {
  const [firstType, firstSample] = Object.entries(c.samples)[0]!
  const signatureHeader = c.scheme.kind === 'standard' ? `${c.scheme.prefix}-signature` : c.scheme.header
  const { contentType, unparsable } = c.format ?? JSON_FORMAT

  t.test(`${c.name}: each event type reaches its handler, verified and typed`, async t => {
    const { app, received } = await buildApp(c)
    for (const [type, payload] of Object.entries(c.samples)) {
      const body = bodyOf(c, payload)
      const res = await deliver(app, c, payload, { id: `msg_${type}`, type })
      t.equal(res.statusCode, 200, type)
      t.same(res.json(), { received: true })
      const last = received.at(-1)!
      t.equal(last.event.type, type)
      t.same(last.event.payload, payload)
      // A list of events has no one event to be request.webhook.
      if (c.wrap === undefined) t.equal(last.webhook, last.event, 'request.webhook is the event')
      else t.equal(last.webhook, null, 'request.webhook is null for a list of events')
      t.ok(
        Buffer.isBuffer(last.rawBody) && (last.rawBody as Buffer).equals(Buffer.from(body)),
        'rawBody is the exact bytes'
      )
      t.equal(last.event.id, c.expectedId ? c.expectedId(payload, body) : `msg_${type}`)
    }
    t.equal(received.length, Object.keys(c.samples).length)
  })

  t.test(`${c.name}: forged deliveries get 401 and run no handler`, async t => {
    const { app, received } = await buildApp(c)
    const body = bodyOf(c, firstSample)
    const good = signWith(c.scheme, body, { secret: c.secret, type: firstType })
    type Forged = [string, Record<string, string>, string, string]
    const tampered: Forged = ['tampered body', good, body.replace(/.$/, ' }'), 'WEBHOOK_INVALID_SIGNATURE']
    const cases: Forged[] = [
      ...(c.unsignedBody === true ? [] : [tampered]),
      [
        'tampered signature',
        { ...good, [signatureHeader]: flipLast(good[signatureHeader]!) },
        body,
        'WEBHOOK_INVALID_SIGNATURE'
      ],
      [
        'wrong secret',
        signWith(c.scheme, body, { secret: c.otherSecret, type: firstType }),
        body,
        'WEBHOOK_INVALID_SIGNATURE'
      ],
      ['missing signature header', omit(good, signatureHeader), body, 'WEBHOOK_MISSING_SIGNATURE'],
      ['no headers at all', {}, body, 'WEBHOOK_MISSING_SIGNATURE']
    ]
    for (const [what, headers, payload, code] of cases) {
      const res = await app.inject({
        method: 'POST',
        url: `/webhooks/${c.name}`,
        headers: { 'content-type': contentType, ...headers },
        payload
      })
      t.equal(res.statusCode, 401, what)
      t.equal(res.json().code, code, what)
      t.notMatch(res.body, good[signatureHeader]!.slice(-20), `${what}: no signature in the answer`)
    }
    t.equal(received.length, 0)
  })

  if (c.scheme.kind === 'standard' || (c.scheme.kind === 'oracle' && c.scheme.timed)) {
    t.test(`${c.name}: timestamps outside the window, both ways, get 401`, async t => {
      const { app, received } = await buildApp(c, { tolerance: 60 })
      const now = Math.floor(Date.now() / 1000)
      for (const [what, timestamp] of [['expired', now - 120], ['future', now + 120]] as const) {
        const res = await deliver(app, c, firstSample, { timestamp, type: firstType })
        t.equal(res.statusCode, 401, what)
        t.equal(res.json().code, 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE', what)
      }
      const res = await deliver(app, c, firstSample, { timestamp: now - 50, type: firstType })
      t.equal(res.statusCode, 200, 'inside the window')
      if (c.scheme.kind !== 'standard') return t.equal(received.length, 1)
      const nonNumeric = await deliver(app, c, firstSample, {
        headers: { [`${(c.scheme as { prefix: string }).prefix}-timestamp`]: `${now}abc` }
      })
      t.equal(nonNumeric.statusCode, 401, 'non-numeric timestamp')
      t.equal(nonNumeric.json().code, 'WEBHOOK_MALFORMED_SIGNATURE')
      t.equal(received.length, 1)
    })
  }

  t.test(`${c.name}: rotation accepts any configured secret`, async t => {
    const { app, received } = await buildApp(c, { secret: [c.secret, c.otherSecret], idempotency: false })
    t.equal((await deliver(app, c, firstSample, { secret: c.secret, id: 'one', type: firstType })).statusCode, 200)
    t.equal(
      (
        await deliver(app, c, firstSample, {
          secret: c.otherSecret,
          id: 'two',
          type: firstType,
          body: bodyOf(c, firstSample, 1)
        })
      ).statusCode,
      200
    )
    t.equal(received.length, 2)
  })

  if (unparsable !== null) {
    t.test(`${c.name}: a signed body that does not parse gets 400`, async t => {
      const { app, received } = await buildApp(c)
      const res = await deliver(app, c, undefined, { body: unparsable.body, type: firstType })
      t.equal(res.statusCode, 400)
      t.equal(res.json().code, unparsable.code)
      t.equal(received.length, 0)
    })
  }

  t.test(`${c.name}: a known type that fails its schema gets 400, with the path and the rule it breaks`, async t => {
    const lines: string[] = []
    const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => { lines.push(line) } } } })
    let called = 0
    await app.register(c.plugin, { secret: c.secret, on: { [firstType]: () => { called++ } } })
    const res = await deliver(app, c, c.invalid.payload, { type: firstType })
    t.equal(res.statusCode, 400)
    t.equal(res.json().code, 'WEBHOOK_INVALID_PAYLOAD')
    t.equal(
      res.json().message,
      `The webhook payload does not match the schema of its event type at ${c.invalid.path}: ${c.invalid.reason}`
    )
    t.equal(called, 0)
    const line = lines.map(l => JSON.parse(l)).find(l => l.msg === 'webhook payload does not match its schema')
    t.equal(line?.path, c.invalid.path)
    t.equal(line?.reason, c.invalid.reason)
    t.notMatch(lines.join(''), c.secret, 'no secret in the log')
  })

  if (c.unknown !== undefined) {
    t.test(`${c.name}: a verified event of an unknown type is answered 200 through onUnknown`, async t => {
      const { app, received, unknown } = await buildApp(c)
      const res = await deliver(app, c, c.unknown, { type: c.unknownType })
      t.equal(res.statusCode, 200)
      t.equal(unknown.length, 1)
      t.same((unknown[0] as { payload: unknown }).payload, c.unknown)
      t.equal(received.length, 0)
    })
  }

  t.test(`${c.name}: wrong content type gets 415, no body gets 400, over bodyLimit gets 413`, async t => {
    const { app, received } = await buildApp(c, { bodyLimit: 2048 })
    const body = bodyOf(c, firstSample)
    const headers = signWith(c.scheme, body, { secret: c.secret, type: firstType })
    const text = await app.inject({
      method: 'POST',
      url: `/webhooks/${c.name}`,
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: body
    })
    t.equal(text.statusCode, 415)
    const empty = await app.inject({ method: 'POST', url: `/webhooks/${c.name}`, headers })
    t.equal(empty.statusCode, 400)
    t.equal(empty.json().code, 'WEBHOOK_EMPTY_BODY')
    // Signed, and declared JSON: no body all the same, not a body that is not JSON.
    const signedEmpty = await app.inject({
      method: 'POST',
      url: `/webhooks/${c.name}`,
      headers: { 'content-type': contentType, ...signWith(c.scheme, '', { secret: c.secret }) },
      payload: ''
    })
    t.match(signedEmpty, { statusCode: 400 }, 'a signed empty body')
    t.equal(signedEmpty.json().code, 'WEBHOOK_EMPTY_BODY')
    const unsignedEmpty = await app.inject({
      method: 'POST',
      url: `/webhooks/${c.name}`,
      headers: { 'content-type': contentType },
      payload: ''
    })
    t.equal(unsignedEmpty.statusCode, 401, 'an unsigned empty body: the signature is checked first')
    const big = bodyOf(c, { ...(firstSample as object), padding: 'x'.repeat(4096) })
    const large = await app.inject({
      method: 'POST',
      url: `/webhooks/${c.name}`,
      headers: {
        'content-type': contentType, ...signWith(c.scheme, big, { secret: c.secret, type: firstType })
      },
      payload: big
    })
    t.equal(large.statusCode, 413)
    t.equal(received.length, 0)
  })

  t.test(`${c.name}: a handler that throws gets 500, and the retry of the same event runs it`, async t => {
    const app = Fastify()
    let calls = 0
    await app.register(c.plugin, {
      secret: c.secret,
      on: { [firstType]: () => { calls++; if (calls === 1) throw new Error('database down') } }
    })
    const first = await deliver(app, c, firstSample, { id: 'msg_retry', type: firstType })
    t.equal(first.statusCode, 500)
    t.equal(first.json().code, 'WEBHOOK_HANDLER_FAILED')
    t.notMatch(first.body, 'database down', 'the handler error stays in the log')
    const retry = await deliver(app, c, firstSample, { id: 'msg_retry', type: firstType })
    t.equal(retry.statusCode, 200)
    t.same(retry.json(), { received: true })
    t.equal(calls, 2)
  })

  t.test(`${c.name}: a duplicate is answered 200 duplicate and runs no handler`, async t => {
    const { app, received } = await buildApp(c)
    const first = await deliver(app, c, firstSample, { id: 'msg_dup', type: firstType })
    // A retry comes back with the same id but a fresh signature (and timestamp).
    const age = Math.min(5, Math.floor((c.tolerance ?? 300) / 3))
    const again = await deliver(app, c, firstSample, {
      id: 'msg_dup', type: firstType, timestamp: Math.floor(Date.now() / 1000) - age
    })
    t.equal(first.statusCode, 200)
    t.equal(again.statusCode, 200)
    t.same(again.json(), { received: true, duplicate: true })
    t.equal(received.length, 1)
  })

  t.test(`${c.name}: over real HTTP`, async t => {
    const { app, received } = await buildApp(c)
    const address = await app.listen({ host: '127.0.0.1', port: 0 })
    t.teardown(() => app.close())
    const body = bodyOf(c, firstSample)
    const signed = signWith(c.scheme, body, { secret: c.secret, type: firstType })
    const headers = { 'content-type': contentType, ...signed }
    const ok = await fetch(`${address}/webhooks/${c.name}`, { method: 'POST', headers, body })
    t.equal(ok.status, 200)
    t.same(await ok.json(), { received: true })
    // Forged: a byte added to a signed body, or for a token that signs no body, another secret's token.
    const forgery = c.unsignedBody === true
      ? { headers: { ...headers, ...signWith(c.scheme, body, { secret: c.otherSecret, type: firstType }) }, body }
      : { headers, body: body + ' ' }
    const forged = await fetch(`${address}/webhooks/${c.name}`, { method: 'POST', ...forgery })
    t.equal(forged.status, 401)
    t.equal(received.length, 1)
    t.same(received[0]!.event.payload, firstSample)
  })
}

function flipLast (value: string): string {
  const last = value.at(-2)!
  return value.slice(0, -2) + (last === 'a' ? 'b' : 'a') + value.at(-1)
}

function omit (headers: Record<string, string>, name: string): Record<string, string> {
  const { [name]: _, ...rest } = headers
  return rest
}
