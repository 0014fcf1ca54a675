/**
 * The diagnostics channels as a subscriber without OpenTelemetry sees them: each channel alone gets its
 * message with exactly the documented fields (never a payload), and nobody subscribed means nothing published.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { Queue } from 'bullmq'
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import t, { type Test } from 'tap'
import { CHANNELS } from '../lib/observe/channels.js'
import { deliveryObserver } from '../lib/observe/observer.js'
import { jobIdOf } from '../lib/queue/sink.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { failFastClient as connect, ready, startRedis } from './helpers/redis-server.js'
import { SW_SECRET, signWith } from './helpers/sign.js'

const completed = fixtures.pulse['job.completed']

async function inline (): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(pulse, {
    secret: SW_SECRET,
    on: { 'job.completed': async event => { if (event.payload.data.job_id === 'job_boom') throw new Error('boom') } }
  })
  return app
}

async function post (
  app: FastifyInstance,
  id: string,
  payload: unknown = completed,
  url = '/webhooks/pulse'
): Promise<{ statusCode: number }> {
  const body = JSON.stringify(payload)
  const headers = {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, id })
  }
  return await app.inject({ method: 'POST', url, headers, payload: body })
}

/** A Pulse receiver whose `queue` is a BullMQ queue named `name` on a real redis-server of its own. */
async function queued (
  t: Test,
  name: string,
  options: Record<string, unknown> = {}
): Promise<{ app: FastifyInstance; queue: Queue }> {
  const redis = await startRedis()
  const producer = connect(redis)
  await ready(producer)
  const queue = new Queue(name, { connection: producer })
  queue.on('error', () => {})
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET, queue, ...options })
  t.teardown(async () => {
    await app.close()
    await queue.close()
    producer.disconnect()
    await redis.close()
  })
  return { app, queue }
}

/** The messages published on `name` while `run` runs, with only that channel subscribed. */
async function seenOn (name: string, run: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = []
  const listener = (message: unknown): void => { seen.push(message) }
  subscribe(name, listener)
  try {
    await run()
  } finally {
    unsubscribe(name, listener)
  }
  return seen
}

t.test('each channel alone, with exactly its fields', async t => {
  const app = await inline()
  t.teardown(() => app.close())
  const fields = { provider: 'pulse', type: 'job.completed', where: 'route' }

  const handled = await seenOn(CHANNELS.handled, () => post(app, 'msg_a'))
  t.match(handled, [{ ...fields, id: 'msg_a', duration: Number }])
  t.same(Object.keys(handled[0]!).sort(), ['duration', 'id', 'provider', 'type', 'where'])

  t.same(await seenOn(CHANNELS.duplicate, () => post(app, 'msg_a')), [{ ...fields, id: 'msg_a', inFlight: false }])

  const failed = await seenOn(CHANNELS.failed, () =>
    post(app, 'msg_b', { ...completed, data: { ...completed.data, job_id: 'job_boom' } })
  )
  t.match(failed, [{ ...fields, id: 'msg_b', error: 'WEBHOOK_HANDLER_FAILED', duration: Number }])
  t.same(Object.keys(failed[0]!).sort(), ['duration', 'error', 'id', 'provider', 'type', 'where'])

  const refused = await seenOn(CHANNELS.refused, async () => {
    await app.inject({
      method: 'POST',
      url: '/webhooks/pulse',
      headers: { 'content-type': 'application/json' },
      payload: '{}'
    })
    await app.inject({
      method: 'POST',
      url: '/webhooks/pulse',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello'
    })
  })
  t.same(refused, [
    { provider: 'pulse', outcome: 'refused', reason: 'missing-signature', status: 401 },
    { provider: 'pulse', outcome: 'invalid', reason: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', status: 415 }
  ])

  // Another channel subscribed: each outcome goes only to its own channel.
  t.same(await seenOn(CHANNELS.duplicate, async () => {
    await post(app, 'msg_d')
    await post(app, 'msg_e', { ...completed, data: { ...completed.data, job_id: 'job_boom' } })
  }), [])
  t.same(await seenOn(CHANNELS.handled, () => post(app, 'msg_d')), [], 'a duplicate is not handled')

  // No subscriber: the same deliveries publish nothing (and answer as always).
  t.equal((await post(app, 'msg_c')).statusCode, 200)
  t.equal((await post(app, 'msg_c')).statusCode, 200)
})

t.test('queued: the queue and the job id, on a real redis-server', async t => {
  const { app, queue } = await queued(t, 'observed')
  const published = await seenOn(CHANNELS.queued, () => post(app, 'msg_q'))
  t.same(published, [
    { provider: 'pulse', id: 'msg_q', type: 'job.completed', queue: 'observed', jobId: 'pulse.msg_q' }
  ])
  const job = await queue.getJob('pulse.msg_q')
  t.notOk(job?.data.traceparent, 'no tracer listening: the job carries no traceparent')
  // Only the handled channel subscribed: a queue does not handle, so nothing is published there.
  t.same(await seenOn(CHANNELS.handled, () => post(app, 'msg_q2')), [])
})

t.test('a refusal ignores what is not one, and names an error without a code', async t => {
  const observer = deliveryObserver('route', true)
  const seen = await seenOn(CHANNELS.refused, async () => {
    observer.refused('pulse', new Error('a 500 without a code'))
    observer.refused('pulse', Object.assign(new Error('in flight'), { code: 'WEBHOOK_IN_FLIGHT', statusCode: 409 }))
    observer.refused('pulse', Object.assign(new Error('a 404 without a code'), { statusCode: 404 }))
  })
  t.same(seen, [{ provider: 'pulse', outcome: 'invalid', reason: 'UNKNOWN', status: 404 }])
})

t.test('with many tenants, every message of an event carries its tenant', async t => {
  const app = Fastify()
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: request => (request.params as { tenant: string }).tenant,
    secret: async tenant => tenant === 'acme' ? SW_SECRET : undefined,
    on: { 'job.completed': async event => { if (event.payload.data.job_id === 'job_boom') throw new Error('boom') } }
  })
  t.teardown(() => app.close())
  const send = async (id: string, payload: unknown = completed): Promise<unknown> =>
    await post(app, id, payload, '/webhooks/pulse/acme')
  const fields = { provider: 'pulse', tenant: 'acme', type: 'job.completed', where: 'route' }
  t.match(await seenOn(CHANNELS.handled, () => send('msg_t1')), [{ ...fields, id: 'msg_t1' }])
  t.same(await seenOn(CHANNELS.duplicate, () => send('msg_t1')), [{ ...fields, id: 'msg_t1', inFlight: false }])
  t.match(
    await seenOn(CHANNELS.failed, () =>
      send('msg_t2', { ...completed, data: { ...completed.data, job_id: 'job_boom' } })
    ),
    [{ ...fields, id: 'msg_t2', error: 'WEBHOOK_HANDLER_FAILED' }]
  )
})

t.test('queued with many tenants: the tenant is in the message and the job id', async t => {
  const { app } = await queued(t, 'observed-tenants', {
    path: '/webhooks/pulse/:tenant',
    tenant: (request: FastifyRequest) => (request.params as { tenant: string }).tenant,
    secret: () => SW_SECRET
  })
  const published = await seenOn(CHANNELS.queued, () => post(app, 'msg_tq', completed, '/webhooks/pulse/globex'))
  t.match(published, [
    {
      provider: 'pulse',
      tenant: 'globex',
      id: 'msg_tq',
      queue: 'observed-tenants',
      jobId: jobIdOf('pulse', 'msg_tq', 'globex')
    }
  ])
})
