/**
 * A provider the package does not ship (examples/gitea-provider.ts, made with the public API only)
 * through every place a shipped one goes: the route, the BullMQ worker, the testing kit and the CLI.
 */
import { createHmac, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { Queue } from 'bullmq'
import Fastify from 'fastify'
import t from 'tap'
import { providers } from '../plugins/registry.js'
import Type from 'typebox'
import { gitea, type GiteaEvent } from '../examples/gitea-provider.js'
import { main } from '../bin/main.js'
import { createWebhookWorker } from '../lib/queue/worker.js'
import { MemoryStore, defineProvider, hmacHex } from '../plugins/index.js'
import { examplesOf, fixture, sign } from '../lib/testing/kit.js'
import { failFastClient, ready, startRedis } from './helpers/redis-server.js'

const SECRET = 'gitea-webhook-secret'
const push = fixture(gitea, 'push')

/** Signed as Gitea signs, by the HMAC primitive itself: not by the code under test. */
function delivery (payload: unknown, event: string, id: string = randomUUID()) {
  const body = JSON.stringify(payload)
  return {
    headers: {
      'content-type': 'application/json',
      'x-gitea-event': event,
      'x-gitea-delivery': id,
      'x-gitea-signature': createHmac('sha256', SECRET).update(body).digest('hex')
    },
    payload: body
  }
}

t.test('route: typed by the event header, deduplicated by the delivery header, forged ones refused', async t => {
  const app = Fastify()
  const pushes: GiteaEvent[] = []
  const unknown: string[] = []
  await app.register(gitea, {
    secret: SECRET,
    on: { push: async event => { pushes.push(event) } },
    onUnknown: async event => { unknown.push(event.type) }
  })
  const first = delivery(push, 'push', 'delivery-1')
  t.same((await app.inject({ method: 'POST', url: '/webhooks/gitea', ...first })).json(), { received: true })
  t.same(
    (await app.inject({ method: 'POST', url: '/webhooks/gitea', ...first })).json(),
    { received: true, duplicate: true },
    'a redelivery'
  )
  t.equal(pushes.length, 1)
  t.equal(pushes[0]!.id, 'delivery-1')
  t.equal(pushes[0]!.type, 'push')
  if (pushes[0]!.type === 'push') t.equal(pushes[0]!.payload.repository.full_name, 'octo-org/hello-world')

  t.equal(
    (await app.inject({ method: 'POST', url: '/webhooks/gitea', ...delivery({ action: 'created' }, 'star') }))
      .statusCode,
    200,
    'a type no schema knows'
  )
  t.same(unknown, ['star'])
  const invalid = await app.inject({ method: 'POST', url: '/webhooks/gitea', ...delivery({ ref: 1 }, 'push') })
  t.equal(invalid.json().code, 'WEBHOOK_INVALID_PAYLOAD')
  const forged = delivery(push, 'push')
  forged.headers['x-gitea-signature'] = forged.headers['x-gitea-signature'].replace(/.$/, c =>
    c === '0' ? '1' : '0'
  )
  t.equal(
    (await app.inject({ method: 'POST', url: '/webhooks/gitea', ...forged })).json().code,
    'WEBHOOK_INVALID_SIGNATURE'
  )
  t.equal(pushes.length, 1)
})

t.test('testing kit: a shipped provider by name, an unknown name refused clearly', async t => {
  t.match(sign('pulse', '{}', { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }).headers, { 'webhook-id': /^msg_/ })
  t.throws(() => sign('paypal' as 'pulse', '{}', { secret: 'x' }), {
    message:
      `fastify-webhooks/testing: unknown provider "paypal" (shipped: ${Object.keys(providers).join(', ')}; for ` +
      'your own, pass its plugin)'
  })
  t.same(
    examplesOf({ events: { a: Type.Object({}) } } as never),
    { a: undefined },
    'a schema without examples has no sample'
  )
  const headed = defineProvider({
    name: 'headed',
    scheme: hmacHex({ headers: ['x-sig'] }),
    events: {},
    typeOf: () => undefined,
    senderHeaders: ({ type, id }) => ({ 'x-type': type, 'x-id': id })
  })
  t.match(
    sign(headed, '{}', { secret: 's' }).headers,
    { 'x-type': '', 'x-id': /^msg_/ },
    'no type named and no sample: an empty type'
  )
})

t.test('testing kit: a sample for every event type, and `sign` adds the headers Gitea sends', async t => {
  t.same(Object.keys(examplesOf(gitea.provider)), ['create', 'push', 'issues'])
  const app = Fastify()
  const seen: string[] = []
  await app.register(gitea, { secret: SECRET, onEvent: async event => { seen.push(`${event.type} ${event.id}`) } })
  for (const [type, payload] of Object.entries(examplesOf(gitea.provider))) {
    const signed = sign(gitea, JSON.stringify(payload), { secret: SECRET, type, id: `d-${type}` })
    t.equal(signed.headers['x-gitea-event'], type)
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/gitea',
      headers: signed.headers,
      payload: signed.body
    })
    t.equal(res.statusCode, 200, type)
  }
  t.same(seen, ['create d-create', 'push d-push', 'issues d-issues'])
  t.equal(sign(gitea, push, { secret: SECRET }).headers['x-gitea-event'], 'push', 'no type named: the sample type')
})

