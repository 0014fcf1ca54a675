/**
 * Exactly-once effects with the Postgres store, on a real Postgres over real HTTP: a handler's writes
 * through `store.client()` commit with the event's done mark, or not at all, whatever the process does.
 */
import t from 'tap'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Queue } from 'bullmq'
import Fastify, { type FastifyInstance } from 'fastify'
import type pg from 'pg'
import { PostgresStore } from '../lib/stores/postgres.js'
import { createWebhookWorker } from '../lib/queue/worker.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { spawnNode, stopChild } from '../support/child-process.js'
import { postPulse } from './helpers/sign.js'
import { connect, startPostgres } from './helpers/postgres.js'
import { failFastClient, startRedis } from './helpers/redis-server.js'

const CHILD = fileURLToPath(new URL('./helpers/postgres-child.ts', import.meta.url))
const BODY = JSON.stringify(fixtures.pulse['job.completed'])

/** The handlers' writes: one row per run that committed. */
async function effects (pool: pg.Pool, id: string): Promise<string[]> {
  const { rows } = await pool.query<{ source: string }>(
    'SELECT source FROM effects WHERE event_id = $1 ORDER BY source',
    [id]
  )
  return rows.map(r => r.source)
}

async function receiver (
  store: PostgresStore,
  on: (event: PulseEvent) => Promise<void>,
  options: Record<string, unknown> = {}
): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify()
  await app.register(pulse, {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    idempotency: { store },
    onEvent: on,
    ...options
  })
  return { app, url: `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse` }
}

t.test('handlers that write through store.client()', async t => {
  const server = await startPostgres()
  const pools = [connect(server, { max: 30 }), connect(server, { max: 30 })]
  const [pool, other] = pools as [pg.Pool, pg.Pool]
  t.teardown(async () => { await Promise.all(pools.map(p => p.end())); await server.close() })
  await new PostgresStore({ pool }).migrate()
  await pool.query('CREATE TABLE effects (event_id text NOT NULL, source text NOT NULL)')
  const stores = [new PostgresStore({ pool }), new PostgresStore({ pool: other })] as const
  const write = (store: PostgresStore, source: string) => async (event: PulseEvent): Promise<void> => {
    await store.client().query('INSERT INTO effects (event_id, source) VALUES ($1, $2)', [event.id, source])
  }

  t.test('one event 50 times at once to two instances: one run, one committed write', async t => {
    let runs = 0
    const apps = await Promise.all(
      stores.map(
        async (store, i) =>
          await receiver(store, async event => {
            runs++
            await sleep(20)
            await write(store, `instance-${i}`)(event)
          })
      )
    )
    t.teardown(() => Promise.all(apps.map(a => a.app.close())))
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => await postPulse(apps[i % 2]!.url, BODY, 'msg_effects_50'))
    )
    t.equal(runs, 1, 'the handler ran once')
    t.equal((await effects(pool, 'msg_effects_50')).length, 1, 'one write committed')
    const statuses = answers.map(a => a.status)
    t.equal(
      statuses.filter(s => s === 200).length + statuses.filter(s => s === 409).length,
      50,
      'each answer is 200 (handled or duplicate) or 409 (in flight)'
    )
    t.equal(answers.filter(a => a.status === 200 && a.body.duplicate !== true).length, 1, 'one of them handled it')
    t.same((await postPulse(apps[1]!.url, BODY, 'msg_effects_50')).body, { received: true, duplicate: true })
  })

  t.test('a handler that writes then throws twice, then succeeds: one committed write', async t => {
    let attempt = 0
    const { app, url } = await receiver(stores[0], async event => {
      await write(stores[0], `attempt-${++attempt}`)(event)
      if (attempt < 3) throw new Error('not yet')
    })
    t.teardown(() => app.close())
    t.match(await postPulse(url, BODY, 'msg_effects_retry'), { status: 500, body: { code: 'WEBHOOK_HANDLER_FAILED' } })
    t.match(await postPulse(url, BODY, 'msg_effects_retry'), { status: 500, body: { code: 'WEBHOOK_HANDLER_FAILED' } })
    t.same(await effects(pool, 'msg_effects_retry'), [], 'the failed attempts wrote nothing')
    t.same(await postPulse(url, BODY, 'msg_effects_retry'), { status: 200, body: { received: true } })
    t.same(await effects(pool, 'msg_effects_retry'), ['attempt-3'])
    t.same((await postPulse(url, BODY, 'msg_effects_retry')).body, { received: true, duplicate: true })
  })

  t.test('a handler that answers an error itself: its writes roll back, and the retry runs it', async t => {
    let calls = 0
    const app = Fastify()
    await app.register(pulse, {
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      idempotency: { store: stores[0] },
      onEvent: async (event, _request, reply) => {
        await write(stores[0], `call-${++calls}`)(event)
        return calls === 1 ? await reply.code(503).send({ busy: true }) : undefined
      }
    })
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
    t.teardown(() => app.close())
    t.same(await postPulse(url, BODY, 'msg_effects_answered'), { status: 503, body: { busy: true } })
    t.same(await effects(pool, 'msg_effects_answered'), [], 'nothing committed')
    // The answer went out while the handler's transaction was still open: until it rolls back, the event is in
    // flight, and a retry is told 409 as a sender's would be. The sender retries until it is not.
    let retry
    do retry = await postPulse(url, BODY, 'msg_effects_answered')
    while (retry.status === 409)
    t.same(await effects(pool, 'msg_effects_answered'), ['call-2'], 'the first run\'s write rolled back')
    t.same(retry, { status: 200, body: { received: true } })
    t.equal(calls, 2, 'a 409 runs no handler')
  })

  t.test('the claim ran out and another instance took the event: 409, and only its write commits', async t => {
    const slow = await receiver(
      stores[0],
      async event => {
        await write(stores[0], 'slow')(event)
        await sleep(300)
      },
      { idempotency: { store: stores[0], lease: 0.05 } }
    )
    const fast = await receiver(stores[1], write(stores[1], 'fast'))
    t.teardown(() => Promise.all([slow.app.close(), fast.app.close()]))
    const first = postPulse(slow.url, BODY, 'msg_effects_lost')
    await sleep(150)
    t.same(await postPulse(fast.url, BODY, 'msg_effects_lost'), { status: 200, body: { received: true } })
    t.match(await first, { status: 409, body: { code: 'WEBHOOK_CLAIM_LOST' } })
    t.same(await effects(pool, 'msg_effects_lost'), ['fast'])
  })

  t.test('Postgres failing at COMMIT time: 500 WEBHOOK_STORE_UNAVAILABLE, and nothing is written', async t => {
    // A deferred constraint is checked at COMMIT: the handler's own write makes the commit fail.
    await pool.query('CREATE TABLE deferred (id text, CONSTRAINT once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)')
    const { app, url } = await receiver(stores[0], async event => {
      await stores[0].client().query('INSERT INTO deferred (id) VALUES ($1), ($1)', [event.id])
    })
    t.teardown(() => app.close())
    t.match(await postPulse(url, BODY, 'msg_effects_commit'), {
      status: 500,
      body: { code: 'WEBHOOK_STORE_UNAVAILABLE' }
    })
    t.equal((await pool.query('SELECT 1 FROM deferred')).rowCount, 0)
    t.equal(
      await new PostgresStore({ pool }).claim('pulse:msg_effects_commit', 60_000),
      'new',
      'the claim was released'
    )
  })

  t.test('store.client() outside a handler throws', async t => {
    t.throws(() => stores[0].client(), /only available while a webhook handler runs/)
  })

  t.test(
    "an instance SIGKILLed inside a handler's transaction: no partial write; the retry after the lease commits " +
      'one',
    async t => {
      const child = spawnNode(CHILD, [server.connectionString])
      t.teardown(() => stopChild(child))
      const { listening } = await new Promise<{ listening: string }>(resolve =>
        child.on('message', (m: { listening?: string }) => {
          if (m.listening !== undefined) resolve(m as { listening: string })
        })
      )
      const writing = new Promise(resolve =>
        child.on('message', (m: { writing?: string }) => {
          if (m.writing !== undefined) resolve(m.writing)
        })
      )
      const doomed = postPulse(`${listening}/webhooks/pulse`, BODY, 'msg_effects_killed').catch((err: Error) => err)
      t.equal(await writing, 'msg_effects_killed', 'the handler wrote inside its transaction')
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
      t.type(await doomed, Error, 'the sender saw the connection drop (no 2xx)')
      t.same(await effects(pool, 'msg_effects_killed'), [], 'the killed transaction left nothing')
      const { app, url } = await receiver(stores[1], write(stores[1], 'retry'))
      t.teardown(() => app.close())
      t.match(
        await postPulse(url, BODY, 'msg_effects_killed'),
        { status: 409, body: { code: 'WEBHOOK_IN_FLIGHT' } },
        'within the lease the claim holds'
      )
      await sleep(1100)
      t.same(await postPulse(url, BODY, 'msg_effects_killed'), { status: 200, body: { received: true } })
      t.same(await effects(pool, 'msg_effects_killed'), ['retry'])
    }
  )
})

