/**
 * `fastify-webhooks/otel`: OpenTelemetry spans and metrics made from the package's diagnostics channels
 * (lib/observe/channels.ts). The core never imports this module, so an app without OpenTelemetry pays nothing;
 * `@opentelemetry/api` is an optional peer dependency, needed only here.
 */
import {
  context, metrics, trace, SpanKind, SpanStatusCode,
  type Attributes, type Link, type Meter, type MeterProvider, type MetricOptions, type Span, type SpanContext,
  type TracerProvider
} from '@opentelemetry/api'
import { delivery, errorType, subscribeWebhooks, type DeliveryMessage } from './channels.js'

export interface WebhookTelemetryOptions {
  /** Default: the global one (`trace.setGlobalTracerProvider`, or what the Node SDK registered). */
  tracerProvider?: TracerProvider | undefined
  /** Default: the global one. */
  meterProvider?: MeterProvider | undefined
  /**
   * The span of a delivery on the route. `'own'` (the default): a `webhook <provider>` span of its own, a child of
   * the current one. `'current'`: no span of its own; the span current when the delivery is dispatched or refused
   * (the one your HTTP instrumentation made for the request) gets the same attributes, and its status stays its
   * owner's. Where no span is current, the delivery gets one of its own all the same. A worker's job always has its
   * own `process <queue>` span.
   */
  span?: 'own' | 'current' | undefined
}

const NAME = 'fastify-webhooks'

/** Handler times: 1 ms to 30 s (a sender such as Svix gives up after 15 s). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30]
/** Queue lag: 1 ms to 10 h (BullMQ's backoff puts retries hours out). */
const LAG_BUCKETS = [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600, 36_000]

/**
 * Starts making spans and metrics for every webhook delivery in this process; returns the function that
 * stops it. Call it once, where the OpenTelemetry SDK is set up.
 *
 * Spans: `webhook <provider>` for each delivery on the route (a child of the request's span; with `span: 'current'`,
 * the request's current span takes its attributes instead), and
 * `process <queue>` (CONSUMER) for each job in a worker, linked to the span of the request that queued it.
 * Metrics: `webhook.deliveries` (by provider, outcome and reason), `webhook.jobs` (worker outcomes),
 * `webhook.handler.duration` and `webhook.queue.lag` (seconds).
 */
export function instrumentWebhooks (options: WebhookTelemetryOptions = {}): () => void {
  const tracer = (options.tracerProvider ?? trace).getTracer(NAME)
  // With `span: 'current'`, the span a route delivery's attributes go on instead of one of its own (none: its own).
  const currentSpan = options.span === 'current' ? () => trace.getSpan(context.active()) : () => undefined
  const meter = (options.meterProvider ?? metrics).getMeter(NAME)
  const deliveries = tally(meter, 'webhook.deliveries', {
    description: 'Webhook deliveries received, by outcome',
    unit: '{delivery}'
  })
  const jobs = tally(meter, 'webhook.jobs', {
    description: 'Queued webhook events run by a worker, by outcome',
    unit: '{job}'
  })
  const handlerDuration = meter.createHistogram('webhook.handler.duration', {
    description: 'Time the handlers of one event took',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS }
  })
  const queueLag = meter.createHistogram('webhook.queue.lag', {
    description: 'Time from a job being queued to a worker starting it',
    unit: 's',
    advice: { explicitBucketBoundaries: LAG_BUCKETS }
  })
  // Each delivery's span rides on its message (symbols of this instrumentation's own), cheaper than a map: the
  // span it started, or the current one it added attributes to.
  const kSpan = Symbol('fastify-webhooks/otel span')
  const kCurrent = Symbol('fastify-webhooks/otel current span')
  type Traced = DeliveryMessage & { [kSpan]?: Span, [kCurrent]?: Span }

  const tracing = {
    start (message: Traced) {
      const attributes: Attributes = {
        'webhook.provider': message.provider,
        'webhook.event.id': message.id,
        'webhook.event.type': message.type
      }
      const { job } = message
      if (job === undefined) {
        const current = currentSpan()
        if (current !== undefined) {
          current.setAttributes(attributes)
          message[kCurrent] = current
          message.traceparent = traceparentOf(current.spanContext())
          return
        }
        const span = tracer.startSpan(
          `webhook ${message.provider}`,
          { kind: SpanKind.INTERNAL, attributes },
          context.active()
        )
        message[kSpan] = span
        message.traceparent = traceparentOf(span.spanContext())
        return
      }
      Object.assign(attributes, {
        'messaging.system': 'bullmq',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': job.queue,
        'messaging.message.id': job.id,
        'webhook.job.attempt': job.attempt
      })
      const queued = spanContextOf(message.traceparent)
      const links: Link[] = queued === null ? [] : [{ context: queued }]
      message[kSpan] = tracer.startSpan(
        `process ${job.queue}`,
        { kind: SpanKind.CONSUMER, attributes, links },
        context.active()
      )
      queueLag.record(job.lag / 1000, { 'webhook.provider': message.provider, 'messaging.destination.name': job.queue })
    },
    end () {},
    asyncStart () {},
    asyncEnd (message: Traced) {
      const own = message[kSpan]
      const span = own ?? message[kCurrent]
      if (span === undefined) return
      if (message.result !== undefined) span.setAttribute('webhook.outcome', message.result)
      own?.end()
    },
    error (message: Traced) {
      const type = errorType(message.error)
      const own = message[kSpan]
      const span = own ?? message[kCurrent]
      span?.setAttribute('webhook.outcome', type === 'WEBHOOK_IN_FLIGHT' ? 'in_flight' : 'failed')
      span?.setAttribute('error.type', type)
      // A span this instrumentation did not start keeps the status its owner gives it.
      own?.setStatus({ code: SpanStatusCode.ERROR })
    }
  }

  const counted = (where: string): Tally => where === 'worker' ? jobs : deliveries
  const durations = attributeSets().find
  const recordDuration = (m: { provider: string, where: string, duration: number }, outcome: string): void => {
    handlerDuration.record(m.duration / 1000, durations(m.provider, outcome, 'webhook.where', m.where).attributes)
  }
  delivery.subscribe(tracing)
  const unsubscribe = subscribeWebhooks({
    refused: m => {
      deliveries.add(m.provider, m.outcome, 'webhook.refusal.reason', m.reason)
      // A refused delivery runs nothing, but it shows in the trace of its request.
      const attributes = {
        'webhook.provider': m.provider,
        'webhook.outcome': m.outcome,
        'webhook.refusal.reason': m.reason,
        'error.type': m.reason
      }
      const current = currentSpan()
      if (current !== undefined) {
        current.setAttributes(attributes)
        return
      }
      const span = tracer.startSpan(`webhook ${m.provider}`, { kind: SpanKind.INTERNAL, attributes }, context.active())
      span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
    },
    duplicate: m => {
      counted(m.where).add(m.provider, m.inFlight ? 'in_flight' : 'duplicate')
    },
    handled: m => {
      counted(m.where).add(m.provider, m.where === 'worker' ? 'handled' : 'accepted')
      recordDuration(m, 'handled')
    },
    failed: m => {
      counted(m.where).add(m.provider, 'failed', 'error.type', m.error)
      recordDuration(m, 'failed')
    },
    queued: m => {
      deliveries.add(m.provider, 'accepted', 'messaging.destination.name', m.queue)
    }
  })
  return () => {
    delivery.unsubscribe(tracing)
    unsubscribe()
    deliveries.stop()
    jobs.stop()
  }
}

