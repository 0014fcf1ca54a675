/**
 * Section 6: what observing costs. In process: `dispatch` against the observed dispatch the route calls,
 * with nobody subscribed. Over HTTP: server CPU per request of the Pulse route with no subscriber, with
 * every diagnostics channel subscribed, with OpenTelemetry tracing requests (@fastify/otel), and with
 * fastify-webhooks/otel on as well (bench/observers.ts), interleaved.
 */
import { dispatch, type Dispatch } from '../lib/core/dispatch.js'
import { deliveryObserver } from '../lib/observe/observer.js'
import { interleaved, nextId, startServers } from './http.js'
import { compareAsync, spread, stat, type Stat } from './measure.js'
import { KB, pulseBody } from './payloads.js'
import type { Section, Target } from './report.js'

const LABELS: Record<string, string> = {
  plugin: 'no subscriber (the baseline)',
  'plugin-channels': 'every diagnostics channel subscribed (listeners that do nothing)',
  'plugin-otel-http': 'OpenTelemetry SDK and @fastify/otel request spans, fastify-webhooks/otel not on',
  'plugin-otel': 'the same, with fastify-webhooks/otel on (spans batched to a dropping exporter, metrics aggregated)',
  'plugin-otel-current':
    "the same, fastify-webhooks/otel with `span: 'current'` (the attributes on the request's span, no span of its own)",
  'plugin-otel-lean':
    "the same, and the route's hooks left out of @fastify/otel's spans (`routeConfig: { otel: { instrumentHooks: " +
    'false } }`)',
  'plugin-otel-http-lean':
    "the app tracing its requests with the route's hooks left out of @fastify/otel's spans, fastify-webhooks/otel " +
    'not on',
  'plugin-otel-floor':
    'the same app, fastify-webhooks/otel off, the handler making one span (3 attributes) and one histogram ' +
    'record: the floor'
}

const ignore = (): void => {}
const quiet = { info: ignore, warn: ignore, error: ignore }
const event = { provider: 'pulse', id: 'msg_1', type: 'job.completed', payload: {}, receivedAt: new Date() }

/** Nanoseconds per call of a bare dispatch and of one with the route's observer, nobody subscribed. */
async function unsubscribed (quick: boolean): Promise<Record<string, Stat>> {
  const fields = { provider: event.provider, id: event.id, type: event.type }
  const d: Dispatch = { idempotency: null, key: 'pulse:msg_1', event, log: quiet, fields, run: async () => true }
  const observed: Dispatch = { ...d, observer: deliveryObserver('route', true) }
  return await compareAsync({
    dispatch: () => dispatch(d),
    observedDispatch: () => dispatch(observed)
  }, { rounds: quick ? 11 : 31, batchMs: 50 })
}

export async function observeSection (quick: boolean, pin: boolean): Promise<Section> {
  const inProcess = await unsubscribed(quick)
  const body = pulseBody(KB)
  const contenders = Object.keys(LABELS)
  const servers = await startServers(contenders, pin)
  const rounds = quick ? 2 : 5
  const duration = quick ? 0.5 : 4
  const { results, bad } = await interleaved(servers, body, () => ({ distinct: nextId }), {
    rounds,
    warmSeconds: quick ? 0.2 : 2,
    seconds: duration
  })

  const s = (name: string, key: 'rps' | 'cpuUs'): Stat => stat(results[name]!.map(r => r[key]))
  const base = s('plugin', 'cpuUs').median
  const rows: Array<Record<string, string | number>> = contenders.map(name => ({
    contender: LABELS[name]!,
    'server CPU µs/req': s(name, 'cpuUs').median.toFixed(1),
    'CPU spread': spread(s(name, 'cpuUs')),
    'x baseline CPU': (s(name, 'cpuUs').median / base).toFixed(3),
    'req/s': Math.round(s(name, 'rps').median),
    'x baseline req/s': (s(name, 'rps').median / s('plugin', 'rps').median).toFixed(3)
  }))
  const ns = (name: string): number => inProcess[name]!.median * 1e6
  rows.push({
    contender: `in process, nobody subscribed: observed dispatch ${ns('observedDispatch').toFixed(0)} ns vs dispatch ` +
      `${ns('dispatch').toFixed(0)} ns per call`,
    'server CPU µs/req': '',
    'CPU spread': `${spread(inProcess.observedDispatch!)} / ${spread(inProcess.dispatch!)}`,
    'x baseline CPU': (ns('observedDispatch') / ns('dispatch')).toFixed(3),
    'req/s': '',
    'x baseline req/s': ''
  })
  const targets: Target[] = [
    {
      target: 'no subscriber: the observed dispatch costs ≤1.05x a bare dispatch call (in process)',
      value: ns('observedDispatch') / ns('dispatch'),
      goal: 1.05,
      higherIsBetter: false
    },
    {
      target: 'channels subscribed: server CPU per request ≤1.05x no subscriber',
      value: s('plugin-channels', 'cpuUs').median / base,
      goal: 1.05,
      higherIsBetter: false
    },
    {
      target:
        'fastify-webhooks/otel on: server CPU per request ≤1.10x the same app tracing its requests with @fastify/otel',
      value: s('plugin-otel', 'cpuUs').median / s('plugin-otel-http', 'cpuUs').median,
      goal: 1.1,
      higherIsBetter: false
    },
    {
      target:
        "fastify-webhooks/otel with `span: 'current'`: server CPU per request ≤1.10x the same app tracing its requests",
      value: s('plugin-otel-current', 'cpuUs').median / s('plugin-otel-http', 'cpuUs').median,
      goal: 1.1,
      higherIsBetter: false
    },
    {
      target:
        "the route's hooks left out of the trace, fastify-webhooks/otel with `span: 'current'`: server CPU per " +
        'request ≤1.10x the same app without fastify-webhooks/otel',
      value: s('plugin-otel-lean', 'cpuUs').median / s('plugin-otel-http-lean', 'cpuUs').median,
      goal: 1.1,
      higherIsBetter: false
    },
    {
      target:
        'fastify-webhooks/otel against the floor (the same app with one span and one record per delivery made by ' +
        'hand): what is ours (context; not a target)',
      value: s('plugin-otel', 'cpuUs').median / s('plugin-otel-floor', 'cpuUs').median,
      goal: 1.05,
      higherIsBetter: false
    },
    {
      target:
        'OpenTelemetry with @fastify/otel and fastify-webhooks/otel, against no OpenTelemetry at all (context; not a ' +
        'target)',
      value: s('plugin-otel', 'cpuUs').median / base,
      goal: 1.1,
      higherIsBetter: false
    }
  ]
  return {
    title: '6. Observing deliveries: diagnostics channels and OpenTelemetry',
    note:
      'Pulse route, idempotency off, 1 KB signed body, a delivery with a new id per request; ' +
      `${pin ? 'server pinned to core 1, load generator to core 0' : 'NOT pinned'}; ` +
      `warm-up, then ${rounds} rounds of ${duration} s, contenders interleaved (order rotated); medians. Server CPU ` +
      'is user + system time of the server process per answered request. ' +
      'The last row times one dispatch call in this process, nobody subscribed: the cost an unobserved app pays. ' +
      `Non-2xx/errors: ${bad}.`,
    rows,
    targets
  }
}
