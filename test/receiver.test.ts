import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import rawBody from 'fastify-raw-body'
import { pulse } from '../plugins/pulse.js'
import { autotab } from '../plugins/autotab.js'
import { cyberdesk } from '../plugins/cyberdesk.js'
import { MemoryStore, type IdempotencyStore } from '../lib/stores/idempotency.js'
import { fixtures } from '../lib/testing/kit.js'
import { HEX_SECRET, SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const completed = fixtures.pulse['job.completed']

function post (
  app: FastifyInstance,
  url: string,
  payload: unknown,
  opts: { secret?: string; id?: string; scheme?: 'pulse' | 'autotab' } = {}
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload)
  const scheme =
    opts.scheme === 'autotab'
      ? ({ kind: 'hex', header: 'autotab-signature' } as const)
      : ({ kind: 'standard', prefix: 'webhook' } as const)
  return app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      ...signWith(scheme, body, {
        secret: opts.secret ?? (opts.scheme === 'autotab' ? HEX_SECRET : SW_SECRET),
        id: opts.id
      })
    },
    payload: body
  })
}

async function registerFails (options: Record<string, unknown>, plugin: unknown = pulse): Promise<string> {
  const app = Fastify()
  try {
    await app.register(plugin as typeof pulse, options as never).ready()
  } catch (err) {
    return (err as Error).message
  }
  return 'did not throw'
}

t.test('options are checked at registration, naming the plugin and the option', async t => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      {},
      /^fastify-webhooks-pulse: option "secret" is required \(a string, or an array of strings while rotating\) and is undefined/
    ],
    [{ secret: [] }, /option "secret" is required/],
    [{ secret: undefined }, /^fastify-webhooks-pulse: option "secret" is required/], // an unset environment variable
    [{ secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, /option "secret" must start with "whsec_"/],
    [{ secret: [SW_SECRET, 'whsec_short'] }, /option "secret\[1\]" must/],
    [{ secret: [SW_SECRET, 42] }, /option "secret\[1\]" must be a string/],
    [{ secret: SW_SECRET, sceret: 'x' }, /unknown option "sceret"/],
    [
      { secret: SW_SECRET, on: { 'job.complete': () => {} } },
      /option "on" names "job.complete", which is not a pulse event type \(known: job.created, .*\); use onUnknown/
    ],
    [{ secret: SW_SECRET, on: { 'job.completed': 'yes' } }, /option "on.job.completed" must be a function/],
    [{ secret: SW_SECRET, on: 'x' }, /option "on" must be an object/],
    [{ secret: SW_SECRET, onEvent: 1 }, /option "onEvent" must be a function/],
    [{ secret: SW_SECRET, path: 'webhooks' }, /option "path" must be a string starting with "\/"/],
    [{ secret: SW_SECRET, routeConfig: [] }, /option "routeConfig" must be an object \(the route's `config`\)/],
    [{ secret: SW_SECRET, routeConfig: 'x' }, /option "routeConfig" must be an object/],
    [{ secret: SW_SECRET, tolerance: -1 }, /option "tolerance" must be a positive number/],
    [{ secret: SW_SECRET, bodyLimit: 1.5 }, /option "bodyLimit" must be an integer/],
    [{ secret: SW_SECRET, idempotency: 'on' }, /option "idempotency" must be false or an object/],
    [
      { secret: SW_SECRET, idempotency: { store: {} } },
      /option "idempotency.store" must have claim, complete and release methods/
    ],
    [{ secret: SW_SECRET, idempotency: { lease: 0 } }, /option "idempotency.lease" must be a positive number/],
    [{ secret: SW_SECRET, allowUnsigned: 'yes' }, /option "allowUnsigned" must be a boolean/],
    [{ allowUnsigned: true }, /option "allowUnsigned" is not supported: pulse always signs/]
  ]
  for (const [options, message] of cases) t.match(await registerFails(options), message, JSON.stringify(options))
  t.match(
    await registerFails({ secret: ' padded ' }, autotab),
    /fastify-webhooks-autotab: option "secret" has whitespace/
  )
  t.notMatch(await registerFails({ secret: 'whsec_short' }), 'short', 'the secret itself is never in the message')
  const padded = [[autotab, 'padded\n'], [pulse, ` ${SW_SECRET}`], [cyberdesk, `${SW_SECRET}\t`]] as const
  for (const [plugin, secret] of padded) {
    t.match(
      await registerFails({ secret }, plugin),
      /^fastify-webhooks-\w+: option "secret" has whitespace at the start or end; /,
      `whitespace is refused alike by every scheme (${plugin.provider.name})`
    )
  }
  const hint = /; give it as pulse shows it, or make a test one with `npx fastify-webhooks secret pulse`$/
  t.match(await registerFails({ secret: 'whsec_short' }), hint, 'a wrong format says how to get a right one')
  t.match(await registerFails({ secret: undefined }), hint, 'so does a missing one')
  t.notMatch(await registerFails({ secret: [] }), /undefined/, 'an empty list is not called undefined')
})

