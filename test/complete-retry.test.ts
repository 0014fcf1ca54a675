/**
 * The store blinks after the handlers ran: `complete` fails, the sender is answered 200 all the same, and `complete`
 * is tried again in the background while the lease lasts. With a real redis-server (an append-only file, so that its
 * restart keeps the lease) stopped inside the handler and started again, the event is marked done once Redis is back:
 * a redelivery is a duplicate, and the handler ran once. When the lease is over first, the retries stop and say so.
 * Each wait is for a state (a log line, a key), bounded by tap's timeout, never a time tuned to this machine.
 */
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import { fixtures, sign } from '../lib/testing/kit.js'
import { RedisStore } from '../lib/stores/redis.js'
import { pulse } from '../plugins/pulse.js'
import { SW_SECRET, postPulse } from './helpers/sign.js'
import { failFastClient, ready, startRedis } from './helpers/redis-server.js'

const BODY = JSON.stringify(fixtures.pulse['job.completed'])
const POLL_MS = 10

t.test('Redis stopped after the handler ran, then back within the lease: marked done, no second run', async t => {
  const redis = await startRedis({ appendOnly: true })
  const client = failFastClient(redis, { commandTimeout: 2000 })
  const lines: Array<{ msg: string, tries?: number }> = []
  const app = Fastify({
    forceCloseConnections: true,
    logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } }
  })
  t.teardown(async () => { await app.close(); client.disconnect(); await redis.close() })
  await ready(client)
  const logged = async (msg: string) => {
    while (!lines.some(line => line.msg === msg)) await sleep(POLL_MS)
    return lines.find(line => line.msg === msg)!
  }

  let runs = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store: new RedisStore({ client }), lease: 600 },
    on: {
      'job.completed': async () => {
        // The first run takes Redis down before dispatch records the event.
        if (++runs === 1) await redis.stop()
      }
    }
  })
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`

  t.same(await postPulse(url, BODY, 'msg_blink'), { status: 200, body: { received: true } }, 'the handler ran: 200')
  await logged('idempotency store failed to record the event')
  t.match(await postPulse(url, BODY, 'msg_blink'), { status: 500, body: { code: 'WEBHOOK_STORE_UNAVAILABLE' } },
    'a redelivery during the outage: 500, and no run')

  await redis.start()
  await ready(client)
  const recorded = await logged('idempotency store recorded the event after all')
  t.ok(recorded.tries! >= 2, `recorded on try ${recorded.tries}`)
  t.equal(await client.get('fastify-webhooks:pulse:msg_blink'), 'done')
  t.same(await postPulse(url, BODY, 'msg_blink'), { status: 200, body: { received: true, duplicate: true } },
    'the redelivery after the outage is a duplicate')
  t.equal(runs, 1, 'the handler ran once')
  t.equal(lines.filter(line => line.msg === 'idempotency store failed to record the event').length, 1,
    'the failure is logged once, not once a try')
})

t.test('Redis still down when the lease ends: the retries stop, and say so', async t => {
  const redis = await startRedis()
  const client = failFastClient(redis, { commandTimeout: 2000 })
  const lines: Array<{ msg: string, tries?: number }> = []
  const logger = { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } }
  const app = Fastify({ logger })
  t.teardown(async () => { await app.close(); client.disconnect(); await redis.close() })
  await ready(client)

  let runs = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store: new RedisStore({ client }), lease: 1 },
    on: { 'job.completed': async () => { runs++; await redis.stop() } }
  })
  await app.ready()
  const { headers, body } = sign('pulse', BODY, { secret: SW_SECRET, id: 'msg_gone' })
  const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })
  t.equal(res.statusCode, 200)
  const end = 'idempotency store did not record the event before its lease ended'
  while (!lines.some(line => line.msg === end)) await sleep(POLL_MS)
  const last = lines.find(line => line.msg === end)!
  t.ok(last.tries! >= 2, `gave up after ${last.tries} tries`)
  t.notOk(lines.some(line => line.msg === 'idempotency store recorded the event after all'))
  t.equal(runs, 1)
})
