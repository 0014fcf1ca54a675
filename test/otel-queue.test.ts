/**
 * A queued delivery traced end to end on a real redis-server: the route's span, the job carrying its
 * traceparent, the worker's CONSUMER span linked back to it, and the worker's metrics (jobs by outcome,
 * handler time, queue lag), a failed attempt and its retry included.
 */
import { once } from 'node:events'
import { SpanKind, SpanStatusCode } from '@opentelemetry/api'
import { Queue } from 'bullmq'
import Fastify from 'fastify'
import t from 'tap'
import { MemoryStore } from '../lib/stores/idempotency.js'
import { createWebhookWorker, jobIdOf } from '../lib/queue/worker.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { telemetry } from './helpers/otel.js'
import { failFastClient as connect, ready, startRedis } from './helpers/redis-server.js'
import { SW_SECRET, postPulse } from './helpers/sign.js'

const tel = telemetry()
const redis = await startRedis()
const producer = connect(redis)
await ready(producer)
const queue = new Queue('traced', { connection: producer, defaultJobOptions: { attempts: 2, backoff: 0 } })
queue.on('error', () => {})
t.teardown(async () => {
  await queue.close()
  producer.disconnect()
  await redis.close()
  await tel.stop()
})

const app = Fastify()
await app.register(tel.fastifyOtel.plugin())
await app.register(pulse, { secret: SW_SECRET, queue })
const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
t.teardown(() => app.close())

const completed = fixtures.pulse['job.completed']

t.test('the worker span links to the span of the request that queued the job', async t => {
  const seen: PulseEvent[] = []
  let attempts = 0
  const worker = createWebhookWorker<PulseEvent>({
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    queueName: 'traced',
    // Deduplicating in the worker too: its duplicates are jobs, not deliveries.
    idempotency: { store: new MemoryStore() },
    on: {
      'job.completed': async event => {
        seen.push(event)
        if (++attempts === 1) throw new Error('first attempt fails')
      }
    }
  })
  t.teardown(() => worker.close())
  const done = once(worker, 'completed')
  t.equal((await postPulse(url, JSON.stringify(completed), 'msg_traced')).status, 202)
  await done

  const job = (await queue.getJob(jobIdOf('pulse', 'msg_traced')))!
  t.match(job.data.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'the job carries a traceparent')
  t.equal(seen.length, 2, 'failed once, then handled')
  for (const event of seen) t.notOk('traceparent' in event, 'handlers get the event without it')

  const spans = tel.spans().filter(span => span.instrumentationScope.name === 'fastify-webhooks')
  const route = spans.find(
    span => span.kind === SpanKind.INTERNAL && span.attributes['webhook.event.id'] === 'msg_traced'
  )!
  t.ok(route, 'the route span')
  t.equal(route.attributes['webhook.outcome'], 'handled', 'the route dispatched it (to the queue)')
  t.equal(job.data.traceparent, `00-${route.spanContext().traceId}-${route.spanContext().spanId}-01`)

  const processed = spans.filter(span => span.kind === SpanKind.CONSUMER)
  t.equal(processed.length, 2, 'one span per attempt')
  for (const span of processed) {
    t.equal(span.name, 'process traced')
    t.match(span.attributes, {
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'traced',
      'messaging.message.id': jobIdOf('pulse', 'msg_traced'),
      'webhook.provider': 'pulse',
      'webhook.event.id': 'msg_traced'
    })
    t.equal(span.links.length, 1)
    t.equal(span.links[0]!.context.spanId, route.spanContext().spanId, 'linked to the route span')
    t.equal(span.links[0]!.context.traceId, route.spanContext().traceId)
  }
  const [first, second] = processed.sort(
    (a, b) => Number(a.attributes['webhook.job.attempt']) - Number(b.attributes['webhook.job.attempt'])
  )
  t.match(first!.attributes, { 'webhook.job.attempt': 1, 'webhook.outcome': 'failed', 'error.type': 'Error' })
  t.equal(first!.status.code, SpanStatusCode.ERROR)
  t.match(second!.attributes, { 'webhook.job.attempt': 2, 'webhook.outcome': 'handled' })

  const deliveries = await tel.points('webhook.deliveries')
  t.match(deliveries, [
    {
      attributes: {
        'webhook.provider': 'pulse',
        'webhook.outcome': 'accepted',
        'messaging.destination.name': 'traced'
      },
      value: 1
    }
  ])
  const jobs = Object.fromEntries(
    (await tel.points('webhook.jobs')).map(p => [p.attributes['webhook.outcome'], p.value])
  )
  t.same(jobs, { failed: 1, handled: 1 })
  const lag = await tel.points('webhook.queue.lag')
  t.equal(lag.reduce((sum, p) => sum + (p.value as { count: number }).count, 0), 2, 'a lag per attempt')
  const durations = await tel.points('webhook.handler.duration')
  t.same(
    durations
      .map(p => [p.attributes['webhook.where'], p.attributes['webhook.outcome'], (p.value as { count: number }).count])
      .sort(),
    [
      ['worker', 'failed', 1],
      ['worker', 'handled', 1]
    ]
  )

  // The same job run again (as after a worker crash): the worker's store says done, counted as a duplicate job.
  await job.retry('completed')
  await once(worker, 'completed')
  const again = Object.fromEntries(
    (await tel.points('webhook.jobs')).map(p => [p.attributes['webhook.outcome'], p.value])
  )
  t.same(again, { failed: 1, handled: 1, duplicate: 1 })
})

t.test('a job without a traceparent, or with a malformed one, gets a span with no link', async t => {
  const worker = createWebhookWorker<PulseEvent>({
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    queueName: 'traced'
  })
  t.teardown(() => worker.close())
  const cases = { none: undefined, malformed: '00-zz', invalid: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` }
  for (const [name, traceparent] of Object.entries(cases)) {
    const done = once(worker, 'completed')
    const id = `msg_untraced_${name}`
    const data = {
      provider: 'pulse',
      id,
      type: 'job.completed',
      payload: completed,
      receivedAt: new Date().toISOString(),
      ...(traceparent === undefined ? {} : { traceparent })
    }
    await queue.add('job.completed', data, { jobId: jobIdOf('pulse', id) })
    await done
    const span = tel.spans().find(s => s.kind === SpanKind.CONSUMER && s.attributes['webhook.event.id'] === id)!
    t.ok(span, name)
    t.same(span.links, [], `${name}: no link`)
  }
})