t.test('an option error is short: coded, and its stack is its message alone', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  const err = await app.register(pulse, { secret: undefined }).ready().then(() => null, (e: unknown) => e)
  t.type(err, TypeError)
  const { code, stack, message } = err as Error & { code: string }
  t.equal(code, 'WEBHOOK_INVALID_OPTION')
  t.equal(stack, `TypeError [WEBHOOK_INVALID_OPTION]: ${message}`, 'no frames: none of them would be the app\'s')
  t.ok(message.length < 300, `${message.length} characters`)
})

t.test("scoped: the user's other routes keep Fastify's parsers, and request.webhook is null there", async t => {
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET })
  app.post('/json', async request => ({ body: request.body, webhook: request.webhook }))
  app.post('/text', async request => ({ body: request.body }))
  const json = await app.inject({ method: 'POST', url: '/json', payload: { a: 1 } })
  t.same(json.json(), { body: { a: 1 }, webhook: null })
  const text = await app.inject({
    method: 'POST',
    url: '/text',
    headers: { 'content-type': 'text/plain' },
    payload: 'hello'
  })
  t.same(text.json(), { body: 'hello' })
  const unsigned = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: { 'content-type': 'text/plain' },
    payload: 'hello'
  })
  t.equal(unsigned.statusCode, 415, 'text/plain is not parsed on the webhook route')
})

t.test(
  'fastify-raw-body registered globally does not break verification, and rawBody stays the verified ' + 'Buffer',
  async t => {
    for (const options of [{}, { encoding: false as const }, { runFirst: true }]) {
      const app = Fastify()
      await app.register(rawBody, { global: true, ...options })
      const seen: unknown[] = []
      await app.register(pulse, {
        secret: SW_SECRET,
        on: {
          'job.completed': (_e, request) => {
            seen.push(request.rawBody)
          }
        }
      })
      app.post('/other', async request => ({ raw: String(request.rawBody) }))
      const res = await post(app, '/webhooks/pulse', completed)
      t.equal(res.statusCode, 200, JSON.stringify(options))
      t.ok(Buffer.isBuffer(seen[0]), 'rawBody is a Buffer')
      t.equal(String(seen[0]), JSON.stringify(completed))
      t.equal((await post(app, '/webhooks/pulse', completed, { secret: SW_SECRET_2 })).statusCode, 401)
      const other = await app.inject({ method: 'POST', url: '/other', payload: { x: 1 } })
      t.same(other.json(), { raw: '{"x":1}' }, "the user's raw-body routes still work")
    }
  }
)

