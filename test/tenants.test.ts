import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyRequest } from 'fastify'
import { eventKey } from '../lib/core/event-key.js'
import { jobIdOf } from '../lib/queue/sink.js'
import { SecretCache, SecretCacheTimeoutError } from '../lib/tenants/secret-cache.js'
import type { SignatureScheme } from '../lib/schemes/scheme.js'
import { autosana } from '../plugins/autosana.js'
import { pulse } from '../plugins/pulse.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'
import { connect, startPostgres } from './helpers/postgres.js'

const body = JSON.stringify(fixtures.pulse['job.completed'])
const newSecret = (): string => 'whsec_' + randomBytes(24).toString('base64')
const tenantParam = (request: FastifyRequest): string => (request.params as { tenant: string }).tenant

function headersFor (
  secret: string,
  id = `msg_${randomBytes(6).toString('hex')}`,
  payload = body
): Record<string, string> {
  return {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, payload, { secret, id })
  }
}

/** A logger that keeps every line, to look for the tenant (and for what must never be there). */
function capture (): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)))
      callback()
    }
  })
  return { lines, stream }
}

t.test('1,000 tenants resolved from a real Postgres, one rotated mid-run, over real HTTP', async t => {
  const server = await startPostgres()
  const pool = connect(server)
  t.teardown(async () => { await pool.end(); await server.close() })
  await pool.query('CREATE TABLE tenants (name text PRIMARY KEY, secret text NOT NULL)')
  const secrets = new Map<string, string>()
  for (let i = 0; i < 1000; i++) secrets.set(`t${String(i).padStart(4, '0')}`, newSecret())
  await pool.query('INSERT INTO tenants SELECT * FROM unnest($1::text[], ' +
    '$2::text[])', [[...secrets.keys()], [...secrets.values()]])

  let lookups = 0
  const cache = new SecretCache({ max: 2000, ttl: 600 })
  const handled: string[] = []
  const app = Fastify()
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: tenantParam,
    secret: async tenant => {
      lookups++
      const { rows } = await pool.query<{ secret: string }>('SELECT secret FROM tenants WHERE name = $1', [tenant])
      return rows[0]?.secret
    },
    secretCache: cache,
    onEvent: async (event, request) => {
      t.equal(request.webhook?.tenant, event.tenant)
      handled.push(`${event.tenant}:${event.id}`)
    }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const post = async (tenant: string, headers: Record<string, string>): Promise<Response> =>
    await fetch(`${url}/webhooks/pulse/${tenant}`, { method: 'POST', headers, body })

  const names = [...secrets.keys()]
  const rotated = 't0007'
  const oldSecret = secrets.get(rotated)!
  // Every tenant sends an event with the same id: idempotency keys include the tenant, so none is a duplicate.
  for (let start = 0; start < names.length; start += 50) {
    if (start === 500) {
      const fresh = newSecret()
      await pool.query('UPDATE tenants SET secret = $1 WHERE name = $2', [fresh, rotated])
      cache.invalidate(rotated)
      secrets.set(rotated, fresh)
      t.equal(
        (await post(rotated, headersFor(oldSecret, 'msg_after'))).status,
        401,
        'the old secret is refused at ' + 'once after the rotation'
      )
      t.equal(
        (await post(rotated, headersFor(fresh, 'msg_after'))).status,
        200,
        'the new secret is accepted without ' + 'a restart'
      )
    }
    const answers = await Promise.all(
      names.slice(start, start + 50).map(async name => await post(name, headersFor(secrets.get(name)!, 'msg_same')))
    )
    t.same(
      answers.map(res => res.status).filter(status => status !== 200),
      [],
      `tenants ${start} to ${start + 49} ` + 'answered 200'
    )
  }
  t.equal(
    handled.filter(entry => entry.endsWith(':msg_same')).length,
    1000,
    'one event per tenant handled, with the ' + 'same event id'
  )
  t.equal(new Set(handled).size, handled.length)
  t.equal(lookups, 1001, 'one lookup per tenant, and one more for the rotated tenant')

  const again = await post('t0999', headersFor(secrets.get('t0999')!, 'msg_same'))
  t.same(await again.json(), { received: true, duplicate: true }, "a retry of one tenant's event is its duplicate")
  t.equal(lookups, 1001, 'a known tenant comes from the cache')
  const other = await post('t0998', headersFor(secrets.get('t0999')!, 'msg_other'))
  t.equal(other.status, 401, "one tenant's secret does not verify another tenant's delivery")
})

