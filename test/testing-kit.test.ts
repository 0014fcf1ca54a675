/**
 * The testing kit's helpers: `fixture` merges into a fresh sample, `deliver` posts what `sign` signs,
 * and `receive` hands handlers the event the route would, through the route's own runner.
 */
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { gitea } from '../examples/gitea-provider.js'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { autotab } from '../plugins/autotab.js'
import { pulse } from '../plugins/pulse.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import { retab } from '../plugins/retab.js'
import { deliver, fixture, fixtures, receive } from '../lib/testing/kit.js'
import { SW_SECRET } from './helpers/sign.js'

t.test('fixture: the sample of a type, deep-merged with the overrides, a new copy each call', async t => {
  const sample = fixtures.pulse['job.completed']
  t.same(fixture('pulse', 'job.completed'), sample, 'no overrides: the sample')
  t.not(fixture('pulse', 'job.completed'), fixture('pulse', 'job.completed'), 'a new object each call')
  const merged = fixture('pulse', 'job.completed', { data: { pages_processed: 3 }, timestamp: undefined })
  t.same(merged, { ...sample, data: { ...sample.data, pages_processed: 3 } }, 'objects merge; undefined keeps the ' +
    'sample’s value')
  merged.data.job_id = 'changed'
  t.equal(fixtures.pulse['job.completed'].data.job_id, sample.data.job_id, 'changing one changes no other')

  const choices = [{ index: 0, message: { role: 'assistant', content: '{}' } }]
  const replaced = fixture('retab', 'extraction.completed', { completion: { choices }, user: null })
  t.same(replaced.completion.choices, choices, 'arrays are replaced whole')
  t.equal(replaced.user, null, 'so is null')
  t.equal(replaced.completion.id, fixtures.retab['extraction.completed'].completion.id, 'the rest stays')

  const odd = fixture('pulse', 'job.failed', JSON.parse('{"__proto__":{"polluted":true},"extra":{"a":1}}')) as Record<
    string,
    unknown
  >
  t.equal(({} as Record<string, unknown>).polluted, undefined, '__proto__ pollutes nothing')
  t.same(Object.getPrototypeOf(odd), Object.prototype, 'and stays a plain property')
  t.same(odd.extra, { a: 1 }, 'a key the sample lacks is added')
})

t.test('fixture: a type the provider lacks, or a schema with no example, is refused clearly', async t => {
  t.throws(() => fixture('pulse', 'job.teleported' as 'job.failed'), {
    message:
      'fastify-webhooks/testing: pulse has no event type "job.teleported" (types: job.created, job.processing, ' +
      'job.completed, job.failed, job.cancelled)'
  })
  const bare = defineProvider({
    name: 'bare',
    scheme: hmacHex({ headers: ['x-sig'] }),
    events: { ping: Type.Object({}) },
    typeOf: () => 'ping'
  })
  t.throws(() => fixture(bare, 'ping'), {
    message: 'fastify-webhooks/testing: the bare schema of "ping" has no example to start from'
  })
  t.throws(() => fixture('paypal' as 'pulse', 'job.failed'), { message: /unknown provider "paypal"/ })
})

t.test('deliver: signs and posts to the default path, or to `path`, with headers to break one', async t => {
  const app = Fastify()
  const seen: string[] = []
  await app.register(pulse, {
    secret: SW_SECRET,
    on: {
      'job.completed': event => {
        seen.push(event.id)
      }
    }
  })
  await app.register(pulse, {
    secret: SW_SECRET,
    prefix: '/v2',
    idempotency: false,
    on: {
      'job.completed': event => {
        seen.push(`v2 ${event.id}`)
      }
    }
  })
  t.teardown(() => app.close())

  const ok = await deliver(app, 'pulse', fixture('pulse', 'job.completed'), { secret: SW_SECRET, id: 'msg_1' })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { received: true })
  t.equal(
    (await deliver(app, pulse, fixture('pulse', 'job.completed'), { secret: SW_SECRET, id: 'msg_1' })).json().duplicate,
    true,
    'by the plugin too'
  )
  t.equal(
    (
      await deliver(app, 'pulse', fixture('pulse', 'job.completed'), {
        secret: SW_SECRET,
        id: 'msg_2',
        path: '/v2/webhooks/pulse'
      })
    ).statusCode,
    200,
    'another path'
  )
  t.same(seen, ['msg_1', 'v2 msg_2'])

  const broken = await deliver(app, 'pulse', fixture('pulse', 'job.completed'), {
    secret: SW_SECRET,
    headers: { 'webhook-signature': 'v1,AAAA' }
  })
  t.equal(broken.json().code, 'WEBHOOK_INVALID_SIGNATURE', 'a header given replaces the signed one')
  const text = await deliver(app, 'pulse', '{"type":"job.completed"', { secret: SW_SECRET })
  t.equal(text.json().code, 'WEBHOOK_INVALID_JSON', 'a string is sent byte for byte')
})