/** An attribute set of one instrument, made once and handed out again, with its count where it is counted. */
interface AttributeSet { attributes: Attributes, count: number }
type AttributeSets = (provider: string, outcome: string, name?: string, value?: string) => AttributeSet

/**
 * The attribute sets of one instrument, by provider and outcome and at most one more attribute. Looked up a level
 * per attribute rather than by a key joined from them: a delivery builds no string to find its set.
 */
function attributeSets (): { find: AttributeSets, all: Iterable<AttributeSet> } {
  const byProvider: Level<Level<Level<Level<AttributeSet>>>> = new Map()
  const sets: AttributeSet[] = []
  const find: AttributeSets = (provider, outcome, name = '', value = '') => {
    const byValue = level(level(level(byProvider, provider), outcome), name)
    let set = byValue.get(value)
    if (set === undefined) {
      const attributes: Attributes = { 'webhook.provider': provider, 'webhook.outcome': outcome }
      if (name !== '') attributes[name] = value
      byValue.set(value, set = { attributes, count: 0 })
      sets.push(set)
    }
    return set
  }
  return { find, all: sets }
}

type Level<T> = Map<string, T>

/** The next level under `key`, made on first use. */
function level<T> (map: Level<Level<T>>, key: string): Level<T> {
  let next = map.get(key)
  if (next === undefined) map.set(key, next = new Map())
  return next
}

interface Tally {
  add: (...set: Parameters<AttributeSets>) => void
  stop (): void
}

/**
 * A monotonic count per attribute set, kept here and read by the SDK when it collects (an observable counter): a
 * delivery costs one Map step, where a counter's `add` has the SDK sort and serialize its attributes every time.
 */
function tally (meter: Meter, name: string, options: MetricOptions): Tally {
  const { find, all } = attributeSets()
  const counter = meter.createObservableCounter(name, options)
  const observe = (result: { observe (value: number, attributes: Attributes): void }): void => {
    for (const { count, attributes } of all) result.observe(count, attributes)
  }
  counter.addCallback(observe)
  return {
    add (provider, outcome, attribute, value) { find(provider, outcome, attribute, value).count++ },
    stop: () => { counter.removeCallback(observe) }
  }
}
function traceparentOf (span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${span.traceFlags.toString(16).padStart(2, '0')}`
}

/** The span context a W3C traceparent names; null for none or one that is not well formed. */
function spanContextOf (traceparent: string | undefined): SpanContext | null {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent ?? '')
  if (match === null) return null
  const span = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true }
  return trace.isSpanContextValid(span) ? span : null
}