t.test('an unknown tenant gets the answer of a wrong signature', async t => {
  const app = Fastify()
  let calls = 0
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: tenantParam,
    secret: tenant => (tenant === 'acme' ? SW_SECRET : undefined),
    onEvent: () => {
      calls++
    }
  })
  const wrong = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/acme',
    headers: headersFor(SW_SECRET_2),
    payload: body
  })
  const unknown = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/nobody',
    headers: headersFor(SW_SECRET),
    payload: body
  })
  t.equal(wrong.statusCode, 401)
  t.equal(unknown.statusCode, 401)
  t.same(unknown.json(), wrong.json(), 'the same body, code WEBHOOK_INVALID_SIGNATURE')
  t.equal(unknown.json().code, 'WEBHOOK_INVALID_SIGNATURE')
  const missing = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/nobody',
    headers: { 'content-type': 'application/json' },
    payload: body
  })
  t.equal(
    missing.json().code,
    'WEBHOOK_MISSING_SIGNATURE',
    "an unknown tenant's headers are checked as a known " + "one's are"
  )
  t.equal(calls, 0)
  const known = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/acme',
    headers: headersFor(SW_SECRET),
    payload: body
  })
  t.equal(known.statusCode, 200)
})

t.test('a lookup that throws, times out or finds a secret it cannot read answers 500, and is not kept', async t => {
  let mode: 'throw' | 'slow' | 'garbled' | 'not-a-string' | 'list' | 'empty' | 'ok' = 'throw'
  const app = Fastify()
  let calls = 0
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: tenantParam,
    secret: async () => {
      if (mode === 'throw') throw new Error('database down')
      if (mode === 'slow') await sleep(1000)
      if (mode === 'garbled') return 'not-a-whsec'
      if (mode === 'not-a-string') return [42] as unknown as string[]
      if (mode === 'empty') return []
      if (mode === 'list') return [SW_SECRET_2, SW_SECRET]
      return SW_SECRET
    },
    secretCache: new SecretCache({ timeout: 0.1 }),
    onEvent: () => {
      calls++
    }
  })
  for (const each of ['throw', 'slow', 'garbled', 'not-a-string'] as const) {
    mode = each
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/pulse/acme',
      headers: headersFor(SW_SECRET),
      payload: body
    })
    t.equal(res.statusCode, 500, each)
    t.equal(res.json().code, 'WEBHOOK_SECRET_UNAVAILABLE', each)
    t.notMatch(res.body, /database down|whsec/, 'the cause stays in the log')
  }
  t.equal(calls, 0, 'no handler ran')
  mode = 'empty'
  t.equal(
    (await app.inject({ method: 'POST', url: '/webhooks/pulse/none', headers: headersFor(SW_SECRET), payload: body }))
      .statusCode,
    401,
    'no secrets: an unknown tenant'
  )
  mode = 'list'
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/acme',
    headers: headersFor(SW_SECRET),
    payload: body
  })
  t.equal(res.statusCode, 200, 'the next delivery looks up again, and any secret of the list may match')
  t.equal(calls, 1)
})

t.test('a tenant function that throws answers 500; one that names no tenant, 401', async t => {
  const app = Fastify()
  await app.register(pulse, {
    tenant: request => {
      const name = request.headers['x-tenant']
      if (name === 'boom') throw new Error('no tenant')
      return name as string | undefined
    },
    secret: () => SW_SECRET
  })
  const boom = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: { ...headersFor(SW_SECRET), 'x-tenant': 'boom' },
    payload: body
  })
  t.equal(boom.statusCode, 500)
  t.equal(boom.json().code, 'WEBHOOK_SECRET_UNAVAILABLE')
  const none = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: headersFor(SW_SECRET),
    payload: body
  })
  t.equal(none.statusCode, 401)
  const long = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: { ...headersFor(SW_SECRET), 'x-tenant': 'x'.repeat(300) },
    payload: body
  })
  t.equal(long.statusCode, 401, 'a tenant name too long to look up is unknown')
  const some = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: { ...headersFor(SW_SECRET), 'x-tenant': 'acme' },
    payload: body
  })
  t.equal(some.statusCode, 200)
})

