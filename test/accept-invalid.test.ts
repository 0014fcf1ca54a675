/**
 * `acceptInvalid` without a store that keeps events: `onInvalid` is the keeper. The delivery is answered 2xx and
 * marked done only once it resolved; when it throws, 500 and the sender's retry runs it again.
 */
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, signWith } from './helpers/sign.js'

const INVALID = JSON.stringify({ type: 'job.completed', data: { job_id: 'j' } })

function post (app: FastifyInstance, id: string, body = INVALID) {
  return app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: {
      'content-type': 'application/json',
      ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, id })
    },
    payload: body
  })
}

t.test('onInvalid keeps it: 200 once it resolved, then a duplicate', async t => {
  const kept: unknown[] = []
  const app = Fastify()
  await app.register(pulse, {
    secret: SW_SECRET,
    acceptInvalid: true,
    onInvalid: async (event, failure) => { kept.push([event.id, event.payload, failure]) }
  })
  const first = await post(app, 'msg_inv_1')
  t.equal(first.statusCode, 200)
  t.same(first.json(), { received: true, invalid: true })
  t.match(kept, [['msg_inv_1', { data: { job_id: 'j' } }, { path: '/', reason: 'must have property "timestamp"' }]])
  const again = await post(app, 'msg_inv_1')
  t.same(again.json(), { received: true, duplicate: true }, 'marked done: the retry runs nothing')
  t.equal(kept.length, 1)
})

t.test('onInvalid throws: 500, not marked done, and the retry keeps it', async t => {
  let fail = true
  const kept: string[] = []
  const app = Fastify()
  await app.register(pulse, {
    secret: SW_SECRET,
    acceptInvalid: true,
    onInvalid: async event => {
      if (fail) throw new Error('the bucket is down')
      kept.push(event.id)
    }
  })
  const first = await post(app, 'msg_inv_2')
  t.equal(first.statusCode, 500, 'a 5xx: the sender retries, where a 400 may make it give up')
  t.equal(first.json().code, 'WEBHOOK_HANDLER_FAILED')
  t.notMatch(first.body, /bucket/, 'what onInvalid threw stays in the log')
  fail = false
  const retry = await post(app, 'msg_inv_2')
  t.same(retry.json(), { received: true, invalid: true }, 'the lease was released: no 409')
  t.same(kept, ['msg_inv_2'])
})

t.test('with deduplication off, every delivery runs it', async t => {
  const kept: string[] = []
  const keep = async (event: { id: string }) => { kept.push(event.id) }
  const off = Fastify()
  await off.register(pulse, { secret: SW_SECRET, idempotency: false, acceptInvalid: true, onInvalid: keep })
  t.equal((await post(off, 'msg_inv_3')).statusCode, 200)
  t.equal((await post(off, 'msg_inv_3')).statusCode, 200)
  t.same(kept, ['msg_inv_3', 'msg_inv_3'], 'no store: each delivery runs it')
})

t.test('a valid event is handled as ever, and is no business of onInvalid', async t => {
  const seen: string[] = []
  const app = Fastify()
  await app.register(pulse, {
    secret: SW_SECRET,
    acceptInvalid: true,
    onInvalid: async () => { seen.push('invalid') },
    on: { 'job.completed': async () => { seen.push('handled') } }
  })
  const res = await post(app, 'msg_inv_4', JSON.stringify(fixtures.pulse['job.completed']))
  t.same(res.json(), { received: true })
  t.same(seen, ['handled'])
})

t.test('acceptInvalid with nothing to keep the event is refused at registration', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(
    async () => { await app.register(pulse, { secret: SW_SECRET, acceptInvalid: true }) },
    /option "acceptInvalid" needs an idempotency store that keeps events .* or an "onInvalid" that keeps each event/
  )
})