t.test('the BullMQ worker with a PostgresStore: a job\'s effects commit once, however often it runs', async t => {
  const [server, redis] = await Promise.all([startPostgres(), startRedis()])
  const pool = connect(server)
  const connection = failFastClient(redis, { maxRetriesPerRequest: null })
  const queue = new Queue('pg-effects', { connection })
  t.teardown(async () => {
    await queue.close()
    connection.disconnect()
    await pool.end()
    await Promise.all([server.close(), redis.close()])
  })
  const store = new PostgresStore({ pool })
  await store.migrate()
  await pool.query('CREATE TABLE effects (event_id text NOT NULL, source text NOT NULL)')

  const web = Fastify()
  await web.register(pulse, {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    queue: { queue, jobOptions: { backoff: 10 } }
  })
  const url = `${await web.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
  t.teardown(() => web.close())

  let attempt = 0
  const worker = createWebhookWorker<PulseEvent>({
    connection,
    queueName: 'pg-effects',
    idempotency: { store },
    on: {
      'job.completed': async (event, job) => {
        attempt++
        await store
          .client()
          .query('INSERT INTO effects (event_id, source) VALUES ($1, $2)', [event.id, `attempt-${job.attemptsStarted}`])
        if (attempt < 3) throw new Error('not yet')
      }
    }
  })
  t.teardown(() => worker.close())
  const completed = once(worker, 'completed')
  t.equal((await postPulse(url, BODY, 'msg_worker_pg')).status, 202)
  await completed
  t.same(await effects(pool, 'msg_worker_pg'), ['attempt-3'], 'the two failed attempts wrote nothing')
  t.match(
    (await pool.query('SELECT done FROM fastify_webhooks_idempotency WHERE key = $1', ['pulse:msg_worker_pg'])).rows,
    [{ done: true }]
  )
})