t.test('the tenant is on every log line of the delivery, and no secret is', async t => {
  const { lines, stream } = capture()
  const app = Fastify({ logger: { level: 'info', stream } })
  const secret = newSecret()
  await app.register(pulse, { path: '/webhooks/pulse/:tenant', tenant: tenantParam, secret: () => secret })
  await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/acme',
    headers: headersFor(secret, 'msg_log'),
    payload: body
  })
  await app.inject({
    method: 'POST',
    url: '/webhooks/pulse/acme',
    headers: headersFor(SW_SECRET, 'msg_bad'),
    payload: body
  })
  const ours = lines.filter(line => line.msg !== 'incoming request')
  t.ok(ours.length >= 4, `${ours.length} lines`)
  t.same(
    ours.filter(line => line.tenant !== 'acme'),
    [],
    'each line names the tenant'
  )
  t.ok(ours.some(line => line.msg === 'webhook event handled' && line.id === 'msg_log'))
  t.ok(ours.some(line => line.msg === 'webhook rejected'))
  t.notMatch(JSON.stringify(lines), secret.slice(6, 20))
})

t.test(
  'an unknown tenant is verified like a known one, and refused even by a scheme that would pass any ' + 'key',
  async t => {
    let verified = 0
    const lax: SignatureScheme = {
      name: 'lax',
      title: 'Lax',
      headers: [],
      secretFormat: 'anything',
      signsTimestamp: false,
      parseSecret: secret => secret,
      generateSecret: () => 'dummy',
      claims: () => false,
      verify: () => {
        verified++
        return { ok: true, id: undefined, meta: {} }
      },
      sign: () => ({})
    }
    const plugin = defineProvider({ name: 'lax', scheme: lax, events: {}, typeOf: () => 'any' })
    const app = Fastify()
    await app.register(plugin, { tenant: () => 'nobody', secret: () => undefined })
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/lax',
      headers: { 'content-type': 'application/json' },
      payload: '{}'
    })
    t.equal(res.statusCode, 401)
    t.equal(res.json().code, 'WEBHOOK_INVALID_SIGNATURE')
    t.equal(verified, 1, 'the signature was checked (against the dummy key), as for a known tenant')
  }
)

t.test('the tenant options are checked at registration', async t => {
  const cases: Array<[object, RegExp]> = [
    [{ secret: () => SW_SECRET }, /option "secret" is a function: give option "tenant"/],
    [{ secret: SW_SECRET, tenant: tenantParam }, /need "secret" to be a function/],
    [{ secret: SW_SECRET, secretCache: new SecretCache() }, /need "secret" to be a function/],
    [{ secret: () => SW_SECRET, tenant: tenantParam, secretCache: {} }, /option "secretCache" must be a SecretCache/]
  ]
  for (const [options, message] of cases) {
    await t.rejects(async () => {
      await Fastify().register(pulse, options as never)
    }, message)
  }
  await t.rejects(async () => {
    await Fastify().register(autosana, { secret: () => 'x', tenant: tenantParam, allowUnsigned: true })
  }, /"allowUnsigned" does not go with a "secret" function/)
  const shared = new SecretCache()
  const app = Fastify()
  await app.register(pulse, { secret: () => SW_SECRET, tenant: tenantParam, secretCache: shared, path: '/a/:tenant' })
  await app.register(pulse, { secret: () => SW_SECRET, tenant: tenantParam, secretCache: shared, path: '/b/:tenant' })
  t.pass('one provider may register twice with one cache (same scheme)')
  await t.rejects(async () => {
    await Fastify().register(autosana, { secret: () => 'x', tenant: tenantParam, secretCache: shared })
  }, /already used by fastify-webhooks-pulse/)
})

t.test('SecretCache: bounded, kept for its ttl, one lookup at a time, invalidate', async t => {
  t.throws(() => new SecretCache({ max: 0 }), /option "max" must be a positive number/)
  t.throws(() => new SecretCache({ ttl: Number.POSITIVE_INFINITY }), /option "ttl"/)
  const cache = new SecretCache({ max: 2, ttl: 0.05 })
  let loads = 0
  const load = async (): Promise<string[]> => { loads++; return ['k'] }
  const [a, b] = await Promise.all([cache.keysOf('a', load), cache.keysOf('a', load)])
  t.equal(loads, 1, 'concurrent deliveries of one tenant share one lookup')
  t.same(a, ['k'])
  t.equal(b, a)
  t.same(cache.keysOf('a', load), ['k'], 'then at once, with no promise')
  await cache.keysOf('b', load)
  cache.keysOf('a', load) // a is now the most recently used
  await cache.keysOf('c', load)
  t.equal(cache.size, 2, 'never more than max')
  t.same(cache.keysOf('a', load), ['k'], 'the least recently used went first')
  t.ok(cache.keysOf('b', load) instanceof Promise, 'b was evicted')
  await sleep(80)
  t.ok(cache.keysOf('a', load) instanceof Promise, 'past its ttl an entry is looked up again')

  // A rotation while a lookup is under way: the old answer is not kept.
  let release: (keys: string[]) => void = () => {}
  const slow = cache.keysOf('r', async () => await new Promise<string[]>(resolve => { release = resolve }))
  cache.invalidate('r')
  const fresh = cache.keysOf('r', async () => ['new'])
  release(['old'])
  t.same(await slow, ['old'])
  t.same(await fresh, ['new'])
  t.same(cache.keysOf('r', load), ['new'], 'the lookup after the rotation is the one kept')
  cache.clear()
  t.equal(cache.size, 0)

  const late = new SecretCache({ timeout: 0.02 })
  await t.rejects(late.keysOf('x', async () => await sleep(200, ['k'])) as Promise<unknown>, SecretCacheTimeoutError)
})

