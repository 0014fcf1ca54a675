/**
 * A handler that answers an error itself (`reply.code(503).send()`) has the event's lease dropped before that answer
 * goes out: the sender's retry, sent the moment the answer arrives, takes the key and runs the handler (never a 409),
 * with the memory store and with a real redis-server, over real HTTP. The first run is still in its handler while the
 * retry runs, so the old order (answer, then release once the handler returns) would answer the retry 409 every time.
 * A handler that answers 2xx itself has the event completed, even when the sender hangs up before the handler returns.
 */
import { once } from 'node:events'
import type { AddressInfo, Socket } from 'node:net'
import t, { type Test } from 'tap'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { fixtures } from '../lib/testing/kit.js'
import { MemoryStore, type IdempotencyStore } from '../lib/stores/idempotency.js'
import { RedisStore } from '../lib/stores/redis.js'
import { pulse } from '../plugins/pulse.js'
import { rawPost, until } from '../support/raw-http.js'
import { SW_SECRET, signWith } from './helpers/sign.js'
import { failFastClient, ready, startRedis } from './helpers/redis-server.js'

const BODY = JSON.stringify(fixtures.pulse['job.completed'])

/** The headers of BODY delivered as event `id`, signed as Pulse signs. */
function signedHeaders (id: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, BODY, { secret: SW_SECRET, id })
  }
}

async function deliver (url: string, id: string): Promise<{ status: number, text: string }> {
  const res = await fetch(url, { method: 'POST', headers: signedHeaders(id), body: BODY })
  return { status: res.status, text: await res.text() }
}

/** How the first run answers 503: and then keeps running until told, or by returning the (thenable) reply. */
type Answer = (reply: FastifyReply, gate: Promise<void>) => Promise<unknown>
const answers: Record<string, Answer> = {
  'sends, then keeps running': async (reply, gate) => {
    reply.code(503).send({ busy: true })
    await gate
  },
  'returns the reply it sent': async reply => reply.code(503).send({ busy: true })
}

const HANDLED = 'webhook event handled'
let events = 0

/** An app that keeps each "handled" log line (dispatch logs one once it has settled), closed when `t` ends. */
function appKeepingHandled (t: Test): { app: FastifyInstance, handled: string[] } {
  const handled: string[] = []
  const app = Fastify({
    forceCloseConnections: true,
    logger: {
      level: 'info',
      stream: { write: (line: string) => { if (JSON.parse(line).msg === HANDLED) handled.push(line) } }
    }
  })
  t.teardown(() => app.close())
  return { app, handled }
}

async function retryRuns (t: Test, makeStore: () => IdempotencyStore): Promise<void> {
  for (const [name, answer] of Object.entries(answers)) {
    t.test(name, async t => {
      const { app, handled } = appKeepingHandled(t)
      // One Redis for both cases: each its own event.
      const id = `msg_busy_${++events}`
      let open!: () => void
      const gate = new Promise<void>(resolve => { open = resolve })
      let runs = 0
      let firstReturned = false
      await app.register(pulse, {
        secret: SW_SECRET,
        idempotency: { store: makeStore() },
        on: {
          'job.completed': async (_event, _request, reply) => {
            if (++runs > 1) return
            await answer(reply, gate)
            firstReturned = true
          }
        }
      })
      const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`

      t.same(await deliver(url, id), { status: 503, text: '{"busy":true}' }, "the handler's own answer")
      const retry = await deliver(url, id)
      t.same(retry, { status: 200, text: '{"received":true}' }, 'the immediate retry runs the handler, no 409')
      t.equal(runs, 2)
      open()
      // Both requests' dispatch settled (each logs once when it has): the first one must not release again.
      await until(() => handled.length >= 2)
      t.ok(firstReturned, 'the first handler returned')
      t.same(await deliver(url, id), { status: 200, text: '{"received":true,"duplicate":true}' },
        "the retry's done mark stands")
      t.equal(runs, 2)
    })
  }
}

t.test('memory store', async t => { await retryRuns(t, () => new MemoryStore()) })

t.test('Redis store (real redis-server)', async t => {
  const redis = await startRedis()
  const client = failFastClient(redis, { commandTimeout: 2000 })
  t.teardown(async () => { client.disconnect(); await redis.close() })
  await ready(client)
  await retryRuns(t, () => new RedisStore({ client }))
})

t.test('a handler that answers 2xx itself has the event completed, not released', async t => {
  const { app, handled } = appKeepingHandled(t)
  let runs = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    on: { 'job.completed': async (_event, _request, reply) => { runs++; return reply.code(202).send({ later: true }) } }
  })
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
  t.same(await deliver(url, 'msg_ok'), { status: 202, text: '{"later":true}' })
  await until(() => handled.length >= 1)
  t.same(await deliver(url, 'msg_ok'), { status: 200, text: '{"received":true,"duplicate":true}' })
  t.equal(runs, 1)
})

t.test('a 2xx the handler sent stands when the sender hangs up before the handler returns', async t => {
  const { app, handled } = appKeepingHandled(t)
  let runs = 0
  let returned = false
  let open!: () => void
  const gate = new Promise<void>(resolve => { open = resolve })
  await app.register(pulse, {
    secret: SW_SECRET,
    on: {
      'job.completed': async (_event, _request, reply) => {
        runs++
        reply.code(202).send({ later: true })
        await gate
        returned = true
      }
    }
  })
  let hungUp!: () => void
  const serverSawHangUp = new Promise<void>(resolve => { hungUp = resolve })
  app.server.once('connection', (socket: Socket) => { socket.once('close', hungUp) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const headers = { ...signedHeaders('msg_gone'), 'content-length': Buffer.byteLength(BODY) }
  // The sender reads the status line and closes its socket at once, while the handler is still running.
  const { socket } = await rawPost(port, '/webhooks/pulse', headers, BODY)
  const [first] = await once(socket, 'data') as [Buffer]
  t.match(first.toString('latin1'), /^HTTP\/1\.1 202 /)
  socket.destroy()
  await serverSawHangUp
  t.notOk(returned, 'the handler is still running when the server sees the sender gone')
  open()
  await until(() => handled.length >= 1)
  t.same(await deliver(`http://127.0.0.1:${port}/webhooks/pulse`, 'msg_gone'),
    { status: 200, text: '{"received":true,"duplicate":true}' }, 'the retry is a duplicate: the event was completed')
  t.equal(runs, 1)
})