t.test('receive: the handlers run as in the route, in the same order, on the same event', async t => {
  const calls: string[] = []
  const handlers = {
    on: {
      'job.completed': (event: { id: string }) => {
        calls.push(`on ${event.id}`)
      }
    },
    onEvent: (event: { type: string }) => {
      calls.push(`onEvent ${event.type}`)
    },
    onUnknown: (event: { type: string }) => {
      calls.push(`onUnknown ${event.type}`)
    }
  }
  const receivedAt = new Date('2025-01-15T10:30:00Z')
  const event = await receive(handlers, {
    provider: 'pulse',
    type: 'job.completed',
    payload: fixture('pulse', 'job.completed'),
    id: 'msg_1',
    receivedAt
  })
  t.same(
    event,
    {
      provider: 'pulse',
      id: 'msg_1',
      type: 'job.completed',
      payload: fixtures.pulse['job.completed'],
      receivedAt,
      timestamp: 1736937000
    },
    'the fields the route gives, the signed timestamp among them'
  )
  const unknown = await receive(handlers, {
    provider: 'pulse',
    type: 'job.new_kind',
    payload: { type: 'job.new_kind', anything: 1 }
  })
  t.match(unknown.id, /^msg_[0-9a-f]{24}$/, 'a new message id by default')
  t.ok(Math.abs(unknown.receivedAt.getTime() - Date.now()) < 5000, 'received now by default')
  t.same(calls, ['on msg_1', 'onEvent job.completed', 'onUnknown job.new_kind'])

  // The same handlers through the route: the same calls.
  calls.length = 0
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET, ...handlers })
  t.teardown(() => app.close())
  await deliver(app, 'pulse', fixture('pulse', 'job.completed'), { secret: SW_SECRET, id: 'msg_1' })
  await deliver(app, 'pulse', JSON.stringify({ type: 'job.new_kind', anything: 1 }), { secret: SW_SECRET })
  t.same(calls, ['on msg_1', 'onEvent job.completed', 'onUnknown job.new_kind'])

  t.equal(
    (await receive({}, { provider: 'pulse', type: 'job.new_kind', payload: { type: 'job.new_kind' } })).type,
    'job.new_kind',
    'no handlers: nothing runs'
  )
})

t.test('receive: the provider makes the event, as in the route: its id, its type, its extra fields', async t => {
  const extraction = Type.Object({ name: Type.String(), date: Type.String() })
  const retabEvent = await receive(
    { extraction },
    { provider: retab, type: 'extraction.completed', payload: fixture('retab', 'extraction.completed'), id: 'ignored' }
  )
  t.equal(retabEvent.id, fixtures.retab['extraction.completed'].completion.id, 'Retab: the id is the completion’s')
  t.same(
    retabEvent.extraction,
    { name: 'Team Meeting!', date: '2023-12-31' },
    'Retab: the extraction, checked ' + 'against the option given'
  )

  const autotabEvent = await receive({}, { provider: autotab, type: 'finish', payload: fixture('autotab', 'finish') })
  t.notOk('timestamp' in autotabEvent, 'no signed timestamp where the scheme signs none')

  const pushes: string[] = []
  const push = await receive(
    {
      on: {
        push: event => {
          pushes.push(event.payload.ref)
        }
      }
    },
    { provider: gitea, type: 'push', payload: fixture(gitea, 'push'), id: 'delivery-1' }
  )
  t.equal(push.id, 'delivery-1', 'GitHub: the delivery header the kit sends')
  t.same(pushes, ['refs/heads/main'], 'GitHub: typed by the event header')
})

t.test('receive: an event the route would refuse, or a handler that throws, rejects', async t => {
  const sample = fixture('pulse', 'job.completed')
  await t.rejects(
    receive(
      {},
      {
        provider: 'pulse',
        type: 'job.completed',
        payload: { ...sample, data: { ...sample.data, status: 'eror' as 'completed' } }
      }
    ),
    {
      name: 'TypeError',
      message:
        'fastify-webhooks/testing: the route would refuse this event: The webhook payload does not match the ' +
        'schema of its event type at /data/status: must be "completed"'
    }
  )
  await t.rejects(
    receive({}, { provider: 'pulse', type: 'job.completed', payload: fixture('pulse', 'job.failed') as never }),
    { message: 'fastify-webhooks/testing: the payload is of type "job.failed", not "job.completed"' }
  )
  await t.rejects(
    receive({ on: { 'job.teleported': () => {} } } as never, {
      provider: 'pulse',
      type: 'job.completed',
      payload: sample
    }),
    { message: /^fastify-webhooks\/testing: option "on" names "job.teleported", which is not a pulse event type/ }
  )
  const failure = new Error('database down')
  await t.rejects(
    receive(
      {
        onEvent: () => {
          throw failure
        }
      },
      { provider: 'pulse', type: 'job.completed', payload: sample }
    ),
    failure,
    'what the handler threw, as it is'
  )

  await t.rejects(
    receive({ onEvnet: () => {} } as never, { provider: 'pulse', type: 'job.completed', payload: sample }),
    { message: 'fastify-webhooks/testing: unknown option "onEvnet"' },
    'a name neither a handler nor an option of the plugin'
  )
  const ran: string[] = []
  const options = {
    secret: SW_SECRET,
    path: '/hooks',
    prefix: '/v1',
    onEvent: (event: { id: string }) => { ran.push(event.id) }
  }
  await receive(options, { provider: 'pulse', type: 'job.completed', payload: sample, id: 'msg_options' })
  t.same(ran, ['msg_options'], "the plugin's options may come with the handlers")

  const strict = defineProvider({
    name: 'strict',
    scheme: hmacHex({ headers: ['x-sig'] }),
    events: { ping: Type.Object({ n: Type.Number() }) },
    typeOf: () => 'ping',
    idOf: () => {
      throw new Error('no id')
    }
  })
  await t.rejects(receive({}, { provider: strict, type: 'ping', payload: { n: 1 } }), {
    message: /the route would refuse this event: The webhook payload has no readable event type or id/
  })
})