t.test(
  'two providers in one app; the same provider twice under two paths with two secrets; prefixes ' + 'honoured',
  async t => {
    const app = Fastify()
    const seen: string[] = []
    await app.register(pulse, {
      secret: SW_SECRET,
      on: {
        'job.completed': e => {
          seen.push(`a:${e.id}`)
        }
      }
    })
    await app.register(pulse, {
      secret: SW_SECRET_2,
      path: '/hooks/pulse-b',
      on: {
        'job.completed': e => {
          seen.push(`b:${e.id}`)
        }
      }
    })
    await app.register(autotab, {
      secret: HEX_SECRET,
      prefix: '/api',
      onEvent: e => {
        seen.push(`autotab:${e.type}`)
      }
    })
    await app.register(
      async scope => {
        await scope.register(cyberdesk, {
          secret: SW_SECRET,
          onEvent: e => {
            seen.push(`cyberdesk:${e.payload.run.status}`)
          }
        })
      },
      { prefix: '/v2' }
    )

    t.equal((await post(app, '/webhooks/pulse', completed, { id: 'm1' })).statusCode, 200)
    t.equal((await post(app, '/hooks/pulse-b', completed, { id: 'm2', secret: SW_SECRET_2 })).statusCode, 200)
    t.equal(
      (await post(app, '/hooks/pulse-b', completed, { id: 'm3' })).statusCode,
      401,
      'each path checks its own ' + 'secret'
    )
    t.equal((await post(app, '/api/webhooks/autotab', fixtures.autotab.finish, { scheme: 'autotab' })).statusCode, 200)
    t.equal((await post(app, '/webhooks/autotab', fixtures.autotab.finish, { scheme: 'autotab' })).statusCode, 404)
    const cd = JSON.stringify(fixtures.cyberdesk.run_complete)
    const res = await app.inject({
      method: 'POST',
      url: '/v2/webhooks/cyberdesk',
      headers: {
        'content-type': 'application/json',
        ...signWith({ kind: 'standard', prefix: 'svix' }, cd, { secret: SW_SECRET })
      },
      payload: cd
    })
    t.equal(res.statusCode, 200)
    t.same(seen, ['a:m1', 'b:m2', 'autotab:finish', 'cyberdesk:success'])
  }
)

t.test('user hooks from preHandler on see request.webhook, narrowed by provider and type', async t => {
  const app = Fastify()
  const seen: number[] = []
  app.addHook('preHandler', async request => {
    const webhook = request.webhook
    if (webhook?.provider === 'pulse' && webhook.type === 'job.completed') {
      seen.push(webhook.payload.data.pages_processed)
    }
  })
  await app.register(pulse, { secret: SW_SECRET })
  t.equal((await post(app, '/webhooks/pulse', completed)).statusCode, 200)
  t.same(seen, [25])
})

// A plugin that reads a setting of its own from a route's config types it so, as @fastify/rate-limit does.
declare module 'fastify' {
  interface FastifyContextConfig { limits?: string }
}

t.test("routeConfig is the route's config, for the hooks and plugins that read it per route", async t => {
  const app = Fastify()
  const seen: unknown[] = []
  app.addHook('onRequest', async request => { seen.push(request.routeOptions.config) })
  await app.register(pulse, { secret: SW_SECRET, routeConfig: { limits: 'webhooks' } })
  await app.register(pulse, { secret: SW_SECRET, path: '/webhooks/plain' })
  t.equal((await post(app, '/webhooks/pulse', completed)).statusCode, 200)
  t.equal((await post(app, '/webhooks/plain', completed)).statusCode, 200)
  t.match(seen, [{ limits: 'webhooks', url: '/webhooks/pulse' }, { url: '/webhooks/plain' }])
  t.notOk('limits' in (seen[1] as object), 'only the route it was given to')
})

