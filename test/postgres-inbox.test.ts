/**
 * The Postgres inbox on a real Postgres over real HTTP: every verified event kept (invalid ones too),
 * redaction, retention, and replay through today's handlers and schemas, once each.
 */
import t from 'tap'
import { createHmac } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import Type from 'typebox'
import { PostgresStore, replay } from '../lib/stores/postgres-entry.js'
import { defineProvider, headerValue, hmacHex } from '../plugins/index.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, postPulse } from './helpers/sign.js'
import { connect, startPostgres } from './helpers/postgres.js'

const BODY = JSON.stringify(fixtures.pulse['job.completed'])
const SHOP_SECRET = 'shop-secret'

/** A provider of one's own whose schema is fixed between two versions: amounts were numbers, then also strings. */
const shopSpec = (amount: 'strict' | 'relaxed') => ({
  name: 'shop',
  scheme: hmacHex({ headers: ['x-shop-signature'] }),
  events: {
    'order.paid': Type.Object({
      order: Type.String(),
      amount: amount === 'strict' ? Type.Number() : Type.Union([Type.Number(), Type.String()])
    })
  },
  typeOf: () => 'order.paid',
  idOf: (_payload: unknown, { headers }: { headers: Record<string, string | string[] | undefined> }) =>
    headerValue(headers, 'x-shop-delivery')
})
const shop = defineProvider(shopSpec('strict'))
const shopFixed = defineProvider(shopSpec('relaxed'))

async function postShop (
  url: string,
  payload: unknown,
  id: string
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = JSON.stringify(payload)
  const headers = {
    'content-type': 'application/json',
    'x-shop-delivery': id,
    'x-shop-signature': createHmac('sha256', SHOP_SECRET).update(body).digest('hex')
  }
  const res = await fetch(`${url}/webhooks/shop`, { method: 'POST', headers, body })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}

interface KeptRow {
  provider: string
  event_id: string
  type: string
  payload: unknown
  meta: Record<string, unknown>
  status: string
  attempts: number
  last_error: string | null
  received_at: Date
  processed_at: Date | null
}

async function kept (pool: pg.Pool, key: string): Promise<KeptRow | undefined> {
  return (
    await pool.query<KeptRow>(
      'SELECT provider, event_id, type, payload, meta, status, attempts, last_error, received_at, processed_at FROM ' +
      'fastify_webhooks_idempotency WHERE key = $1',
      [key]
    )
  ).rows[0]
}

async function listen (app: FastifyInstance): Promise<string> {
  return await app.listen({ port: 0, host: '127.0.0.1' })
}

