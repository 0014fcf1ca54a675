/**
 * fastify-webhooks/otel with `span: 'current'` over real HTTP, with @fastify/otel's request spans: no span of
 * its own for a delivery, the same attributes on the span current when it is dispatched or refused, that span's
 * status left to @fastify/otel, the traceparent a queue would carry taken from it; and a span of its own where
 * no span is current.
 */
import { SpanStatusCode } from '@opentelemetry/api'
import type { ReadableSpan } from '@opentelemetry/sdk-trace'
import Fastify from 'fastify'
import t from 'tap'
import { delivery, type DeliveryMessage } from '../lib/observe/channels.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { telemetry } from './helpers/otel.js'
import { SW_SECRET, signWith } from './helpers/sign.js'

const tel = telemetry({ span: 'current' })
t.teardown(() => tel.stop())

const completed = fixtures.pulse['job.completed']
const job = (id: string): string => JSON.stringify({ ...completed, data: { ...completed.data, job_id: id } })

let release = (): void => {}
const gate = new Promise<void>(resolve => { release = resolve })
let started = (): void => {}
const slowStarted = new Promise<void>(resolve => { started = resolve })

const handlers = {
  'job.completed': async (event: { payload: { data: { job_id: string } } }) => {
    const id = event.payload.data.job_id
    if (id === 'job_slow') { started(); await gate }
    if (id === 'job_boom') throw new Error(`handler failed on ${id}`)
  }
}

const traced = Fastify()
await traced.register(tel.fastifyOtel.plugin())
await traced.register(pulse, { secret: SW_SECRET, on: handlers })
const tracedUrl = `${await traced.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
t.teardown(() => traced.close())

// An app whose requests nobody traces: no span is current when it dispatches.
const untraced = Fastify()
await untraced.register(pulse, { secret: SW_SECRET, on: handlers })
const untracedUrl = `${await untraced.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
t.teardown(() => untraced.close())

async function post (url: string, body: string, id: string, headers: Record<string, string> = {}): Promise<number> {
  const signed = signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, id })
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed, ...headers },
    body
  })
  await res.arrayBuffer()
  return res.status
}

const ours = (): ReadableSpan[] => tel.spans().filter(span => span.instrumentationScope.name === 'fastify-webhooks')
const carrying = (id: string): ReadableSpan[] => tel.spans().filter(span => span.attributes['webhook.event.id'] === id)

t.test('a handled delivery: its attributes on the current span, no span of its own', async t => {
  // What the route's queue would carry: the traceparent set at the delivery's start, read at its end.
  const traceparents: Array<string | undefined> = []
  const ignore = (): void => {}
  const watch = {
    start: ignore,
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    asyncEnd (message: DeliveryMessage) { traceparents.push(message.traceparent) }
  }
  delivery.subscribe(watch)
  t.teardown(() => delivery.unsubscribe(watch))
  t.equal(await post(tracedUrl, job('job_ok'), 'msg_current_ok'), 200)
  t.same(ours(), [], 'no fastify-webhooks span')
  const [span, ...more] = carrying('msg_current_ok')
  t.same(more, [], 'one span carries the delivery')
  t.equal(span!.instrumentationScope.name, '@fastify/otel')
  t.match(span!.name, /^handler - /, "the route handler's span, current when the delivery is dispatched")
  t.match(span!.attributes, {
    'webhook.provider': 'pulse',
    'webhook.event.type': 'job.completed',
    'webhook.outcome': 'handled'
  })
  const { traceId, spanId } = span!.spanContext()
  t.same(traceparents, [`00-${traceId}-${spanId}-01`], 'a queued job would link to that span')
})

t.test('a handler that throws: outcome failed and the error code on the current span', async t => {
  t.equal(await post(tracedUrl, job('job_boom'), 'msg_current_boom'), 500)
  t.same(ours(), [])
  const [span] = carrying('msg_current_boom')
  t.match(span!.attributes, { 'webhook.outcome': 'failed', 'error.type': 'WEBHOOK_HANDLER_FAILED' })
  t.equal(span!.status.code, SpanStatusCode.ERROR, '@fastify/otel marks the span of a route that rejected')
  // @fastify/otel records the route's error as an exception event: this package's code and message, not the handler's.
  const recorded = JSON.stringify(span!.events)
  t.match(recorded, /WEBHOOK_HANDLER_FAILED/)
  t.notMatch(recorded, /handler failed on/)
})

t.test('in flight elsewhere: outcome in_flight on the current span', async t => {
  const first = post(tracedUrl, job('job_slow'), 'msg_current_slow')
  await slowStarted
  t.equal(await post(tracedUrl, job('job_slow'), 'msg_current_slow'), 409)
  release()
  t.equal(await first, 200)
  t.same(carrying('msg_current_slow').map(span => span.attributes['webhook.outcome']).sort(), ['handled', 'in_flight'])
  t.same(ours(), [])
})

t.test('a refusal: its reason on the current span, no span of its own', async t => {
  t.equal(await post(tracedUrl, job('job_forged'), 'msg_current_forged', { 'webhook-signature': 'v1,AAAA' }), 401)
  t.same(ours(), [])
  const refused = tel.spans().filter(span => span.attributes['webhook.refusal.reason'] !== undefined)
  t.equal(refused.length, 1)
  t.equal(refused[0]!.instrumentationScope.name, '@fastify/otel', "the route's onError hook, in @fastify/otel's span")
  t.equal(refused[0]!.status.code, SpanStatusCode.UNSET, 'a span it did not start keeps the status its owner gave it')
  t.match(refused[0]!.attributes, {
    'webhook.provider': 'pulse',
    'webhook.outcome': 'refused',
    'webhook.refusal.reason': 'invalid-signature',
    'error.type': 'invalid-signature'
  })
})

t.test("with @fastify/otel's hook spans left out of the route: one span under the request's", async t => {
  const lean = Fastify()
  await lean.register(tel.fastifyOtel.plugin())
  await lean.register(pulse, {
    secret: SW_SECRET,
    path: '/webhooks/lean',
    routeConfig: { otel: { instrumentHooks: false } },
    on: handlers
  })
  const url = `${await lean.listen({ port: 0, host: '127.0.0.1' })}/webhooks/lean`
  t.teardown(() => lean.close())
  t.equal(await post(url, job('job_lean'), 'msg_current_lean'), 200)
  const [span] = carrying('msg_current_lean')
  const trace = tel.spans().filter(s => s.spanContext().traceId === span!.spanContext().traceId)
  t.same(trace.map(s => s.name).sort(), ['handler - handle', 'request'], 'no span for the route\'s own hooks')
  t.equal(span!.attributes['webhook.outcome'], 'handled')
})

t.test('where no span is current: a span of its own', async t => {
  t.equal(await post(untracedUrl, job('job_untraced'), 'msg_current_untraced'), 200)
  t.equal(await post(untracedUrl, '[1,', 'msg_current_bad'), 400)
  const [span] = carrying('msg_current_untraced')
  t.equal(span!.instrumentationScope.name, 'fastify-webhooks')
  t.equal(span!.name, 'webhook pulse')
  t.equal(span!.attributes['webhook.outcome'], 'handled')
  const refused = ours().find(s => s.attributes['webhook.refusal.reason'] === 'invalid-json')!
  t.ok(refused, 'the refusal too')
  t.equal(refused.status.code, SpanStatusCode.ERROR)
})
