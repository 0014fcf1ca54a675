import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { RedisStore, type RedisEvalClient } from '../lib/stores/redis.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, postPulse } from './helpers/sign.js'
import { failFastClient, ready, startRedis, type RedisServer } from './helpers/redis-server.js'
import { storeContract } from './helpers/store-contract.js'

/** A store's callers must see a stuck command fail too, hence the command timeout. */
const connect = (redis: RedisServer): Redis => failFastClient(redis, { commandTimeout: 2000 })

t.test('RedisStore on a real redis-server', async t => {
  const redis = await startRedis()
  const a = connect(redis)
  const b = connect(redis)
  t.teardown(async () => { a.disconnect(); b.disconnect(); await redis.close() })
  await Promise.all([ready(a), ready(b)])
  storeContract(t, instance => new RedisStore({ client: [a, b][instance]! }))

  t.test('claim, complete and the key in Redis', async t => {
    const store = new RedisStore({ client: a })
    t.equal(await store.claim('pulse:msg_1', 60_000), 'new')
    t.equal(await store.claim('pulse:msg_1', 60_000), 'in-flight')
    const lease = await a.pttl('fastify-webhooks:pulse:msg_1')
    t.ok(lease > 0 && lease <= 60_000, `the claim expires with its lease (${lease} ms left)`)
    await store.complete('pulse:msg_1', 3_600_000)
    t.equal(await a.get('fastify-webhooks:pulse:msg_1'), 'done')
    t.ok(await a.pttl('fastify-webhooks:pulse:msg_1') > 60_000, 'done is kept for the ttl')
    t.equal(await store.claim('pulse:msg_1', 60_000), 'done')
    t.equal(await new RedisStore({ client: b }).claim('pulse:msg_1', 60_000), 'done', 'another instance sees it done')
  })

  t.test('keys are namespaced by the prefix', async t => {
    const one = new RedisStore({ client: a, prefix: 'app1:' })
    const two = new RedisStore({ client: a, prefix: 'app2:' })
    t.equal(await one.claim('pulse:same', 60_000), 'new')
    t.equal(await two.claim('pulse:same', 60_000), 'new')
    t.same((await a.keys('app*:pulse:same')).sort(), ['app1:pulse:same', 'app2:pulse:same'])
  })

  t.test('options are checked', async t => {
    t.throws(() => new RedisStore({} as never), /RedisStore: option "client" must be an ioredis client/)
    t.throws(() => new RedisStore(undefined as never), /option "client"/)
    t.throws(() => new RedisStore({ client: a, prefix: 1 as never }), /option "prefix" must be a string/)
    const structural: RedisEvalClient = a
    t.doesNotThrow(
      () => new RedisStore({ client: structural }),
      'any client with eval fits (tsc checks ioredis is assignable)'
    )
  })
})

// ---- two Fastify instances sharing one Redis, over real HTTP ----

const event = fixtures.pulse['job.completed']
const BODY = JSON.stringify(event)

interface Instance {
  app: FastifyInstance
  url: string
}

async function instance (
  store: RedisStore,
  handler: (id: string) => Promise<void> | void,
  lease = 60
): Promise<Instance> {
  const app = Fastify({ forceCloseConnections: true })
  await app.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store, lease },
    on: {
      'job.completed': async e => {
        await handler(e.id)
      }
    }
  })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, url: `${address}/webhooks/pulse` }
}

async function deliver (target: Instance, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return await postPulse(target.url, BODY, id)
}

