import t from 'tap'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Queue, type Job } from 'bullmq'
import Fastify, { type FastifyInstance } from 'fastify'
import { MemoryStore } from '../lib/stores/idempotency.js'
import { createWebhookWorker, jobIdOf, DEFAULT_JOB_OPTIONS, type WebhookJobData } from '../lib/queue/worker.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { dropFileUrl, retab, type RetabEvent } from '../plugins/retab.js'
import { fixtures } from '../lib/testing/kit.js'
import { spawnNode, stopChild } from '../support/child-process.js'
import { HEX_SECRET, SW_SECRET, postPulse, signWith } from './helpers/sign.js'
import { runExample } from './helpers/example-process.js'
import { failFastClient as connect, ready, startRedis } from './helpers/redis-server.js'

const CHILD = fileURLToPath(new URL('./helpers/bullmq-child-worker.ts', import.meta.url))

/** A Pulse receiver on real HTTP; its log lines are kept. */
async function web (
  options: Record<string, unknown>
): Promise<{ app: FastifyInstance; url: string; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({
    logger: {
      level: 'info',
      stream: {
        write: (line: string) => {
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  await app.register(pulse, { secret: SW_SECRET, ...options })
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
  return { app, url, lines }
}

async function deliver (
  url: string,
  payload: unknown,
  id: string
): Promise<{ status: number; body: Record<string, unknown> }> {
  return await postPulse(url, JSON.stringify(payload), id)
}

const completed = fixtures.pulse['job.completed']

/** Resolves after `n` jobs completed on `worker`; call it before they can complete. */
async function completions (
  worker: { on(event: 'completed', listener: () => void): unknown },
  n: number
): Promise<void> {
  let count = 0
  await new Promise<void>(resolve => worker.on('completed', () => { if (++count === n) resolve() }))
}

t.test('option checks (no Redis needed)', async t => {
  const fake = { name: 'q', add: async () => undefined }
  const register = async (options: Record<string, unknown>): Promise<void> => {
    const app = Fastify()
    try {
      await app.register(pulse, { secret: SW_SECRET, ...options })
      await app.ready()
    } finally {
      await app.close()
    }
  }
  await register({}) // no queue: handlers inline, as before
  await register({ queue: fake })
  await register({ queue: { queue: fake, jobOptions: { attempts: 2 }, transform: (e: PulseEvent) => e, timeout: 100 } })
  const cases: Array<[unknown, RegExp]> = [
    ['q', /option "queue" must be a BullMQ Queue/],
    [null, /option "queue" must be a BullMQ Queue/],
    [{ queue: fake, jobOption: {} }, /unknown option "queue.jobOption"/],
    [{ queue: {} }, /option "queue.queue" must be a BullMQ Queue/],
    [{ queue: fake, jobOptions: 5 }, /option "queue.jobOptions" must be an object/],
    [{ queue: fake, jobOptions: null }, /option "queue.jobOptions" must be an object/],
    [{ queue: fake, transform: 'x' }, /option "queue.transform" must be a function/],
    [{ queue: fake, timeout: 0 }, /option "queue.timeout" must be a positive number/],
    [{ queue: fake, timeout: Number.NaN }, /option "queue.timeout" must be a positive number/]
  ]
  for (const [queue, message] of cases) {
    await t.rejects(register({ queue }), { name: 'TypeError', message: /^fastify-webhooks-pulse: / }, String(message))
    await t.rejects(register({ queue }), { message })
  }
  for (const name of ['on', 'onEvent', 'onUnknown']) {
    const handler = name === 'on' ? { 'job.completed': () => {} } : () => {}
    await t.rejects(register({ queue: fake, [name]: handler }), {
      message: new RegExp(`option "${name}" does not run with option "queue": give it to createWebhookWorker`)
    })
  }

  const worker = (options: unknown): unknown => createWebhookWorker(options as never)
  const connection = { host: '127.0.0.1', port: 1 }
  t.throws(() => worker(undefined), {
    message: 'fastify-webhooks/bullmq: option "connection" is required (ioredis options or client)'
  })
  t.throws(() => worker({ connection: null, queueName: 'q' }), { message: /option "connection" is required/ })
  t.throws(() => worker({ connection, queueName: '' }), { message: /option "queueName" must be the name of the queue/ })
  t.throws(() => worker({ connection, queueName: 'q', on: null }), {
    message: /option "on" must be an object of handlers/
  })
  t.throws(() => worker({ connection, queueName: 'q', on: { 'job.completed': 1 } }), {
    message: /option "on.job.completed" must be a function/
  })
  t.throws(() => worker({ connection, queueName: 'q', onEvent: 1 }), { message: /option "onEvent" must be a function/ })
  t.throws(() => worker({ connection, queueName: 'q', onUnknown: 1 }), {
    message: /option "onUnknown" must be a function/
  })
  t.throws(() => worker({ connection, queueName: 'q', concurrency: 0 }), {
    message: /option "concurrency" must be a positive integer/
  })
  t.throws(() => worker({ connection, queueName: 'q', concurrency: 1.5 }), {
    message: /option "concurrency" must be a positive integer/
  })
  t.throws(() => worker({ connection, queueName: 'q', onEvnet: () => {} }), {
    message: 'fastify-webhooks/bullmq: unknown option "onEvnet"'
  })
})

t.test('job ids: provider and event id, BullMQ-safe and distinct', async t => {
  t.equal(jobIdOf('pulse', 'msg_2x'), 'pulse.msg_2x')
  t.equal(jobIdOf('retab', 'a:b'), 'retab.a%3Ab', 'BullMQ refuses ":" in custom ids')
  t.not(jobIdOf('retab', 'a:b'), jobIdOf('retab', 'a%3Ab'), 'escaping keeps distinct ids distinct')
  t.equal(jobIdOf('pulse', '42'), 'pulse.42', 'never a bare integer, which BullMQ refuses')
})

t.test("dropFileUrl empties Retab's document URL and leaves other events alone", async t => {
  const event = {
    provider: 'retab',
    payload: { completion: {}, file_payload: { filename: 'a.pdf', url: 'data:application/pdf;base64,AAAA' } }
  }
  const dropped = dropFileUrl(event)
  t.same(dropped.payload, { completion: {}, file_payload: { filename: 'a.pdf', url: '' } })
  t.equal(event.payload.file_payload.url, 'data:application/pdf;base64,AAAA', 'the original is not changed')
  const none = { provider: 'retab', payload: { file_payload: null } }
  t.equal(dropFileUrl(none), none)
  const plain = { provider: 'pulse', payload: null }
  t.equal(dropFileUrl(plain), plain)
})

t.test('BullMQ on a real redis-server', async t => {
  const redis = await startRedis()
  const producer = connect(redis)
  const workerConnection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null }
  const queues: Queue[] = []
  const newQueue = (name: string, options: { defaultJobOptions?: object } = {}): Queue => {
    const queue = new Queue(name, { connection: producer, ...options })
    queues.push(queue)
    return queue
  }
  t.teardown(async () => {
    for (const queue of queues) await queue.close()
    producer.disconnect()
    await redis.close()
  })
  await ready(producer)

  t.test('delivery → 202 → the worker\'s handler runs once with the typed event', async t => {
    const queue = newQueue('delivery')
    queue.on('error', () => {})
    const { app, url, lines } = await web({ queue })
    t.teardown(() => app.close())

    const res = await deliver(url, completed, 'msg_delivery_1')
    t.equal(res.status, 202)
    t.same(res.body, { received: true })
    t.ok(lines.some(l => l.msg === 'webhook event queued' && l.id === 'msg_delivery_1'), 'logged with its id')
    const job = (await queue.getJob(jobIdOf('pulse', 'msg_delivery_1')))!
    t.equal(job.name, 'job.completed', 'the job is named by its event type')
    t.match(
      job.opts,
      { attempts: DEFAULT_JOB_OPTIONS.attempts, backoff: DEFAULT_JOB_OPTIONS.backoff },
      'retries are set on the job'
    )

    const seen: Array<{ event: PulseEvent, job: Job }> = []
    const all: string[] = []
    const worker = createWebhookWorker<PulseEvent>({
      connection: workerConnection,
      queueName: 'delivery',
      on: { 'job.completed': async (event, job) => { seen.push({ event, job }) } },
      onEvent: async event => { all.push(event.type) }
    })
    t.teardown(() => worker.close())
    await once(worker, 'completed')
    t.equal(seen.length, 1)
    const { event, job: given } = seen[0]!
    t.equal(event.provider, 'pulse')
    t.equal(event.id, 'msg_delivery_1')
    t.equal(event.type, 'job.completed')
    t.type(event.receivedAt, Date, 'receivedAt is a Date again')
    t.ok(Math.abs(event.receivedAt.getTime() - Date.now()) < 60_000, 'and the right one')
    t.type(event.timestamp, 'number', 'the signed timestamp is kept')
    t.same(event.payload, completed, 'the exact payload')
    if (event.type === 'job.completed') t.equal(event.payload.data.pages_processed, 25, 'typed: narrowed by type')
    t.equal(given.id, jobIdOf('pulse', 'msg_delivery_1'), 'the second argument is the Job')
    t.same(all, ['job.completed'], 'onEvent runs after the handler')
  })

  t.test('the same event 10 times to two instances → one job, handled once', async t => {
    const queue = newQueue('dedupe')
    queue.on('error', () => {})
    const a = await web({ queue })
    const b = await web({ queue: newQueue('dedupe') })
    t.teardown(async () => { await a.app.close(); await b.app.close() })

    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => deliver(i % 2 === 0 ? a.url : b.url, completed, 'msg_dup'))
    )
    t.same(
      answers.map(r => r.status),
      Array(10).fill(202),
      'every delivery is acknowledged: each one found its job in Redis'
    )
    t.same(await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed'), {
      waiting: 1,
      active: 0,
      delayed: 0,
      completed: 0,
      failed: 0
    })

    let calls = 0
    const worker = createWebhookWorker<PulseEvent>({
      connection: workerConnection,
      queueName: 'dedupe',
      on: {
        'job.completed': () => {
          calls++
        }
      }
    })
    t.teardown(() => worker.close())
    await once(worker, 'completed')
    t.equal(calls, 1)
    const again = await deliver(a.url, completed, 'msg_dup')
    t.equal(again.status, 202, 'a redelivery after the job ran')
    t.same(
      await queue.getJobCounts('waiting', 'active', 'delayed', 'completed'),
      { waiting: 0, active: 0, delayed: 0, completed: 1 },
      'still one job: the completed one is kept for the dedupe window'
    )
  })

  t.test('with an idempotency store too, a duplicate is answered 200 before Redis is asked', async t => {
    const queue = newQueue('store')
    queue.on('error', () => {})
    const { app, url } = await web({ queue, idempotency: { store: new MemoryStore() } })
    t.teardown(() => app.close())
    t.equal((await deliver(url, completed, 'msg_store')).status, 202)
    const second = await deliver(url, completed, 'msg_store')
    t.equal(second.status, 200)
    t.same(second.body, { received: true, duplicate: true })
    t.equal(await queue.count(), 1)
  })

  t.test('an event of an unknown type is queued for onUnknown; without onUnknown its job just completes', async t => {
    const queue = newQueue('unknown')
    queue.on('error', () => {})
    const { app, url } = await web({ queue })
    t.teardown(() => app.close())
    const payload = { type: 'job.teleported', timestamp: '2025-01-01T00:00:00Z', data: {} }
    t.equal((await deliver(url, payload, 'msg_unknown')).status, 202)
    t.equal((await deliver(url, { ...completed, type: 'job.completed' }, 'msg_known')).status, 202)
    t.equal((await queue.getJob(jobIdOf('pulse', 'msg_unknown')))!.name, 'unknown:job.teleported')

    const unknown: Array<{ type: string, receivedAt: Date }> = []
    const known: string[] = []
    const worker = createWebhookWorker<PulseEvent>({
      connection: workerConnection,
      queueName: 'unknown',
      on: { ['job.teleported' as 'job.completed']: () => { known.push('wrong') } },
      onEvent: event => { known.push(event.id) },
      onUnknown: event => { unknown.push(event) }
    })
    t.teardown(() => worker.close())
    await completions(worker, 2)
    t.equal(unknown.length, 1)
    t.equal(unknown[0]!.type, 'job.teleported')
    t.type(unknown[0]!.receivedAt, Date)
    t.same(
      known,
      ['msg_known'],
      'the `on` handler named like the unknown type does not run; onEvent runs for the known one only'
    )

    await worker.close()
    t.equal((await deliver(url, payload, 'msg_unknown_2')).status, 202)
    const quiet = createWebhookWorker({ connection: workerConnection, queueName: 'unknown' })
    t.teardown(() => quiet.close())
    await once(quiet, 'completed')
    t.equal((await queue.getJob(jobIdOf('pulse', 'msg_unknown_2')))!.finishedOn! > 0, true, 'completed with no handler')
  })

  t.test(
    'a handler that throws twice then succeeds: processed once, after retries; one that always throws is kept ' +
      'as failed',
    async t => {
      const queue = newQueue('retry')
      queue.on('error', () => {})
      const { app, url } = await web({
        queue: { queue, jobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 20 } } }
      })
      t.teardown(() => app.close())
      const attempts: number[] = []
      const done: string[] = []
      const worker = createWebhookWorker<PulseEvent>({
        connection: workerConnection,
        queueName: 'retry',
        on: {
          'job.completed': async (event, job) => {
            attempts.push(job.attemptsMade)
            if (job.attemptsMade < 2) throw new Error(`flaky ${job.attemptsMade}`)
            done.push(event.id)
          },
          'job.failed': () => {
            throw new Error('always broken')
          }
        }
      })
      t.teardown(() => worker.close())
      const finished = once(worker, 'completed')
      t.equal((await deliver(url, completed, 'msg_flaky')).status, 202)
      const [job] = (await finished) as [Job]
      t.same(attempts, [0, 1, 2], 'two failed attempts, then the third')
      t.same(done, ['msg_flaky'], 'handled once')
      t.equal(job.attemptsMade, 3)

      const failedForGood = new Promise<Job>(resolve =>
        worker.on('failed', (j?: Job) => {
          if (j?.attemptsMade === 3) resolve(j)
        })
      )
      t.equal((await deliver(url, fixtures.pulse['job.failed'], 'msg_broken')).status, 202)
      await failedForGood
      const failed = await queue.getFailed()
      t.equal(failed.length, 1, 'kept in the failed set for inspection')
      t.equal(failed[0]!.id, jobIdOf('pulse', 'msg_broken'))
      t.equal(failed[0]!.failedReason, 'always broken')
    }
  )

  t.test(
    "queue.defaultJobOptions win over the engine's; jobOptions over both (an undefined one does not); transform " +
      'changes what is stored',
    async t => {
      const queue = newQueue('options', { defaultJobOptions: { attempts: 7, removeOnFail: true } })
      queue.on('error', () => {})
      const app = Fastify()
      await app.register(retab, {
        secret: HEX_SECRET,
        // attempts given as undefined (from a config object) keeps the queue's 7, as leaving it out does
        queue: { queue, jobOptions: { removeOnFail: 10, attempts: undefined }, transform: dropFileUrl }
      })
      t.teardown(() => app.close())
      const payload = fixtures.retab['extraction.completed'] as {
        file_payload?: { url: string }
        completion: { id: string }
      }
      const body = JSON.stringify({
        ...payload,
        file_payload: { filename: 'invoice.pdf', url: 'data:application/pdf;base64,' + 'A'.repeat(10_000) }
      })
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/retab',
        headers: {
          'content-type': 'application/json',
          ...signWith({ kind: 'hex', header: 'retab-signature' }, body, { secret: HEX_SECRET })
        },
        payload: body
      })
      t.equal(res.statusCode, 202)
      const job = (await queue.getJob(jobIdOf('retab', payload.completion.id)))! as Job<WebhookJobData<RetabEvent>>
      t.match(job.opts, { attempts: 7, removeOnFail: 10, backoff: DEFAULT_JOB_OPTIONS.backoff })
      t.same(job.data.payload.file_payload, { filename: 'invoice.pdf', url: '' }, 'the data URL was not stored')
      t.ok(JSON.stringify(job.data).length < 5_000, 'the job is small')
      t.ok('extraction' in job.data, 'the parsed extraction travels with the event')
    }
  )

  t.test('an async transform is awaited; one that fails is answered 500 and stores nothing', async t => {
    const queue = newQueue('transform')
    queue.on('error', () => {})
    const { app, url } = await web({
      queue: {
        queue,
        transform: async (event: PulseEvent) => {
          if (event.type === 'job.failed') throw new Error('object storage is down')
          return { ...event, id: 'changed' }
        }
      }
    })
    t.teardown(() => app.close())
    t.equal((await deliver(url, completed, 'msg_async')).status, 202)
    t.equal(
      (await queue.getJob(jobIdOf('pulse', 'msg_async')))!.data.id,
      'changed',
      'the job id comes from the event as received'
    )
    const res = await deliver(url, fixtures.pulse['job.failed'], 'msg_transform_fails')
    t.equal(res.status, 500)
    t.equal(res.body.code, 'WEBHOOK_QUEUE_UNAVAILABLE')
    t.equal(await queue.count(), 1)
  })

  t.test('Redis down → 500 and nothing acknowledged that was not stored; back up → 202', async t => {
    const quiet = new Queue('down', { connection: producer }) // no 'error' listener of its own: the plugin adds one
    queues.push(quiet)
    const heard = newQueue('down')
    const listener = (): void => {}
    heard.on('error', listener)
    const { app, url, lines } = await web({ queue: quiet })
    const other = await web({ queue: heard })
    t.teardown(async () => { await app.close(); await other.app.close() })
    t.equal(quiet.listenerCount('error'), 1, 'the plugin listens to the queue\'s errors')
    t.equal(heard.listenerCount('error'), 1, 'but not when the user does')

    t.equal((await deliver(url, completed, 'msg_before')).status, 202)
    const errored = once(quiet, 'error')
    await redis.stop()
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => deliver(i % 2 === 0 ? url : other.url, completed, `msg_down_${i}`))
    )
    t.same(
      answers.map(a => a.status),
      Array(5).fill(500),
      'never a 2xx while Redis is down'
    )
    t.same(
      answers.map(a => a.body.code),
      Array(5).fill('WEBHOOK_QUEUE_UNAVAILABLE')
    )
    const failures = lines.filter(l => (l.err as { code?: string } | undefined)?.code === 'WEBHOOK_QUEUE_UNAVAILABLE')
    t.ok(failures.length > 0, 'Fastify logged the 500')
    t.ok(
      failures.every(l => String((l.err as { stack?: string }).stack).includes('caused by')),
      "with the queue's own error as its cause"
    )
    t.notOk(
      lines.some(l => l.msg === 'webhook queue did not take the event'),
      'logged once: not by the plugin as well'
    )
    await errored
    t.ok(lines.some(l => l.msg === 'webhook queue connection error'), 'the connection error was logged, not thrown')

    await redis.start()
    await ready(producer)
    const retried = await deliver(url, completed, 'msg_down_0')
    t.equal(retried.status, 202, 'the sender\'s retry is taken once Redis is back')
    t.ok(await quiet.getJob(jobIdOf('pulse', 'msg_down_0')), 'and its job is in Redis')
    t.equal(
      await quiet.count(),
      1,
      'nothing else: the failed deliveries made no jobs (and msg_before went with the unsaved Redis)'
    )
  })

  t.test(
    'Redis too slow → 500 after `timeout`; the late job makes the retry a duplicate, not a second ' + 'job',
    async t => {
      const queue = newQueue('slow')
      queue.on('error', () => {})
      const { app, url } = await web({ queue: { queue, timeout: 100 } })
      t.teardown(() => app.close())
      t.equal((await deliver(url, completed, 'msg_warm')).status, 202, 'scripts loaded before the pause')
      const admin = connect(redis)
      t.teardown(() => admin.disconnect())
      await ready(admin)
      await admin.call('CLIENT', 'PAUSE', '600', 'WRITE')
      const slow = await deliver(url, completed, 'msg_slow')
      t.equal(slow.status, 500)
      t.equal(slow.body.code, 'WEBHOOK_QUEUE_UNAVAILABLE')
      await admin.call('CLIENT', 'UNPAUSE')
      t.equal((await deliver(url, completed, 'msg_slow')).status, 202)
      t.equal(await queue.count(), 2, 'msg_warm and msg_slow: one job each')
    }
  )

  t.test('the README recipe: examples/bullmq-web.ts and two examples/bullmq-worker.ts', async t => {
    const env = {
      PULSE_WEBHOOK_SECRET: SW_SECRET,
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      QUEUE: 'recipe',
      PORT: '0',
      HOST: '127.0.0.1'
    }
    const webApp = runExample('bullmq-web', env)
    const workers = [runExample('bullmq-worker', env), runExample('bullmq-worker', env)]
    const all = [webApp, ...workers]
    t.teardown(() => { for (const p of all) p.child.kill('SIGKILL') })
    const listening = await webApp.waitFor(l => String(l.msg).startsWith('Server listening at '))
    const url = `${String(listening.msg).slice('Server listening at '.length)}/webhooks/pulse`
    for (const w of workers) await w.waitFor(l => l.msg === 'worker ready')

    const jobs = ['job_a', 'job_b', 'job_c', 'job_d']
    for (const [i, job] of jobs.entries()) {
      t.equal(
        (await deliver(url, { ...completed, data: { ...completed.data, job_id: job } }, `msg_recipe_${i}`)).status,
        202
      )
    }
    t.equal(
      (await deliver(url, { ...completed, data: { ...completed.data, job_id: 'job_a' } }, 'msg_recipe_0')).status,
      202,
      'a redelivery'
    )
    t.equal((await deliver(url, fixtures.pulse['job.failed'], 'msg_recipe_failed')).status, 202)
    t.equal(
      (
        await deliver(
          url,
          { ...completed, data: { ...completed.data, job_id: 'job_empty', pages_processed: 0 } },
          'msg_recipe_empty'
        )
      ).status,
      202
    )

    const reports = async (job: string): Promise<unknown> =>
      await Promise.race(workers.map(w => w.waitFor(l => l.msg === 'report written' && l.job === job)))
    for (const job of jobs) await reports(job)
    await Promise.race(workers.map(w => w.waitFor(l => l.msg === 'pulse job failed')))
    const failed = await Promise.race(workers.map(w => w.waitFor(l => l.msg === 'job attempt failed')))
    t.match(
      failed,
      { job: jobIdOf('pulse', 'msg_recipe_empty'), attempt: 1, err: 'job job_empty has no pages yet' },
      'a throw is an attempt failed, retried later'
    )
    const written = workers
      .flatMap(w => w.lines)
      .filter(l => l.msg === 'report written')
      .map(l => l.job)
      .sort()
    t.same(written, jobs, 'each report written once, by one of the two workers')
    t.type(
      workers[0]!.lines.find(l => l.msg === 'report written')?.received ??
        workers[1]!.lines.find(l => l.msg === 'report written')!.received,
      'string'
    )

    for (const p of all) {
      const exited = once(p.child, 'exit')
      p.child.kill('SIGTERM')
      t.equal((await exited)[0], 0, 'a clean exit on SIGTERM')
    }
  })

  t.test('a worker killed mid-job: another worker runs the job', async t => {
    const queue = newQueue('killed')
    queue.on('error', () => {})
    const { app, url } = await web({ queue })
    t.teardown(() => app.close())
    t.equal((await deliver(url, completed, 'msg_killed')).status, 202)

    const child = spawnNode(CHILD, [String(redis.port), 'killed'])
    t.teardown(() => stopChild(child))
    const started = await new Promise<{ started: string }>(resolve =>
      child.on('message', (m: { started?: string }) => {
        if (m.started !== undefined) resolve(m as { started: string })
      })
    )
    t.equal(started.started, 'msg_killed', 'the first worker holds the job')
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited

    const handled: Array<{ id: string, attemptsStarted: number }> = []
    const worker = createWebhookWorker<PulseEvent>({
      connection: workerConnection,
      queueName: 'killed',
      on: { 'job.completed': (event, job) => { handled.push({ id: event.id, attemptsStarted: job.attemptsStarted }) } },
      worker: { stalledInterval: 300 }
    })
    t.teardown(() => worker.close())
    await once(worker, 'completed')
    t.equal(handled.length, 1)
    t.equal(handled[0]!.id, 'msg_killed')
    t.equal(handled[0]!.attemptsStarted, 2, 'its second start: the killed one counted')
    t.same(await queue.getJobCounts('completed', 'failed'), { completed: 1, failed: 0 })
  })
})
