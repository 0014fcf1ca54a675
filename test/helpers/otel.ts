/**
 * The OpenTelemetry SDK as an app sets it up, with in-memory exporters: a tracer provider whose spans are
 * kept, a meter provider read on demand, @fastify/otel for the request span, and the package's instrumentation.
 */
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { FastifyOtelInstrumentation } from '@fastify/otel'
import { instrumentWebhooks, type WebhookTelemetryOptions } from '../../lib/observe/otel.js'

/** A reader that exports nothing by itself: `collect()` when the test wants the figures. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush (): Promise<void> {}
  protected override async onShutdown (): Promise<void> {}
}

export interface Telemetry {
  spans (): ReadableSpan[]
  /** every data point of the named metric */
  points (name: string): Promise<Array<DataPoint<unknown>>>
  fastifyOtel: FastifyOtelInstrumentation
  stop (): Promise<void>
}

/** `options`: what else to hand `instrumentWebhooks` than the providers. */
export function telemetry (options: Omit<WebhookTelemetryOptions, 'tracerProvider' | 'meterProvider'> = {}): Telemetry {
  const contextManager = new AsyncLocalStorageContextManager().enable()
  context.setGlobalContextManager(contextManager)
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
  const reader = new OnDemandReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const fastifyOtel = new FastifyOtelInstrumentation()
  fastifyOtel.setTracerProvider(tracerProvider)
  const uninstrument = instrumentWebhooks({ ...options, tracerProvider, meterProvider })
  return {
    spans: () => exporter.getFinishedSpans(),
    async points (name) {
      const { resourceMetrics } = await reader.collect()
      return resourceMetrics.scopeMetrics
        .flatMap(scope => scope.metrics)
        .filter(m => m.descriptor.name === name)
        .flatMap(m => m.dataPoints as Array<DataPoint<unknown>>)
    },
    fastifyOtel,
    async stop () {
      uninstrument()
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
      context.disable()
    }
  }
}
