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

/**
 * The SDK and @fastify/otel's request spans, as an app that traces its requests has them; `instrument`: with
 * fastify-webhooks/otel too. Returns @fastify/otel's plugin, to register before the routes.
 */
export function observeWithOtel (instrument: boolean): FastifyPluginCallback {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new DroppingExporter() })]
  })
  const meterProvider = new MeterProvider({ readers: [new HeldReader()] })
  if (instrument) instrumentWebhooks({ tracerProvider, meterProvider })
  const fastifyOtel = new FastifyOtelInstrumentation()
  fastifyOtel.setTracerProvider(tracerProvider)
  return fastifyOtel.plugin()
}
