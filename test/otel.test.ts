/**
 * fastify-webhooks/otel over real HTTP, with the OpenTelemetry SDK's in-memory exporters and @fastify/otel
 * for the request span: one span per delivery under the request's, and the deliveries counter and handler
 * histogram for every outcome; then that no span or metric carries a secret, a signature or a payload.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import Fastify from 'fastify'
import t from 'tap'
import { CHANNELS, errorType } from '../lib/observe/channels.js'
import { instrumentWebhooks } from '../lib/observe/otel.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { telemetry } from './helpers/otel.js'
import { SW_SECRET, signWith } from './helpers/sign.js'

const tel = telemetry()
t.teardown(() => tel.stop())

const completed = fixtures.pulse['job.completed']
const payload = (jobId: string): string => JSON.stringify({ ...completed, data: { ...completed.data, job_id: jobId } })

/** Everything sent, to look for in the telemetry afterwards. */
const sent = { bodies: [] as string[], signatures: [] as string[], jobIds: [] as string[] }

let release = (): void => {}
const gate = new Promise<void>(resolve => { release = resolve })
let started = (): void => {}
const slowStarted = new Promise<void>(resolve => { started = resolve })

const app = Fastify()
await app.register(tel.fastifyOtel.plugin())
await app.register(pulse, {
  secret: SW_SECRET,
  on: {
    'job.completed': async (event, _request, reply) => {
      const job = event.payload.data.job_id
      if (job.startsWith('job_slow')) { started(); await gate }
      if (job.startsWith('job_boom')) throw new Error(`handler failed on ${job}`)
      if (job.startsWith('job_answer')) await reply.code(503).send({ busy: true })
    }
  }
})
const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
t.teardown(() => app.close())

let n = 0
async function post (
  body: string,
  options: {
    id?: string
    timestamp?: number
    secret?: string
    unsigned?: boolean
    headers?: Record<string, string>
  } = {}
): Promise<number> {
  const id = options.id ?? `msg_otel_${n++}`
  const signed = signWith({ kind: 'standard', prefix: 'webhook' }, body, {
    secret: options.secret ?? SW_SECRET,
    id,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp })
  })
  sent.bodies.push(body)
  sent.signatures.push(...signed['webhook-signature']!.split(' ').map(s => s.slice(3)))
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.unsigned === true ? {} : signed), ...options.headers },
    body
  })
  await res.arrayBuffer()
  return res.status
}

function job (name: string): string {
  const id = `${name}_${n++}`
  sent.jobIds.push(id)
  return payload(id)
}

const webhookSpans = (): ReadableSpan[] =>
  tel.spans().filter(span => span.instrumentationScope.name === 'fastify-webhooks')
const spanOf = (id: string): ReadableSpan | undefined =>
  webhookSpans().find(span => span.attributes['webhook.event.id'] === id)

/** The span's ancestors, nearest first, among the spans exported. */
function ancestors (span: ReadableSpan): ReadableSpan[] {
  const byId = new Map(tel.spans().map(s => [s.spanContext().spanId, s]))
  const chain: ReadableSpan[] = []
  for (let parent = span.parentSpanContext; parent !== undefined;) {
    const found = byId.get(parent.spanId)
    if (found === undefined) break
    chain.push(found)
    parent = found.parentSpanContext
  }
  return chain
}

t.test('a handled delivery: a span under the request span, outcome handled', async t => {
  t.equal(await post(job('job_ok'), { id: 'msg_handled' }), 200)
  const span = spanOf('msg_handled')!
  t.ok(span, 'a webhook span')
  t.equal(span.name, 'webhook pulse')
  t.equal(span.kind, SpanKind.INTERNAL)
  t.match(span.attributes, {
    'webhook.provider': 'pulse',
    'webhook.event.type': 'job.completed',
    'webhook.outcome': 'handled'
  })
  t.not(span.status.code, SpanStatusCode.ERROR)
  const chain = ancestors(span)
  const request = chain.at(-1)!
  t.ok(request, 'it has a parent')
  t.equal(request.instrumentationScope.name, '@fastify/otel', 'its root is the request span of @fastify/otel')
  t.equal(request.spanContext().traceId, span.spanContext().traceId)
})