t.test('handlers: on[type] then onEvent, same event; a handler may answer itself', async t => {
  const app = Fastify()
  const order: string[] = []
  await app.register(pulse, {
    secret: SW_SECRET,
    on: {
      'job.completed': e => { order.push(`on:${e.id}`) },
      'job.failed': async (_e, _request, reply) => reply.code(202).send({ queued: true }),
      'job.cancelled': async (_e, _request, reply) => reply.code(503).send({ later: true })
    },
    onEvent: e => { order.push(`onEvent:${e.id}`) }
  })
  await post(app, '/webhooks/pulse', completed, { id: 'x' })
  t.same(order, ['on:x', 'onEvent:x'])

  const answered = await post(app, '/webhooks/pulse', fixtures.pulse['job.failed'], { id: 'f' })
  t.equal(answered.statusCode, 202)
  t.same(answered.json(), { queued: true })
  t.same(
    (await post(app, '/webhooks/pulse', fixtures.pulse['job.failed'], { id: 'f' })).json(),
    { received: true, duplicate: true },
    'a 2xx of its own marks the event done'
  )

  t.equal((await post(app, '/webhooks/pulse', fixtures.pulse['job.cancelled'], { id: 'c' })).statusCode, 503)
  t.equal(
    (await post(app, '/webhooks/pulse', fixtures.pulse['job.cancelled'], { id: 'c' })).statusCode,
    503,
    'an ' + 'error of its own releases the event: the retry runs it again'
  )
})

t.test('options: the plugin hands back the options it is given, for its types to check', async t => {
  const app = Fastify()
  const seen: number[] = []
  const options = { secret: SW_SECRET }
  t.equal(pulse.options(options), options)
  await app.register(
    pulse,
    pulse.options({
      secret: SW_SECRET,
      on: {
        'job.completed': e => {
          seen.push(e.payload.data.pages_processed)
        }
      }
    })
  )
  await post(app, '/webhooks/pulse', completed, { id: 'o' })
  t.same(seen, [completed.data.pages_processed])
})

t.test('an event still being handled gets 409; after it is done, 200 duplicate', async t => {
  const app = Fastify()
  let finish!: () => void
  let markStarted!: () => void
  const started = new Promise<void>(resolve => { markStarted = resolve })
  await app.register(pulse, {
    secret: SW_SECRET,
    on: { 'job.completed': () => new Promise<void>(resolve => { finish = resolve; markStarted() }) }
  })
  await app.ready()
  const first = post(app, '/webhooks/pulse', completed, { id: 'slow' })
  await started
  const second = await post(app, '/webhooks/pulse', completed, { id: 'slow' })
  t.equal(second.statusCode, 409)
  t.equal(second.json().code, 'WEBHOOK_IN_FLIGHT')
  finish()
  t.equal((await first).statusCode, 200)
  t.same((await post(app, '/webhooks/pulse', completed, { id: 'slow' })).json(), { received: true, duplicate: true })
})

/** A store that fails where told to: for the engine's error paths (the real outage is tested with redis-server). */
function failingStore (fail: Partial<Record<keyof IdempotencyStore, boolean>>): IdempotencyStore {
  const inner = new MemoryStore()
  const wrap = <K extends keyof IdempotencyStore>(name: K) => (async (...args: never[]) => {
    if (fail[name] === true) throw new Error(`store ${name} down`)
    return (inner[name] as (...a: never[]) => Promise<unknown>)(...args)
  }) as IdempotencyStore[K]
  return { claim: wrap('claim'), complete: wrap('complete'), release: wrap('release') }
}

t.test('a store that cannot claim gets 500 and runs no handler; failures after the handler are logged', async t => {
  const lines: Array<{ msg: string }> = []
  const logger = {
    level: 'info',
    stream: {
      write: (line: string) => {
        lines.push(JSON.parse(line))
      }
    }
  }
  let calls = 0
  const handler = () => {
    calls++
  }

  const down = Fastify({ logger })
  await down.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store: failingStore({ claim: true }) },
    on: { 'job.completed': handler }
  })
  const res = await post(down, '/webhooks/pulse', completed)
  t.equal(res.statusCode, 500)
  t.equal(res.json().code, 'WEBHOOK_STORE_UNAVAILABLE')
  t.equal(calls, 0)

  const noComplete = Fastify({ logger })
  await noComplete.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store: failingStore({ complete: true }) },
    on: { 'job.completed': handler }
  })
  t.equal(
    (await post(noComplete, '/webhooks/pulse', completed)).statusCode,
    200,
    'handled: a 5xx now would run it ' + 'twice'
  )
  t.ok(lines.some(l => l.msg === 'idempotency store failed to record the event'))

  const noRelease = Fastify({ logger })
  await noRelease.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store: failingStore({ release: true }) },
    on: {
      'job.completed': () => {
        throw new Error('boom')
      }
    }
  })
  t.equal((await post(noRelease, '/webhooks/pulse', completed)).statusCode, 500)
  t.ok(lines.some(l => l.msg === 'idempotency store failed to release the event'))
  t.equal(calls, 1)
})