t.test('a flood of unknown names never evicts a known tenant', async t => {
  const looked: string[] = []
  const cache = new SecretCache({ max: 10, maxUnknown: 5 })
  const app = Fastify()
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: tenantParam,
    secret: tenant => { looked.push(tenant); return tenant === 'acme' ? SW_SECRET : undefined },
    secretCache: cache
  })
  const post = async (tenant: string): Promise<number> => {
    const headers = signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET })
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/pulse/${tenant}`,
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
    return res.statusCode
  }
  t.equal(await post('acme'), 200)
  // More guessed names than both bounds together.
  for (let i = 0; i < 100; i++) t.equal(await post(`guess-${i}`), 401)
  t.equal(cache.size, 1, 'the known tenant is kept')
  t.equal(cache.unknownSize, 5, 'unknown names are kept up to maxUnknown')
  looked.length = 0
  t.equal(await post('acme'), 200)
  t.same(looked, [], 'the known tenant comes from the cache: no lookup')
  t.equal(await post('guess-99'), 401)
  t.same(looked, [], 'a recent unknown name comes from its cache')
  t.equal(await post('guess-0'), 401)
  t.same(looked, ['guess-0'], 'an old one was evicted (by other unknown names), and is looked up again')
})

t.test('SecretCache: unknown names apart, bounded by maxUnknown, expire and are forgotten alike', async t => {
  t.throws(() => new SecretCache({ maxUnknown: 0 }), /option "maxUnknown" must be a positive number/)
  const cache = new SecretCache({ max: 2, maxUnknown: 2, ttl: 0.05 })
  let loads = 0
  const known = async (): Promise<string[]> => { loads++; return ['k'] }
  const unknown = async (): Promise<null> => { loads++; return null }
  await cache.keysOf('a', known)
  await cache.keysOf('b', known)
  for (const name of ['x', 'y', 'z']) await cache.keysOf(name, unknown)
  t.equal(cache.size, 2)
  t.equal(cache.unknownSize, 2)
  t.same([cache.keysOf('a', known), cache.keysOf('b', known), cache.keysOf('z', unknown)], [['k'], ['k'], null])
  t.ok(cache.keysOf('x', unknown) instanceof Promise, 'the oldest unknown name went first')
  await cache.keysOf('x', unknown)
  cache.invalidate('x')
  t.equal(cache.unknownSize, 1, 'invalidate forgets an unknown name too (a tenant just created)')
  t.same(await cache.keysOf('x', known), ['k'], 'which is then known')
  t.equal(cache.unknownSize, 1)
  await sleep(80)
  t.ok(cache.keysOf('z', unknown) instanceof Promise, 'past its ttl an unknown name is looked up again')
  cache.clear()
  t.same([cache.size, cache.unknownSize], [0, 0])
  t.ok(loads > 0)
})

t.test('keys of tenants never collide: idempotency keys and job ids', async t => {
  t.equal(eventKey({ provider: 'pulse', id: 'm' }), 'pulse:m')
  t.not(
    eventKey({ provider: 'pulse', id: 'b:m', tenant: 'a' }),
    eventKey({ provider: 'pulse', id: 'm', tenant: 'a:b' })
  )
  t.not(eventKey({ provider: 'pulse', id: 'a:m' }), eventKey({ provider: 'pulse', id: 'm', tenant: 'a' }))
  t.not(jobIdOf('pulse', 'b.m', 'a'), jobIdOf('pulse', 'm', 'a.b'))
  t.not(jobIdOf('pulse', 'a.m'), jobIdOf('pulse', 'm', 'a'))
  t.notMatch(jobIdOf('pulse', 'm', 'a:b'), /:/)
})