t.test('a duplicate: outcome duplicate, handler not run', async t => {
  const body = job('job_dup')
  t.equal(await post(body, { id: 'msg_dup' }), 200)
  t.equal(await post(body, { id: 'msg_dup' }), 200)
  const spans = webhookSpans().filter(span => span.attributes['webhook.event.id'] === 'msg_dup')
  t.same(spans.map(span => span.attributes['webhook.outcome']), ['handled', 'duplicate'])
})

t.test('in flight elsewhere: 409, outcome in_flight, span in error', async t => {
  const body = job('job_slow')
  const first = post(body, { id: 'msg_slow' })
  await slowStarted
  t.equal(await post(body, { id: 'msg_slow' }), 409)
  release()
  t.equal(await first, 200)
  const spans = webhookSpans().filter(span => span.attributes['webhook.event.id'] === 'msg_slow')
  const inFlight = spans.find(span => span.attributes['webhook.outcome'] === 'in_flight')!
  t.ok(inFlight)
  t.equal(inFlight.attributes['error.type'], 'WEBHOOK_IN_FLIGHT')
  t.equal(inFlight.status.code, SpanStatusCode.ERROR)
})

t.test('a handler that throws: 500, outcome failed with the error code only', async t => {
  t.equal(await post(job('job_boom'), { id: 'msg_boom' }), 500)
  const span = spanOf('msg_boom')!
  t.match(span.attributes, { 'webhook.outcome': 'failed', 'error.type': 'WEBHOOK_HANDLER_FAILED' })
  t.equal(span.status.code, SpanStatusCode.ERROR)
  t.equal(span.events.length, 0, 'no exception event: its message could carry anything')
})

t.test('a handler that answers an error itself: counted as failed', async t => {
  t.equal(await post(job('job_answer'), { id: 'msg_answer' }), 503)
  const failed = await tel.points('webhook.deliveries')
  t.ok(
    failed.find(
      p =>
        p.attributes['webhook.outcome'] === 'failed' && p.attributes['error.type'] === 'WEBHOOK_HANDLER_ANSWERED_ERROR'
    )
  )
})

t.test('refusals: a span in error and the reason, under the request span', async t => {
  const now = Math.floor(Date.now() / 1000)
  t.equal(
    await post(job('job_forged'), {
      secret: 'whsec_' + Buffer.from('another secret of 32 bytes......').toString('base64')
    }),
    401
  )
  t.equal(await post(job('job_stale'), { timestamp: now - 3600 }), 401)
  t.equal(await post(job('job_unsigned'), { unsigned: true }), 401)
  t.equal(await post(job('job_text'), { headers: { 'content-type': 'text/plain' } }), 415)
  t.equal(await post(JSON.stringify({ ...completed, padding: 'x'.repeat(1024 * 1024) })), 413)
  t.equal(await post('{"type": "job.completed", '), 400)
  t.equal(await post(JSON.stringify({ ...completed, data: { ...completed.data, pages_processed: 'many' } })), 400)
  const refused = webhookSpans().filter(span => span.attributes['webhook.refusal.reason'] !== undefined)
  t.same(refused.map(span => span.attributes['webhook.refusal.reason']).sort(), [
    'FST_ERR_CTP_BODY_TOO_LARGE',
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    'invalid-json',
    'invalid-payload',
    'invalid-signature',
    'missing-signature',
    'timestamp-outside-tolerance'
  ])
  for (const span of refused) {
    t.equal(span.status.code, SpanStatusCode.ERROR)
    t.equal(
      ancestors(span).at(-1)?.instrumentationScope.name,
      '@fastify/otel',
      `${String(span.attributes['webhook.refusal.reason'])}: under the request span`
    )
  }
})