t.test('idempotency: false runs every delivery', async t => {
  const app = Fastify()
  let calls = 0
  await app.register(pulse, { secret: SW_SECRET, idempotency: false, on: { 'job.completed': () => { calls++ } } })
  await post(app, '/webhooks/pulse', completed, { id: 'same' })
  await post(app, '/webhooks/pulse', completed, { id: 'same' })
  t.equal(calls, 2)
})

t.test('a shared store with a short lease: a crashed claim expires and the retry runs', async t => {
  let now = 1_000_000
  const store = new MemoryStore({ now: () => now })
  await store.claim('pulse:crashed', 1000)
  const app = Fastify()
  let calls = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    idempotency: { store, lease: 1 },
    on: {
      'job.completed': () => {
        calls++
      }
    }
  })
  t.equal((await post(app, '/webhooks/pulse', completed, { id: 'crashed' })).statusCode, 409)
  now += 1001
  t.equal((await post(app, '/webhooks/pulse', completed, { id: 'crashed' })).statusCode, 200)
  t.equal(calls, 1)
})

t.test('unknown types: default log line, onEvent not called, request.webhook null', async t => {
  const lines: Array<{ msg: string; type?: string }> = []
  const app = Fastify({
    logger: {
      level: 'warn',
      stream: {
        write: (line: string) => {
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  let onEvent = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    onEvent: () => {
      onEvent++
    }
  })
  const res = await post(app, '/webhooks/pulse', { type: 'job.retrying', data: {} })
  t.equal(res.statusCode, 200)
  t.equal(onEvent, 0)
  t.match(lines, [{ msg: 'webhook event of a type no schema knows; answered 200', type: 'job.retrying' }])

  const answering = Fastify()
  await answering.register(pulse, {
    secret: SW_SECRET,
    onUnknown: (e, request, reply) => reply.code(202).send({ webhook: request.webhook, type: e.type })
  })
  const own = await post(answering, '/webhooks/pulse', { type: 'job.retrying' })
  t.equal(own.statusCode, 202)
  t.same(own.json(), { webhook: null, type: 'job.retrying' })
})

t.test('prototype poisoning in a signed body: 400 by default, stripped when the app says remove', async t => {
  const poisoned = '{"type":"job.retrying","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
  const strict = Fastify()
  await strict.register(pulse, { secret: SW_SECRET })
  const res = await post(strict, '/webhooks/pulse', poisoned)
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'WEBHOOK_INVALID_JSON')

  const lenient = Fastify({ onProtoPoisoning: 'remove', onConstructorPoisoning: 'remove' })
  const seen: unknown[] = []
  await lenient.register(pulse, { secret: SW_SECRET, onUnknown: e => { seen.push(e.payload) } })
  t.equal((await post(lenient, '/webhooks/pulse', poisoned)).statusCode, 200)
  t.same(seen, [{ type: 'job.retrying' }])
  t.equal(({} as { polluted?: boolean }).polluted, undefined)
})

t.test('content types: application/json with parameters or in another case is parsed; others are not', async t => {
  const app = Fastify()
  let calls = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    idempotency: false,
    onEvent: () => {
      calls++
    }
  })
  const body = JSON.stringify(completed)
  for (const [type, status] of [
    ['application/json; ' + 'charset=utf-8', 200],
    ['Application/JSON', 200],
    ['application/x-www-form-urlencoded', 415],
    ['application/jsonp', 415]
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/pulse',
      headers: {
        ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET }),
        'content-type': type
      },
      payload: body
    })
    t.equal(res.statusCode, status, type)
  }
  t.equal(calls, 2)
})