t.test('the inbox', async t => {
  const server = await startPostgres()
  const pool = connect(server, { max: 20 })
  t.teardown(async () => { await pool.end(); await server.close() })
  const store = new PostgresStore({ pool, inbox: true })
  await store.migrate()
  await pool.query('CREATE TABLE effects (event_id text PRIMARY KEY, source text NOT NULL)')
  const write =
    (source: string) =>
      async (event: { id: string }): Promise<void> => {
        await store.client().query('INSERT INTO effects (event_id, source) VALUES ($1, $2)', [event.id, source])
      }
  const effects = async (prefix: string): Promise<Array<{ event_id: string; source: string }>> =>
    (
      await pool.query<{ event_id: string; source: string }>(
        'SELECT event_id, source FROM effects WHERE starts_with(event_id, $1) ORDER BY event_id',
        [prefix]
      )
    ).rows

  t.test(
    'each verified event is kept: its payload, what the signature said, status, attempts, last error, ' + 'times',
    async t => {
      let fail = true
      const app = Fastify()
      await app.register(pulse, {
        secret: SW_SECRET,
        idempotency: { store },
        onEvent: async () => {
          if (fail) throw new Error('the bug')
        }
      })
      const url = `${await listen(app)}/webhooks/pulse`
      t.teardown(() => app.close())
      const before = new Date()
      t.equal((await postPulse(url, BODY, 'msg_kept')).status, 500)
      t.match(await kept(pool, 'pulse:msg_kept'), {
        provider: 'pulse',
        event_id: 'msg_kept',
        type: 'job.completed',
        payload: JSON.parse(BODY),
        status: 'failed',
        attempts: 1,
        last_error: 'the bug',
        processed_at: null
      })
      const { meta, received_at: receivedAt } = (await kept(pool, 'pulse:msg_kept'))!
      t.type(meta.timestamp, 'number', 'the signed timestamp is kept')
      t.ok(receivedAt.getTime() >= before.getTime() - 1 && receivedAt.getTime() <= Date.now())
      fail = false
      t.equal((await postPulse(url, BODY, 'msg_kept')).status, 200)
      const row = (await kept(pool, 'pulse:msg_kept'))!
      t.match(row, { status: 'done', attempts: 2, last_error: null })
      t.same(row.received_at, receivedAt, 'the first receipt time stays')
      t.ok(row.processed_at instanceof Date)
      t.same((await postPulse(url, BODY, 'msg_kept')).body, { received: true, duplicate: true })
      t.equal((await kept(pool, 'pulse:msg_kept'))!.attempts, 2, 'a duplicate is no attempt')
    }
  )

  t.test('redact: the kept payload is what redact returns; handlers get the whole event', async t => {
    const redacting = new PostgresStore({
      pool,
      inbox: { redact: event => ({ ...(event.payload as object), data: '[redacted]' }) }
    })
    let seen: unknown
    const app = Fastify()
    await app.register(pulse, {
      secret: SW_SECRET,
      idempotency: { store: redacting },
      onEvent: async event => {
        seen = event.payload
      }
    })
    const url = `${await listen(app)}/webhooks/pulse`
    t.teardown(() => app.close())
    t.equal((await postPulse(url, BODY, 'msg_redacted')).status, 200)
    t.same(seen, JSON.parse(BODY))
    t.same((await kept(pool, 'pulse:msg_redacted'))!.payload, { ...JSON.parse(BODY), data: '[redacted]' })
  })

  t.test(
    'an invalid payload is kept as invalid: 400 by default, 200 with acceptInvalid (onInvalid ' + 'called)',
    async t => {
      const refusing = Fastify()
      await refusing.register(shop, { secret: SHOP_SECRET, idempotency: { store } })
      const invalidSeen: unknown[] = []
      const accepting = Fastify()
      await accepting.register(shop, {
        secret: SHOP_SECRET,
        idempotency: { store },
        acceptInvalid: true,
        onInvalid: async (event, failure) => {
          invalidSeen.push([event.id, failure])
        }
      })
      const [refusingUrl, acceptingUrl] = [await listen(refusing), await listen(accepting)]
      t.teardown(() => Promise.all([refusing.close(), accepting.close()]))

      t.match(await postShop(refusingUrl, { order: 'o-1', amount: '12.50' }, 'inv-1'), {
        status: 400,
        body: { code: 'WEBHOOK_INVALID_PAYLOAD', message: /\/amount/ }
      })
      t.match(await kept(pool, 'shop:inv-1'), {
        status: 'invalid',
        attempts: 1,
        payload: { order: 'o-1', amount: '12.50' },
        last_error: /./
      })
      t.match(await postShop(refusingUrl, { order: 'o-1', amount: '12.50' }, 'inv-1'), { status: 400 })
      t.equal((await kept(pool, 'shop:inv-1'))!.attempts, 2, "the sender's retry is counted")

      const published: unknown[] = []
      const listen2 = (message: unknown): void => {
        published.push(message)
      }
      subscribe('fastify-webhooks:refused', listen2)
      t.teardown(() => unsubscribe('fastify-webhooks:refused', listen2))
      t.same(await postShop(acceptingUrl, { order: 'o-2', amount: '3.10' }, 'inv-2'), {
        status: 200,
        body: { received: true, invalid: true }
      })
      t.same(
        published,
        [{ provider: 'shop', outcome: 'invalid', reason: 'invalid-payload', status: 200 }],
        'counted as invalid, though answered 200'
      )
      t.match(invalidSeen, [['inv-2', { path: '/amount', reason: /./ }]])
      t.match(await kept(pool, 'shop:inv-2'), { status: 'invalid' })

      const answering = Fastify()
      await answering.register(shop, {
        secret: SHOP_SECRET,
        idempotency: { store },
        acceptInvalid: true,
        onInvalid: async (_event, _failure, _request, reply) => await reply.code(202).send({ kept: true })
      })
      t.teardown(() => answering.close())
      t.same(
        await postShop(await listen(answering), { order: 'o-2b', amount: '1' }, 'inv-2b'),
        { status: 202, body: { kept: true } },
        'onInvalid may answer itself'
      )

      const throwing = Fastify()
      await throwing.register(shop, {
        secret: SHOP_SECRET,
        idempotency: { store },
        acceptInvalid: true,
        onInvalid: async () => { throw new Error('after the inbox') }
      })
      t.teardown(() => throwing.close())
      t.match(
        await postShop(await listen(throwing), { order: 'o-2c', amount: '1' }, 'inv-2c'),
        { status: 500, body: { code: 'WEBHOOK_HANDLER_FAILED' } },
        'onInvalid throws: 500, as a handler that throws'
      )
      t.match(await kept(pool, 'shop:inv-2c'), { status: 'invalid' }, 'the inbox kept it before')
      await pool.query("DELETE FROM fastify_webhooks_idempotency WHERE event_id = 'inv-2c'")

      t.same(
        await postShop(acceptingUrl, { order: 'o-3', amount: 3 }, 'inv-3'),
        { status: 200, body: { received: true } },
        'a valid one is handled as ever'
      )
      t.same(await postShop(acceptingUrl, { order: 'o-3', amount: 'x' }, 'inv-3'), {
        status: 200,
        body: { received: true, invalid: true }
      })
      t.match(
        await kept(pool, 'shop:inv-3'),
        { status: 'done', payload: { amount: 3 } },
        'an invalid body never overwrites a handled event'
      )
    }
  )

  t.test('with many tenants, an invalid event is kept under its tenant\'s key, with its tenant', async t => {
    const app = Fastify()
    await app.register(pulse, {
      path: '/webhooks/pulse/:tenant',
      tenant: request => (request.params as { tenant: string }).tenant,
      secret: () => SW_SECRET,
      idempotency: { store },
      acceptInvalid: true
    })
    const url = await listen(app)
    t.teardown(() => app.close())
    const invalidBody = JSON.stringify({ type: 'job.completed', data: { job_id: 'j' } })
    for (const tenant of ['acme', 'globex']) {
      t.same(await postPulse(`${url}/webhooks/pulse/${tenant}`, invalidBody, 'msg_tenant_invalid'), {
        status: 200,
        body: { received: true, invalid: true }
      })
      t.match(
        await kept(pool, `pulse/${tenant}:msg_tenant_invalid`),
        { status: 'invalid', meta: { tenant } },
        `${tenant}'s own row`
      )
    }
    t.equal(await kept(pool, 'pulse:msg_tenant_invalid'), undefined, 'no row without the tenant')
    // Out of the way of the replay tests below, which select recent invalid Pulse events.
    await pool.query("DELETE FROM fastify_webhooks_idempotency WHERE event_id = 'msg_tenant_invalid'")
  })

  t.test('an invalid payload while the store is down: 500 (the sender retries), never 2xx', async t => {
    const down = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 500 })
    down.on('error', () => {})
    t.teardown(() => down.end())
    const app = Fastify()
    await app.register(shop, {
      secret: SHOP_SECRET,
      idempotency: { store: new PostgresStore({ pool: down, inbox: true }) },
      acceptInvalid: true
    })
    const url = await listen(app)
    t.teardown(() => app.close())
    t.match(await postShop(url, { order: 'o-4', amount: 'x' }, 'inv-4'), {
      status: 500,
      body: { code: 'WEBHOOK_STORE_UNAVAILABLE' }
    })
  })

  t.test('the options are checked at registration', async t => {
    const register = async (options: Record<string, unknown>): Promise<void> => {
      const app = Fastify()
      try {
        await app.register(shop, { secret: SHOP_SECRET, ...options })
        await app.ready()
      } finally {
        await app.close()
      }
    }
    await t.rejects(
      register({ acceptInvalid: true }),
      /option "acceptInvalid" needs an idempotency store that keeps events/
    )
    await t.rejects(
      register({ acceptInvalid: true, idempotency: { store: new PostgresStore({ pool }) } }),
      /needs an idempotency store that keeps events/
    )
    await t.rejects(register({ acceptInvalid: 'yes' }), /option "acceptInvalid" must be a boolean/)
    await t.rejects(register({ onInvalid: 'x' }), /option "onInvalid" must be a function/)
    await t.rejects(
      register({ idempotency: { store }, onInvalid: () => {} }),
      /option "onInvalid" runs only with "acceptInvalid: true"/
    )
    t.throws(() => new PostgresStore({ pool, inbox: 'yes' as never }), /option "inbox" must be a boolean/)
    t.throws(
      () => new PostgresStore({ pool, inbox: { retention: 0 } }),
      /option "inbox.retention" must be a positive number/
    )
    t.throws(
      () => new PostgresStore({ pool, inbox: { redact: 'x' as never } }),
      /option "inbox.redact" must be a function/
    )
    await t.rejects(
      new PostgresStore({ pool }).keepInvalid(
        'k',
        { provider: 'p', id: 'i', type: 't', payload: {}, receivedAt: new Date() },
        'r'
      ),
      /needs the "inbox" option/
    )
    t.equal(new PostgresStore({ pool }).keepsEvents, false)
  })

  t.test('replay of 100 failed events after a fix: each committed once; a second replay finds none', async t => {
    let fixed = false
    const handlers = {
      'job.completed': async (event: PulseEvent) => {
        if (!fixed) throw new Error('the bug')
        await write('replay')(event)
      }
    }
    const app = Fastify()
    await app.register(pulse, { secret: SW_SECRET, idempotency: { store }, on: handlers })
    const url = `${await listen(app)}/webhooks/pulse`
    t.teardown(() => app.close())
    const ids = Array.from({ length: 100 }, (_, i) => `msg_r100_${String(i).padStart(3, '0')}`)
    const answers = await Promise.all(ids.map(async id => (await postPulse(url, BODY, id)).status))
    t.ok(
      answers.every(s => s === 500),
      'all 100 failed'
    )
    t.equal(
      (
        await pool.query(
          "SELECT count(*)::int AS n FROM fastify_webhooks_idempotency WHERE status = 'failed' AND starts_with(key, " +
          "'pulse:msg_r100_')"
        )
      ).rows[0].n,
      100
    )

    fixed = true
    // Two replays at once, as from two terminals: still once each.
    const results = await Promise.all(
      [1, 2].map(async () => await replay(store, { providers: [pulse], on: handlers, status: 'failed' }))
    )
    t.equal(results[0]!.handled + results[1]!.handled, 100)
    t.equal(results[0]!.failed + results[1]!.failed, 0)
    t.same(
      (await effects('msg_r100_')).map(r => r.event_id),
      ids,
      "each event's write committed once"
    )
    t.same(await replay(store, { providers: [pulse], on: handlers, status: 'failed' }), {
      handled: 0,
      failed: 0,
      invalid: 0,
      skipped: 0
    })
    t.same(
      (await postPulse(url, BODY, ids[0]!)).body,
      { received: true, duplicate: true },
      'a redelivery after the replay is a duplicate'
    )
  })

  t.test('replay checks a kept invalid event against today\'s schema', async t => {
    const app = Fastify()
    await app.register(shop, { secret: SHOP_SECRET, idempotency: { store }, acceptInvalid: true })
    const url = await listen(app)
    t.teardown(() => app.close())
    t.equal((await postShop(url, { order: 'o-5', amount: '7.00' }, 'fix-1')).status, 200)
    const seen: unknown[] = []
    const on = {
      'order.paid': async (event: { id: string; payload: unknown }) => {
        seen.push(event.payload)
        await write('fixed')(event)
      }
    }
    const still = await replay(store, {
      providers: [shop],
      on,
      provider: 'shop',
      status: 'invalid',
      type: 'order.paid'
    })
    t.match(
      still,
      { handled: 0, invalid: 4 },
      'under the old schema they are still invalid (inv-1, inv-2, inv-2b, fix-1)'
    )
    t.match(await kept(pool, 'shop:fix-1'), { status: 'invalid', attempts: 2 })
    const result = await replay(store, { providers: [shopFixed], on, status: 'invalid' })
    t.match(result, { handled: 4, invalid: 0 })
    t.match(seen, [{ order: 'o-1' }, { order: 'o-2' }, { order: 'o-2b' }, { order: 'o-5' }])
    t.match(await kept(pool, 'shop:fix-1'), { status: 'done' })
  })

  t.test('replay judges an event by the time it was received, not today\'s clock', async t => {
    const app = Fastify()
    await app.register(pulse, {
      secret: SW_SECRET,
      idempotency: { store },
      onEvent: async () => {
        throw new Error('down')
      }
    })
    const url = `${await listen(app)}/webhooks/pulse`
    t.teardown(() => app.close())
    t.equal((await postPulse(url, BODY, 'msg_old')).status, 500)
    const weekAgo = new Date(Date.now() - 8 * 86_400_000)
    const signedThen = Math.floor(weekAgo.getTime() / 1000)
    await pool.query(
      "UPDATE fastify_webhooks_idempotency SET received_at = $2, meta = jsonb_set(meta, '{timestamp}', " +
      'to_jsonb($3::int)) WHERE key = $1',
      ['pulse:msg_old', weekAgo, signedThen]
    )
    let seen: PulseEvent | undefined
    const result = await replay(store, {
      providers: [pulse],
      onEvent: async event => {
        seen = event
      },
      since: new Date(weekAgo.getTime() - 1000),
      until: new Date(weekAgo.getTime() + 1000)
    })
    t.same(result, { handled: 1, failed: 0, invalid: 0, skipped: 0 })
    t.same(seen?.receivedAt, weekAgo)
    t.equal(
      (seen as { timestamp?: number }).timestamp,
      signedThen,
      'a signature a week old is not judged against today'
    )
  })

  t.test('replay: a handler that still fails, unknown types, done and crashed events, filters', async t => {
    const app = Fastify()
    const unknownBody = JSON.stringify({ type: 'job.queued', data: { job_id: 'j' } })
    let failing = true
    await app.register(pulse, {
      secret: SW_SECRET,
      idempotency: { store, lease: 0.05 },
      onEvent: async () => {
        if (failing) throw new Error('first cause')
      },
      onUnknown: async () => {
        throw new Error('unknown cause')
      }
    })
    const url = `${await listen(app)}/webhooks/pulse`
    t.teardown(() => app.close())
    t.equal((await postPulse(url, BODY, 'msg_f_still')).status, 500)
    t.equal((await postPulse(url, unknownBody, 'msg_f_unknown')).status, 500)
    failing = false
    t.equal((await postPulse(url, BODY, 'msg_f_done')).status, 200)
    // A crash: claimed, never completed nor released.
    await store.claim('pulse:msg_f_crashed', 50, {
      provider: 'pulse',
      id: 'msg_f_crashed',
      type: 'job.completed',
      payload: JSON.parse(BODY),
      receivedAt: new Date()
    })

    const only = { providers: [pulse] as const, since: new Date(Date.now() - 60_000) }
    const lines: Array<[string, string]> = []
    const logger = {
      info: (_: object, m: string) => lines.push(['info', m]),
      warn: (_: object, m: string) => lines.push(['warn', m]),
      error: (_: object, m: string) => lines.push(['error', m])
    }
    t.same(
      await replay(store, {
        ...only,
        type: 'job.completed',
        onEvent: async () => {
          throw new Error('second cause')
        },
        logger
      }),
      { handled: 0, failed: 1, invalid: 0, skipped: 0 }
    )
    t.match(await kept(pool, 'pulse:msg_f_still'), { status: 'failed', last_error: 'second cause' })
    t.ok(lines.some(([level, m]) => level === 'error' && m === 'replayed webhook event failed'))

    const unknown: string[] = []
    t.same(
      await replay(store, {
        ...only,
        type: 'job.queued',
        onUnknown: async event => {
          unknown.push(event.type)
        }
      }),
      { handled: 1, failed: 0, invalid: 0, skipped: 0 }
    )
    t.same(unknown, ['job.queued'])

    await sleep(60)
    const crashed: string[] = []
    t.same(
      await replay(store, {
        ...only,
        status: 'processing',
        onEvent: async event => {
          crashed.push(event.id)
        }
      }),
      { handled: 1, failed: 0, invalid: 0, skipped: 0 }
    )
    t.same(crashed, ['msg_f_crashed'], 'a claim that ran out is taken; no live one is')

    const again: string[] = []
    t.match(
      await replay(store, {
        ...only,
        status: 'done',
        onEvent: async event => {
          again.push(event.id)
        }
      }),
      { failed: 0 }
    )
    t.ok(
      ['msg_f_done', 'msg_f_crashed'].every(id => again.includes(id)),
      'done events run again when asked for'
    )
    t.same(
      await replay(store, { ...only, until: new Date(Date.now() - 3_600_000), status: 'done' }),
      { handled: 0, failed: 0, invalid: 0, skipped: 0 },
      'until excludes later events'
    )
  })

  t.test('replay options are checked', async t => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /option "providers" must name the plugins/],
      [{ providers: [] }, /option "providers" must name the plugins/],
      [{ providers: [pulse], on: { nope: () => {} } }, /option "on" names "nope", which is not a pulse event type/],
      [{ providers: [pulse], status: 'lost' }, /option "status" names "lost"/],
      [{ providers: [pulse], status: [] }, /option "status" must be a string or a non-empty array/],
      [{ providers: [pulse], provider: 'retab' }, /option "provider" names "retab", which is not one of "providers"/],
      [{ providers: [pulse], type: [1] }, /option "type" must be a string or a non-empty array/],
      [{ providers: [pulse], since: 'monday' }, /option "since" must be a Date/],
      [{ providers: [pulse], until: new Date('x') }, /option "until" must be a Date/],
      [{ providers: [pulse], ttl: 0 }, /option "ttl" must be a positive number/],
      [{ providers: [pulse], lease: 'x' }, /option "lease" must be a positive number/],
      [{ providers: [pulse], since: new Date(), sinse: new Date() }, /^fastify-webhooks\/postgres replay: unknown option "sinse"$/]
    ]
    for (const [options, message] of cases) {
      await t.rejects(replay(store, options as never), message, JSON.stringify(options))
    }
    await t.rejects(replay(store, undefined as never), /option "providers" must name the plugins/)
    await t.rejects(replay(new PostgresStore({ pool }), { providers: [pulse] }), /the store must keep events/)
  })

  t.test('what the store keeps of an event and of a failure, called directly', async t => {
    const event = {
      provider: 'retab',
      id: 'direct',
      type: 'extraction.completed',
      payload: { a: 1 },
      receivedAt: new Date(),
      tenant: 'acme',
      timestamp: 5,
      extraction: { name: 'derived from the payload' }
    }
    t.equal(await store.claim('retab:direct', 60_000, event), 'new')
    t.same(
      (await kept(pool, 'retab:direct'))!.meta,
      { tenant: 'acme', timestamp: 5 },
      'plain values only: objects are derived from the payload again on replay'
    )
    await store.release('retab:direct', 'a string thrown')
    t.match(await kept(pool, 'retab:direct'), { status: 'failed', last_error: 'a string thrown' })
    t.equal(await store.claim('retab:direct', 60_000, event), 'new')
    await store.release('retab:direct')
    t.match(await kept(pool, 'retab:direct'), { status: 'failed', last_error: null, attempts: 2 })
    t.equal(await store.claim('retab:direct', 60_000), 'new', 'a claim without the event')
    await store.complete('retab:direct', 60_000)
    t.match(await kept(pool, 'retab:direct'), { status: 'done', attempts: 2 })
  })

  t.test('retention: failed and invalid events stay until it passes, then purge() deletes them', async t => {
    const brief = new PostgresStore({ pool, inbox: { retention: 0.3 } })
    const app = Fastify()
    await app.register(pulse, {
      secret: SW_SECRET,
      idempotency: { store: brief, ttl: 0.1 },
      onEvent: async event => {
        if (event.id === 'msg_ret_failed') throw new Error('x')
      }
    })
    const url = `${await listen(app)}/webhooks/pulse`
    t.teardown(() => app.close())
    t.equal((await postPulse(url, BODY, 'msg_ret_failed')).status, 500)
    t.equal((await postPulse(url, BODY, 'msg_ret_done')).status, 200)
    await sleep(150)
    await brief.purge()
    t.ok(await kept(pool, 'pulse:msg_ret_failed'), 'past its expiry, within retention: kept')
    t.ok(await kept(pool, 'pulse:msg_ret_done'), 'a done event too')
    await sleep(250)
    await brief.purge()
    t.equal(await kept(pool, 'pulse:msg_ret_failed'), undefined)
    t.equal(await kept(pool, 'pulse:msg_ret_done'), undefined)
  })
})