t.test('two instances sharing one Redis', async t => {
  const redis = await startRedis()
  const clients = [connect(redis), connect(redis)]
  t.teardown(async () => { for (const c of clients) c.disconnect(); await redis.close() })
  await Promise.all(clients.map(ready))

  t.test('one event delivered concurrently to both, many times: its handler runs once', async t => {
    let runs = 0
    let open!: () => void
    const gate = new Promise<void>(resolve => {
      open = resolve
    })
    const handler = async () => {
      runs++
      await gate
    }
    const apps = [
      await instance(new RedisStore({ client: clients[0]! }), handler),
      await instance(new RedisStore({ client: clients[1]! }), handler)
    ]
    t.teardown(() => Promise.all(apps.map(i => i.app.close())))

    const pending = Array.from({ length: 60 }, (_, i) => deliver(apps[i % 2]!, 'msg_gate'))
    // All but the owner answer while the handler is held: each must be 409, and none may run the handler.
    const settled: Array<{ status: number }> = []
    for (const p of pending) p.then(r => settled.push(r), () => {})
    while (settled.length < 59) await sleep(5)
    t.same(new Set(settled.map(r => r.status)), new Set([409]), '59 deliveries told to retry later')
    open()
    const all = await Promise.all(pending)
    t.equal(all.filter(r => r.status === 200 && r.body.duplicate === undefined).length, 1, 'one delivery handled it')
    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(apps[i % 2]!, 'msg_gate')))
    t.same(
      again.map(r => r.body),
      Array(20).fill({ received: true, duplicate: true }),
      'later deliveries are 200 duplicate'
    )
    t.equal(runs, 1)
  })

  t.test(
    'many events, each delivered many times to both at once, retried on 409 like a sender: each runs exactly ' + 'once',
    async t => {
      const runs = new Map<string, number>()
      const handler = async (id: string) => {
        runs.set(id, (runs.get(id) ?? 0) + 1)
        await sleep(1)
      }
      const apps = [
        await instance(new RedisStore({ client: clients[0]! }), handler),
        await instance(new RedisStore({ client: clients[1]! }), handler)
      ]
      t.teardown(() => Promise.all(apps.map(i => i.app.close())))
      const statuses = new Map<number, number>()
      await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          let res
          do {
            res = await deliver(apps[i % 2]!, `msg_bulk_${i % 25}`)
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
          } while (res.status === 409)
          t.equal(res.status, 200)
        })
      )
      t.same(
        [...statuses.keys()].filter(s => s !== 200 && s !== 409),
        [],
        'only 200 and 409 answers'
      )
      t.equal(runs.size, 25)
      t.same([...runs.values()], Array(25).fill(1), 'every event ran once')
    }
  )

  t.test(
    'an instance that dies mid-handler leaves a claim that expires after the lease; the retry then ' + 'runs',
    async t => {
      const ran: string[] = []
      const dying = await instance(
        new RedisStore({ client: clients[0]! }),
        id => {
          ran.push(`dying:${id}`)
          return new Promise(() => {})
        },
        1
      )
      const healthy = await instance(
        new RedisStore({ client: clients[1]! }),
        id => {
          ran.push(`healthy:${id}`)
        },
        1
      )
      t.teardown(() => healthy.app.close())

      const lost = deliver(dying, 'msg_crash').catch((err: Error) => err)
      while (ran.length === 0) await sleep(5)
      await dying.app.close()
      t.type(await lost, Error, 'the sender saw the connection drop')

      t.equal((await deliver(healthy, 'msg_crash')).status, 409, "the dead owner's claim is still held")
      let res
      do {
        await sleep(100)
        res = await deliver(healthy, 'msg_crash')
      } while (res.status === 409)
      t.same(res, { status: 200, body: { received: true } })
      t.same(ran, ['dying:msg_crash', 'healthy:msg_crash'])
    }
  )

  t.test('Redis down: 500 WEBHOOK_STORE_UNAVAILABLE, never 200; back up: the deliveries are processed', async t => {
    const ran: string[] = []
    const apps = [
      await instance(new RedisStore({ client: clients[0]! }), id => {
        ran.push(id)
      }),
      await instance(new RedisStore({ client: clients[1]! }), id => {
        ran.push(id)
      })
    ]
    t.teardown(() => Promise.all(apps.map(i => i.app.close())))
    t.equal((await deliver(apps[0]!, 'msg_before')).status, 200)

    await redis.stop()
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => deliver(apps[i % 2]!, `msg_outage_${i % 5}`)))
    for (const res of during) t.match(res, { status: 500, body: { code: 'WEBHOOK_STORE_UNAVAILABLE' } })
    t.same(ran, ['msg_before'], 'no handler ran during the outage')

    await redis.start()
    await Promise.all(clients.map(ready))
    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => deliver(apps[i % 2]!, `msg_outage_${i}`)))
    t.same(after.map(r => r.status), [200, 200, 200, 200, 200])
    t.same(ran.slice(1).sort(), ['msg_outage_0', 'msg_outage_1', 'msg_outage_2', 'msg_outage_3', 'msg_outage_4'])
  })
})
