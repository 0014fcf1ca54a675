/**
 * The subscribers of the observability bench (bench/observe.ts), set up in a contender's server process:
 * every diagnostics channel with a listener that does nothing, or the OpenTelemetry SDK (AsyncLocalStorage
 * context manager, spans batched to an exporter that drops them, metrics aggregated in memory) with
 * @fastify/otel's request spans, with or without fastify-webhooks/otel.
 */
import { subscribe } from 'node:diagnostics_channel'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import type { FastifyPluginCallback } from 'fastify'
import { CHANNELS, delivery } from '../lib/observe/channels.js'
import { instrumentWebhooks } from '../lib/observe/otel.js'

const count = (): void => {}

export function observeChannels (): void {
  delivery.subscribe({ start: count, end: count, asyncStart: count, asyncEnd: count, error: count })
  for (const name of Object.values(CHANNELS)) if (name !== CHANNELS.delivery) subscribe(name, count)
}

class DroppingExporter implements SpanExporter {
  export (_spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    done({ code: 0 })
  }

  async shutdown (): Promise<void> {}
}

class HeldReader extends MetricReader {
  protected override async onForceFlush (): Promise<void> {}
  protected override async onShutdown (): Promise<void> {}
}

/** What any instrumentation of a delivery costs at the least: one span with three attributes, one histogram record. */
export interface OtelFloor { delivered (id: string): void }

/**
 * What an app traces: its requests only (`requests`); with fastify-webhooks/otel too, a span per delivery
 * (`own`) or the attributes on the request's current span (`current`); or its requests and, by hand in the
 * handler, the SDK calls of one delivery's span and metric (`floor`), that fastify-webhooks/otel is measured against.
 */
export type OtelSetup = 'requests' | 'own' | 'current' | 'floor'

/**
 * The SDK and @fastify/otel's request spans, as an app that traces its requests has them, and what else `setup`
 * names. Returns @fastify/otel's plugin, to register before the routes, and the floor's call for the handler.
 */
export function observeWithOtel (setup: OtelSetup): { plugin: FastifyPluginCallback, floor: OtelFloor } {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new DroppingExporter() })]
  })
  const meterProvider = new MeterProvider({ readers: [new HeldReader()] })
  if (setup === 'own' || setup === 'current') instrumentWebhooks({ tracerProvider, meterProvider, span: setup })
  const fastifyOtel = new FastifyOtelInstrumentation()
  fastifyOtel.setTracerProvider(tracerProvider)
  const tracer = tracerProvider.getTracer('bench-floor')
  const histogram = meterProvider.getMeter('bench-floor').createHistogram('bench.duration', { unit: 's' })
  const recorded = { 'webhook.provider': 'pulse', 'webhook.outcome': 'handled', 'webhook.where': 'route' }
  return {
    plugin: fastifyOtel.plugin(),
    floor: {
      delivered (id) {
        if (setup !== 'floor') return
        const started = performance.now()
        const attributes = {
          'webhook.provider': 'pulse', 'webhook.event.id': id, 'webhook.event.type': 'job.completed'
        }
        const span = tracer.startSpan('webhook pulse', { attributes }, context.active())
        span.setAttribute('webhook.outcome', 'handled')
        span.end()
        histogram.record((performance.now() - started) / 1000, recorded)
      }
    }
  }
}