t.test('the deliveries counter by outcome and reason, the handler histogram', async t => {
  const points = await tel.points('webhook.deliveries')
  const counts = Object.fromEntries(
    points.map(p => [
      [p.attributes['webhook.outcome'], p.attributes['webhook.refusal.reason'] ?? p.attributes['error.type']]
        .filter(Boolean)
        .join('/'),
      p.value
    ])
  )
  t.same(counts, {
    accepted: 3, // msg_handled, the first msg_dup, msg_slow
    duplicate: 1,
    in_flight: 1,
    'failed/WEBHOOK_HANDLER_FAILED': 1,
    'failed/WEBHOOK_HANDLER_ANSWERED_ERROR': 1,
    'refused/invalid-signature': 1,
    'refused/timestamp-outside-tolerance': 1,
    'refused/missing-signature': 1,
    'invalid/invalid-json': 1,
    'invalid/invalid-payload': 1,
    'invalid/FST_ERR_CTP_INVALID_MEDIA_TYPE': 1,
    'invalid/FST_ERR_CTP_BODY_TOO_LARGE': 1
  })
  for (const p of points) t.equal(p.attributes['webhook.provider'], 'pulse')
  const durations = await tel.points('webhook.handler.duration')
  const count = (outcome: string): number => durations.filter(p => p.attributes['webhook.outcome'] === outcome)
    .reduce((sum, p) => sum + (p.value as { count: number }).count, 0)
  t.equal(count('handled'), 3)
  t.equal(count('failed'), 2)
})

t.test('no span or metric carries a secret, a signature or a payload value', async t => {
  const values: string[] = []
  for (const span of tel.spans()) {
    values.push(span.name, ...Object.values(span.attributes).map(String))
    for (const event of span.events) values.push(event.name, ...Object.values(event.attributes ?? {}).map(String))
  }
  for (const name of ['webhook.deliveries', 'webhook.handler.duration']) {
    for (const point of await tel.points(name)) values.push(...Object.entries(point.attributes).flat().map(String))
  }
  t.ok(values.length > 50, 'there is telemetry to look through')
  const key = SW_SECRET.slice('whsec_'.length)
  const forbidden = [SW_SECRET, key, ...sent.signatures, ...sent.bodies, ...sent.jobIds]
  for (const value of values) {
    for (const secret of forbidden) {
      if (value.includes(secret)) t.fail(`telemetry value "${value}" carries "${secret}"`)
    }
  }
  // Nor a signature or secret in the other direction (a value cut out of one).
  for (const value of values.filter(v => v.length >= 16)) {
    for (const secret of forbidden) {
      if (secret.includes(value) && !sent.bodies.includes(secret)) t.fail(`"${value}" is part of "${secret}"`)
    }
  }
})

t.test('instrumenting while a delivery is in flight ends cleanly', async t => {
  // A second instrumentation subscribed mid-delivery sees an end without its start: nothing to end.
  let stop = (): void => {}
  const late = Fastify()
  await late.register(pulse, { secret: SW_SECRET, onEvent: () => { stop = instrumentWebhooks() } })
  t.teardown(() => late.close())
  const body = job('job_late')
  const res = await late.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: {
      'content-type': 'application/json',
      ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET })
    },
    payload: body
  })
  t.equal(res.statusCode, 200)
  stop()
})

t.test('plain channels alone: the messages, with no tracer', async t => {
  const seen: Array<[string, unknown]> = []
  const listener = (name: string) => (message: unknown) => { seen.push([name, message]) }
  const listeners = Object.fromEntries([CHANNELS.handled, CHANNELS.refused].map(name => [name, listener(name)]))
  for (const [name, fn] of Object.entries(listeners)) subscribe(name, fn)
  t.teardown(() => { for (const [name, fn] of Object.entries(listeners)) unsubscribe(name, fn) })
  t.equal(await post(job('job_plain'), { id: 'msg_plain' }), 200)
  t.equal(await post('[1,'), 400)
  t.match(seen, [
    [CHANNELS.handled, { provider: 'pulse', id: 'msg_plain', type: 'job.completed', where: 'route', duration: Number }],
    [CHANNELS.refused, { provider: 'pulse', outcome: 'invalid', reason: 'invalid-json', status: 400 }]
  ])
})

t.test('errorType names an error by its code, else its class, never its message', async t => {
  t.equal(errorType(Object.assign(new Error('secret detail'), { code: 'E_X' })), 'E_X')
  t.equal(errorType(new TypeError('secret detail')), 'TypeError')
  t.equal(errorType('secret detail'), 'string')
  t.equal(errorType(null), 'object')
})