t.test('CLI: send and verify take the module that exports the provider', async t => {
  const app = Fastify()
  const seen: string[] = []
  await app.register(gitea, { secret: SECRET, on: { push: async event => { seen.push(event.id) } } })
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/webhooks/gitea`
  t.teardown(() => app.close())
  const output = { out: '', err: '' }
  const io = {
    out: (text: string) => {
      output.out += text + '\n'
    },
    err: (text: string) => {
      output.err += text + '\n'
    },
    env: {}
  }
  const modulePath = './examples/gitea-provider.ts'
  t.equal(await main(['send', modulePath, '--url', url, '--secret', SECRET, '--repeat', '2'], io), 0, output.err)
  t.match(output.out, /\(gitea, push, id [\w-]+\) \[1\/2\]\n200 OK \{"received":true\}\n/)
  t.match(output.out, /\[2\/2\]\n200 OK \{"received":true,"duplicate":true\}\n$/, 'the same delivery id again')
  t.equal(seen.length, 1)
  t.match(output.out, `(gitea, push, id ${seen[0]!})`, 'send names the id the route took: its x-gitea-delivery')
  t.equal(await main(['secret', modulePath], io), 0)
  t.equal(
    await main(['send', './examples/server.ts', '--url', url, '--secret', SECRET], io),
    2,
    'a module without a provider'
  )
  t.match(output.err, 'exports no plugin made with defineProvider')
  t.equal(await main(['send', './no/such/module.js', '--url', url, '--secret', SECRET], io), 2)
  t.match(output.err, 'cannot load provider module ./no/such/module.js')
  t.equal(
    await main(['send', './test/helpers/providers/no-examples.ts', '--url', url, '--secret', SECRET], io),
    2,
    'nothing to send'
  )
  t.match(output.err, 'the bare schema of "thing.happened" has no example to send: give --file')
  t.equal(
    await main(['send', './test/helpers/providers/no-events.ts', '--url', url, '--secret', SECRET], io),
    2,
    'no event types'
  )
  t.match(output.err, 'unknown empty event type "" (types: )')
  t.equal(await main(['send', 'gitea', '--url', url, '--secret', SECRET], io), 2, 'not a shipped name')
  t.match(output.err, 'unknown provider "gitea"')
})

t.test('worker: the same handler map runs on a queue, and its `on` keys are checked against the provider', async t => {
  const connection = { host: '127.0.0.1', port: 1, maxRetriesPerRequest: null }
  t.throws(
    () =>
      createWebhookWorker<GiteaEvent>({
        connection,
        queueName: 'q',
        providers: [gitea],
        on: { ['pull' as 'push']: () => {} }
      }),
    { message: /option "on" names "pull", which is not a gitea event type \(known: create, push, issues\)/ }
  )

  const redis = await startRedis()
  const producer = failFastClient(redis)
  await ready(producer)
  const queue = new Queue('gitea', { connection: producer })
  queue.on('error', () => {})
  t.teardown(async () => { await queue.close(); producer.disconnect(); await redis.close() })
  const app = Fastify()
  await app.register(gitea, { secret: SECRET, queue })
  const queued = await app.inject({ method: 'POST', url: '/webhooks/gitea', ...delivery(push, 'push', 'delivery-q') })
  t.equal(queued.statusCode, 202)

  const seen: GiteaEvent[] = []
  const worker = createWebhookWorker<GiteaEvent>({
    connection: { ...connection, port: redis.port },
    queueName: 'gitea',
    providers: [gitea],
    on: { push: async event => { seen.push(event) } }
  })
  t.teardown(() => worker.close())
  await once(worker, 'completed')
  t.equal(seen.length, 1)
  t.equal(seen[0]!.id, 'delivery-q')
  t.equal(seen[0]!.provider, 'gitea')
  await app.close()

  // With a store, a job that comes again for an event already handled (here: added under another job id) runs nothing.
  const again = new Queue('gitea-again', { connection: producer })
  again.on('error', () => {})
  t.teardown(() => again.close())
  const handled: string[] = []
  const deduplicating = createWebhookWorker<GiteaEvent>({
    connection: { ...connection, port: redis.port },
    queueName: 'gitea-again',
    idempotency: { store: new MemoryStore() },
    onEvent: async event => { handled.push(event.id) }
  })
  t.teardown(() => deduplicating.close())
  const data = {
    provider: 'gitea',
    id: 'delivery-twice',
    type: 'push',
    payload: push,
    receivedAt: new Date().toISOString()
  }
  const done = new Promise<void>(resolve => {
    let n = 0
    deduplicating.on('completed', () => {
      if (++n === 2) resolve()
    })
  })
  await again.add('push', data, { jobId: 'gitea.first' })
  await again.add('push', data, { jobId: 'gitea.second' })
  await done
  t.same(handled, ['delivery-twice'], 'handled once')
})
