/**
 * fastify-webhooks/dashboard on a real Postgres inbox, with real signed Pulse deliveries through the real route:
 * its refusals at registration, authorization, the inbox's filters and keyset pages, an event's page, escaping of
 * hostile payloads, CSRF, replay (once, even against the sender's own retry), purge, and the live counts'
 * subscriptions (none while nobody looks).
 */
import t from 'tap'
import { hasSubscribers } from 'node:diagnostics_channel'
import Fastify from 'fastify'
import { dashboard, type DashboardOptions } from '../lib/fastify/dashboard.js'
import { CHANNELS } from '../lib/observe/channels.js'
import { PostgresStore } from '../lib/stores/postgres-entry.js'
import { LiveCounts } from '../lib/dashboard/live.js'
import { html } from '../lib/dashboard/html.js'
import { pulse } from '../plugins/pulse.js'
import { AUTH, XSS, dashboardApp, deliver, pulseBody } from './helpers/dashboard.js'
import { connect, startPostgres } from './helpers/postgres.js'
import { until } from '../support/raw-http.js'

const server = await startPostgres()
const pool = connect(server, { max: 10 })
t.teardown(async () => { await pool.end(); await server.close() })

const auth = { authorization: AUTH }
const listening = (): boolean => hasSubscribers(CHANNELS.handled)

/** The CSRF cookie a page set, and the header that sends it back. */
function csrfOf (setCookie: string | string[] | undefined): { token: string, cookie: string } {
  const token = /fastify_webhooks_csrf=([^;]+)/.exec(String(setCookie))![1]!
  return { token, cookie: `fastify_webhooks_csrf=${token}` }
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString()
const FORM = 'application/x-www-form-urlencoded'

t.test('registration refuses what would be unsafe or cannot work', async t => {
  const store = new PostgresStore({ pool, inbox: true })
  const cases: Array<[Partial<DashboardOptions> & { prefix?: string }, RegExp]> = [
    [{ prefix: '/_w' }, /option "authorize" is required/],
    [{ prefix: '/_w', authorize: 'yes' as never }, /"authorize" must be a function/],
    [{ prefix: '/_w', insecureNoAuthorization: 'yes' as never }, /"insecureNoAuthorization" must be a boolean/],
    [{ prefix: '/_w', insecureNoAuthorization: false }, /option "authorize" is required/],
    [{ prefix: '/_w', authorize: () => true, insecureNoAuthorization: true }, /exclude each other/],
    [{ prefix: '/_w', authorize: () => true, store: new PostgresStore({ pool }) }, /PostgresStore with "inbox"/],
    [{ prefix: '/_w', authorize: () => true, replay: { providers: [pulse] } }, /"replay" needs option "store"/],
    [{ prefix: '/_w', authorize: () => true, pageSize: 0 }, /"pageSize" must be a whole number/],
    [{ prefix: '/_w', authorize: () => true, liveMinutes: 1.5 }, /"liveMinutes" must be a whole number/],
    [{ authorize: () => true }, /register it under a prefix/],
    [{ prefix: '/_w', authorize: () => true, store, replay: { providers: [] } }, /must name the plugins/]
  ]
  t.throws(() => new PostgresStore({ pool }).inbox, /PostgresStore.inbox needs the "inbox" option/)
  for (const [options, message] of cases) {
    const app = Fastify()
    await t.rejects(async () => { await app.register(dashboard, options as DashboardOptions).ready() }, message)
    await app.close()
  }
})

t.test('authorize decides; the opt-out lets anyone in; no route outside the prefix', async t => {
  const routes: string[] = []
  const app = Fastify()
  app.addHook('onRoute', route => { routes.push(route.url) })
  let asked = 0
  await app.register(dashboard, {
    prefix: '/_webhooks',
    authorize: async request => { asked++; return request.headers.authorization === AUTH }
  })
  await app.register(dashboard, { prefix: '/local', insecureNoAuthorization: true })
  t.teardown(() => app.close())
  const refused = await app.inject({ url: '/_webhooks/live' })
  t.equal(refused.statusCode, 403)
  t.match(refused.body, /WEBHOOK_DASHBOARD_FORBIDDEN/)
  t.notMatch(refused.body, /<tbody/, 'no page behind the refusal')
  t.equal((await app.inject({ url: '/_webhooks/live/stream' })).statusCode, 403, 'nor a stream')
  t.equal((await app.inject({ url: '/_webhooks/nowhere' })).statusCode, 403, 'nor a 404 that says what exists')
  t.equal((await app.inject({ url: '/_webhooks/live', headers: auth })).statusCode, 200)
  t.equal(asked, 4)
  t.equal((await app.inject({ url: '/local/live' })).statusCode, 200)
  const nowhere = await app.inject({ url: '/_webhooks/nowhere', headers: auth })
  t.equal(nowhere.statusCode, 404)
  t.match(nowhere.body, /no such page/)
  t.equal((await app.inject({ url: '/nowhere' })).statusCode, 404)
  t.match((await app.inject({ url: '/nowhere' })).json(), { statusCode: 404 }, "the app's own 404 outside")
  t.ok(routes.length > 0)
  for (const url of routes) t.match(url, /^\/(_webhooks|local)(\/|$)/, url)
  const root = await app.inject({ url: '/local/' })
  t.equal(root.statusCode, 302)
  t.equal(root.headers.location, '/local/live', 'without a store, the live page')
  const css = await app.inject({ url: '/local/assets/dashboard.css' })
  t.match(css.headers['content-type'], /text\/css/)
  t.match((await app.inject({ url: '/local/assets/live.js' })).body, /EventSource/)
  const page = await app.inject({ url: '/local/live' })
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  t.match(page.headers['set-cookie'], /fastify_webhooks_csrf=[^;]+; Path=\/local; HttpOnly; SameSite=Strict$/)
  const again = await app.inject({ url: '/local/live', headers: { cookie: csrfOf(page.headers['set-cookie']).cookie } })
  t.equal(again.headers['set-cookie'], undefined, 'a cookie already held is kept')
  t.equal((await app.inject({ url: '/local/inbox' })).statusCode, 404, 'no inbox without a store')

  const proxied = Fastify({ trustProxy: true })
  await proxied.register(dashboard, { prefix: '/_w', insecureNoAuthorization: true })
  const secure = await proxied.inject({ url: '/_w/live', headers: { 'x-forwarded-proto': 'https' } })
  t.match(secure.headers['set-cookie'], /; Secure$/, 'over https the cookie is Secure')
  await proxied.close()

  const odd = Fastify()
  await odd.register(dashboard, {
    prefix: '/_w',
    authorize: () => { throw Object.assign(new Error('ask the SSO'), { statusCode: 401 }) }
  })
  const asking = await odd.inject({ url: '/_w/live' })
  t.equal(asking.statusCode, 401, "an authorize hook's own 4xx")
  t.match(asking.body, /401 Error[\s\S]*ask the SSO/)
  await odd.close()
})

t.test('the inbox: list, filters, keyset pages, an event, why', async t => {
  const { app, store } = await dashboardApp(pool, { pageSize: 3 }, 'list_inbox')
  t.teardown(() => app.close())
  for (let i = 0; i < 7; i++) {
    t.equal(await deliver(app, pulseBody('job.completed', { job_id: `ok-${i}` }), `msg_ok_${i}`), 200)
  }
  t.equal(await deliver(app, pulseBody('job.failed', { job_id: 'fail-1' }), 'msg_fail_1'), 500)
  const bad = JSON.stringify({ type: 'job.completed', timestamp: 'x', data: { job_id: 'bad' } })
  t.equal(await deliver(app, bad, 'msg_bad'), 400)
  const get = async (url: string) => await app.inject({ url: `/_webhooks${url}`, headers: auth })

  const root = await get('/')
  t.equal(root.headers.location, '/_webhooks/inbox')
  const first = await get('/inbox')
  t.equal(first.statusCode, 200)
  t.equal(first.body.match(/<tr data-key=/g)?.length, 3, 'a page of 3')
  t.notMatch(first.body, /← Newest/, 'the first page has no link to itself')

  // Walk every page: each event once, newest first.
  const seen: string[] = []
  let url: string | undefined = '/inbox'
  while (url !== undefined) {
    const page = await get(url)
    t.equal(page.statusCode, 200)
    seen.push(...[...page.body.matchAll(/<tr data-key="([^"]+)"/g)].map(m => m[1]!))
    const next = /<a rel="next" href="\/_webhooks([^"]+)"/.exec(page.body)?.[1]
    url = next?.replaceAll('&amp;', '&')
    if (url !== undefined) t.match(page.body, url === undefined ? /./ : /Older/)
  }
  t.equal(seen.length, 9)
  t.equal(new Set(seen).size, 9, 'no event twice')
  t.same(seen.slice(0, 2), ['pulse:msg_bad', 'pulse:msg_fail_1'], 'newest first')

  const failed = await get('/inbox?status=failed')
  t.same([...failed.body.matchAll(/<tr data-key="([^"]+)"/g)].map(m => m[1]), ['pulse:msg_fail_1'])
  t.match(failed.body, /<option selected>failed<\/option>/)
  t.match(failed.body, /job fail-1 broke/, 'the last error in the list')
  t.match((await get('/inbox?type=job.failed&provider=pulse')).body, /msg_fail_1/)
  t.match((await get('/inbox?provider=other')).body, /No kept event matches/)
  t.match((await get('/inbox?tenant=acme')).body, /No kept event matches/)
  t.match((await get('/inbox?since=2999-01-01T00:00')).body, /No kept event matches/)
  t.equal((await get('/inbox?until=2999-01-01T00:00:00Z')).body.match(/<tr data-key=/g)?.length, 3)
  const paged = await get('/inbox?status=done')
  const next = /<a rel="next" href="\/_webhooks([^"]+)"/.exec(paged.body)![1]!.replaceAll('&amp;', '&')
  t.match(next, /status=done&after=/, 'the filters go on to the next page')
  t.match((await get(next)).body, /← Newest<\/a>/)

  for (const [query, field] of [
    ['status=gone', 'status'], ['since=yesterday', 'since'], ['until=2026-13-45T99:99', 'until'],
    ['after=nonsense', 'after'], [`after=${Buffer.from('["x","y"]').toString('base64url')}`, 'after'],
    ['status=done&status=failed', 'status'], [`type=${'x'.repeat(201)}`, 'type']
  ] as const) {
    const res = await get(`/inbox?${query}`)
    t.equal(res.statusCode, 400, query)
    t.match(res.body, new RegExp(`WEBHOOK_DASHBOARD_BAD_QUERY[\\s\\S]*Field &quot;${field}&quot;`), query)
  }

  const event = await get('/inbox/pulse%3Amsg_fail_1')
  t.equal(event.statusCode, 200)
  t.match(event.body, /A handler threw \(500, WEBHOOK_HANDLER_FAILED/)
  t.match(event.body, /<th>last error<\/th><td>job fail-1 broke<\/td>/)
  t.match(event.body, /&quot;job_id&quot;: &quot;fail-1&quot;/, 'the payload as stored')
  t.match(event.body, /<th>timestamp<\/th>/, 'the meta: what the signature said')
  t.match(event.body, /name="status" value="failed"/, 'a replay button for the status shown')
  const invalid = await get('/inbox/pulse%3Amsg_bad')
  t.match(invalid.body, /A known type that fails its schema \(400, WEBHOOK_INVALID_PAYLOAD/)
  t.match(invalid.body, /at \/data: must have propert/)
  t.match((await get('/inbox/pulse%3Amsg_ok_0')).body, /Run again \(it was handled\)/)
  t.match((await get('/inbox/pulse%3Amsg_ok_0')).body, /remembered as done until/)
  const missing = await get('/inbox/pulse%3Anone')
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /WEBHOOK_DASHBOARD_NOT_FOUND/)

  // An event being handled now, then one whose run stopped (its lease ran out).
  t.equal(await store.claim('pulse:held', 60_000, {
    provider: 'pulse', id: 'held', type: 'job.created', payload: {}, receivedAt: new Date()
  }), 'new')
  const held = await get('/inbox/pulse%3Aheld')
  t.match(held.body, /Being handled now/)
  t.match(held.body, /lease held until/)
  t.notMatch(held.body, /<button type="submit">Replay/, 'no replay while a run holds it')
  await pool.query("UPDATE list_inbox SET expires_at = now() WHERE key = 'pulse:held'")
  const stopped = await get('/inbox/pulse%3Aheld')
  t.match(stopped.body, /Its run stopped before it finished/)
  t.match(stopped.body, /lease ended/)
})

t.test('hostile payloads are shown as text, never as markup', async t => {
  const { app } = await dashboardApp(pool, {}, 'xss_inbox')
  t.teardown(() => app.close())
  for (const [i, evil] of XSS.entries()) {
    t.equal(await deliver(app, pulseBody('job.failed', { job_id: `fail-${evil}`, error: evil }), `msg_x${i}`), 500)
    const unknown = JSON.stringify({ type: evil, timestamp: evil, data: { job_id: evil } })
    t.equal(await deliver(app, unknown, `msg_u${i}`), 200)
  }
  const pages = [
    await app.inject({ url: '/_webhooks/inbox', headers: auth }),
    await app.inject({ url: '/_webhooks/inbox?type=' + encodeURIComponent(XSS[1]!), headers: auth }),
    ...await Promise.all(XSS.map((_, i) => app.inject({ url: `/_webhooks/inbox/pulse%3Amsg_x${i}`, headers: auth }))),
    ...await Promise.all(XSS.map((_, i) => app.inject({ url: `/_webhooks/inbox/pulse%3Amsg_u${i}`, headers: auth })))
  ]
  for (const page of pages) {
    t.equal(page.statusCode, 200)
    t.notMatch(page.body, /<script|<img|<svg|<iframe/i, 'no markup from a payload')
    // Quoted attribute values hold text only (their quotes are escaped inside): outside them, no handler attribute.
    const tags = page.body.replace(/="[^"]*"/g, '=""')
    t.notMatch(tags, /<[a-z]+[^>]*\son\w+=/i, 'no event handler attribute anywhere')
  }
  t.match(pages[2]!.body, /&lt;script&gt;window.__xss = 1&lt;\/script&gt;/, 'the text itself is there, escaped')
  t.match(pages[0]!.body, /&quot;&gt;&lt;img src=x onerror=&quot;/)
})

t.test('actions: CSRF, replay of one event (once, against the sender\'s retry), of a selection, purge', async t => {
  const { app, ran, failing } = await dashboardApp(pool, {}, 'act_inbox')
  t.teardown(() => app.close())
  for (let i = 0; i < 4; i++) {
    t.equal(await deliver(app, pulseBody('job.failed', { job_id: `fail-${i}` }), `msg_f${i}`), 500)
  }
  const page = await app.inject({ url: '/_webhooks/inbox/pulse%3Amsg_f0', headers: auth })
  const { token, cookie } = csrfOf(page.headers['set-cookie'])
  t.match(page.body, new RegExp(`name="csrf" value="${token}"`), 'the form repeats the cookie\'s token')
  const post = async (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    await app.inject({
      method: 'POST',
      url: `/_webhooks${url}`,
      payload: form(fields),
      headers: { ...auth, 'content-type': FORM, ...headers }
    })

  failing.on = false
  for (const [fields, headers, why] of [
    [{ status: 'failed' }, { cookie }, 'no CSRF token in the form'],
    [{ status: 'failed', csrf: token }, {}, 'no CSRF cookie'],
    [{ status: 'failed', csrf: token.replace(/^./, c => c === 'A' ? 'B' : 'A') }, { cookie }, 'does not match'],
    [{ status: 'failed', csrf: 'short' }, { cookie }, 'no CSRF token in the form'],
    [{ status: 'failed', csrf: token }, { cookie, 'sec-fetch-site': 'cross-site' }, 'sent from another site'],
    [{ status: 'failed', csrf: token }, { cookie, origin: 'https://evil.example' }, 'sent from another origin'],
    [{ status: 'failed', csrf: token }, { cookie, origin: 'null' }, 'sent from an opaque origin']
  ] as const) {
    const res = await post('/inbox/pulse%3Amsg_f0/replay', fields, headers)
    t.equal(res.statusCode, 403, why)
    t.match(res.body, /WEBHOOK_DASHBOARD_CSRF/)
    t.match(res.body, why.replace("'", '&#39;'))
  }
  t.same(ran, [], 'nothing ran for a refused action')
  const bare = await app.inject({
    method: 'POST', url: '/_webhooks/purge', headers: { ...auth, cookie: `x; fastify_webhooks_csrf; ${cookie}` }
  })
  t.equal(bare.statusCode, 403, 'a POST with no form at all')
  const json = await app.inject({
    method: 'POST',
    url: '/_webhooks/purge',
    payload: '{}',
    headers: { ...auth, 'content-type': 'application/json', cookie }
  })
  t.equal(json.statusCode, 415, 'a form, not JSON')
  t.equal((await post('/inbox/pulse%3Amsg_f0/replay', { status: 'gone', csrf: token }, { cookie })).statusCode, 400)

  const same = { cookie, origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' }
  const replayed = await post('/inbox/pulse%3Amsg_f0/replay', { status: 'failed', csrf: token }, same)
  t.equal(replayed.statusCode, 303)
  t.equal(replayed.headers.location, '/_webhooks/inbox/pulse%3Amsg_f0?notice=handled')
  t.same(ran, ['fail-0'])
  const after = await app.inject({ url: replayed.headers.location as string, headers: auth })
  t.match(after.body, /Replayed: the handlers ran once/)
  t.match(after.body, /status-done/)
  const stale = await post('/inbox/pulse%3Amsg_f0/replay', { status: 'failed', csrf: token }, { cookie })
  t.equal(stale.headers.location, '/_webhooks/inbox/pulse%3Amsg_f0?notice=none', 'a page shown before: nothing runs')
  t.same(ran, ['fail-0'])

  // The sender's retry and a replay from the page at once: the handler runs once.
  const [retry, fromPage] = await Promise.all([
    deliver(app, pulseBody('job.failed', { job_id: 'fail-1' }), 'msg_f1'),
    post('/inbox/pulse%3Amsg_f1/replay', { status: 'failed', csrf: token }, { cookie })
  ])
  t.equal(ran.filter(id => id === 'fail-1').length, 1, `once (retry ${retry}, page ${fromPage.headers.location})`)

  failing.on = true
  const again = await post('/inbox/pulse%3Amsg_f2/replay', { status: 'failed', csrf: token }, { cookie })
  t.equal(again.headers.location, '/_webhooks/inbox/pulse%3Amsg_f2?notice=failed')
  t.match((await app.inject({ url: again.headers.location as string, headers: auth })).body, /a handler threw again/)
  failing.on = false

  const confirm = await app.inject({ url: '/_webhooks/replay?status=failed', headers: auth })
  t.match(confirm.body, /of status failed that match these filters:\s+2 events/)
  t.match(confirm.body, /<input type="hidden" name="status" value="failed">/)
  t.match((await app.inject({ url: '/_webhooks/replay', headers: auth })).body, /failed and invalid \(the default\)/)
  t.match((await app.inject({ url: '/_webhooks/replay?tenant=acme', headers: auth })).body, /filters:\s+0 events/)
  t.match((await app.inject({ url: '/_webhooks/replay?status=failed&type=job.failed&provider=pulse&since=2000-01-01T00:00:00.000Z', headers: auth })).body, /filters:\s+2 events/)
  t.equal((await app.inject({ url: '/_webhooks/replay?provider=other', headers: auth })).statusCode, 400)
  const chosen = { status: 'failed', type: 'job.failed', since: '2000-01-01T00:00', until: '2999-01-01T00:00' }
  const selection = await post('/replay', { ...chosen, csrf: token }, { cookie })
  t.equal(selection.statusCode, 200)
  t.match(selection.body, /<th>handled<\/th><td class="n">2<\/td>/)
  t.same([...ran].sort(), ['fail-0', 'fail-1', 'fail-2', 'fail-3'])
  t.match((await post('/replay', { csrf: token }, { cookie })).body, /<th>handled<\/th><td class="n">0/)

  await pool.query(
    "UPDATE act_inbox SET expires_at = now() - interval '1 day', keep_until = now() - interval '1 day' " +
    "WHERE key = 'pulse:msg_f0'"
  )
  t.match((await app.inject({ url: '/_webhooks/purge', headers: auth })).body, /idempotency\s+window: 1 row\./)
  const purged = await post('/purge', { csrf: token }, { cookie })
  t.match(purged.body, /Deleted: 1 row\./)
  t.match((await app.inject({ url: '/_webhooks/purge', headers: auth })).body, /window: 0 rows[\s\S]*disabled/)
  t.match((await post('/purge', { csrf: token }, { cookie })).body, /Deleted: 0 rows/)
})

t.test('without replay handlers the inbox is read-only; a store that fails shows no detail', async t => {
  const store = new PostgresStore({ pool, inbox: true, table: 'never_migrated' })
  const app = Fastify({ logger: false })
  await app.register(dashboard, { prefix: '/_w', insecureNoAuthorization: true, store, title: 'Ops' })
  t.teardown(() => app.close())
  const res = await app.inject({ url: '/_w/inbox' })
  t.equal(res.statusCode, 500)
  t.match(res.body, /The dashboard failed; the cause is in the server log/)
  t.notMatch(res.body, /never_migrated/, 'no SQL error text')
  t.equal((await app.inject({ url: '/_w/replay' })).statusCode, 404)
  await store.migrate()
  const page = await app.inject({ url: '/_w/inbox' })
  t.notMatch(page.body, /Replay these/)
  t.match(page.body, /<title>Inbox · Ops<\/title>/)
})

t.test('the live counts subscribe only while a page listens', async t => {
  const { app } = await dashboardApp(pool, {}, 'live_inbox')
  t.equal(listening(), false, 'nobody looks: no subscriber')
  t.equal(await deliver(app, pulseBody('job.completed', { job_id: 'unseen' }), 'msg_unseen'), 200)
  const page = await app.inject({ url: '/_webhooks/live', headers: auth })
  t.match(page.body, /No delivery since this page started\s+listening/)
  t.equal(listening(), true, 'a page shown: listening')
  t.equal(await deliver(app, pulseBody('job.completed', { job_id: 'seen' }), 'msg_seen'), 200)
  t.equal(await deliver(app, pulseBody('job.completed', { job_id: 'seen' }), 'msg_seen'), 200)
  t.equal(await deliver(app, pulseBody('job.failed', { job_id: 'fail-live' }), 'msg_fail_live'), 500)
  const unsigned = { method: 'POST', url: '/webhooks/pulse', payload: '{}' } as const
  await app.inject({ ...unsigned, headers: { 'content-type': 'application/json' } })
  const counted = await app.inject({ url: '/_webhooks/live', headers: auth })
  t.match(counted.body, /<td>pulse<\/td><td><\/td><td class="n">1<\/td><td class="n">1<\/td><td class="n">0<\/td><td class="n">0<\/td><td class="n">1<\/td><td class="n">1<\/td>/)

  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const stream = await fetch(`${url}/_webhooks/live/stream`, { headers: auth })
  t.match(stream.headers.get('content-type'), /text\/event-stream/)
  const reader = stream.body!.getReader()
  const { value } = await reader.read()
  t.match(Buffer.from(value!).toString(), /^data: ".*pulse/)
  await app.close()
  t.equal(listening(), false, 'closing the server ends the streams and the subscription')
  await reader.cancel()
})

t.test('LiveCounts: a stream holds the subscription, a page for its linger; old minutes fall out', async t => {
  let now = 10 * 60_000
  const live = new LiveCounts({ windowMinutes: 2, lingerSeconds: 0.001, now: () => now })
  const stop = live.watch()
  t.equal(live.listening, true)
  live.touch()
  stop()
  stop()
  t.equal(live.listening, true, 'the page still lingers')
  await until(() => !live.listening)
  t.equal(listening(), false)
  const watching = live.watch()
  const { handled, refused } = await import('../lib/observe/channels.js')
  handled.publish({ provider: 'b', id: '1', type: 'x', where: 'route', duration: 1 })
  const { duplicate } = await import('../lib/observe/channels.js')
  duplicate.publish({ provider: 'b', tenant: 't', id: '1', type: 'x', where: 'route', inFlight: true })
  duplicate.publish({ provider: 'b', id: '1', type: 'x', where: 'route', inFlight: false })
  handled.publish({ provider: 'a', tenant: 't2', id: '1', type: 'x', where: 'route', duration: 1 })
  handled.publish({ provider: 'a', tenant: 't1', id: '1', type: 'x', where: 'route', duration: 1 })
  now += 60_000
  refused.publish({ provider: 'a', outcome: 'refused', reason: 'invalid-signature', status: 401 })
  handled.publish({ provider: 'a', tenant: 't1', id: '2', type: 'x', where: 'route', duration: 1 })
  t.same(live.rows().map(row => [row.provider, row.tenant, row.counts.handled, row.counts.refused]), [
    ['a', null, 0, 1], ['a', 't1', 2, 0], ['a', 't2', 1, 0], ['b', null, 1, 0], ['b', 't', 0, 0]
  ])
  t.same(live.rows().slice(3).map(row => [row.counts.duplicate, row.counts['in flight']]), [[1, 0], [0, 1]])
  now += 60_000
  handled.publish({ provider: 'c', id: '3', type: 'x', where: 'route', duration: 1 })
  t.same(live.rows().map(row => row.provider), ['a', 'a', 'c'], 'the first minute left the window')
  const { queued } = await import('../lib/observe/channels.js')
  queued.publish({ provider: 'c', id: '4', type: 'x', queue: 'q', jobId: '1' })
  t.equal(live.rows()[2]!.counts.queued, 1)
  now += 10 * 60_000
  t.same(live.rows(), [], 'a quiet window is empty')
  watching()
  t.equal(live.listening, false)
  t.same(live.rows(), [], 'and the counts went with the subscription')
  live.touch()
  live.touch()
  live.close()
  t.equal(live.listening, false)
})

t.test('html escapes every value, lists item by item, and skips null, undefined and false', async t => {
  const name = '<b>"O\'Neil" & co</b>'
  t.equal(
    html`<p title="${name}">${name}${[html`<i>${1}</i>`, 2]}${null}${undefined}${false}${0}</p>`.toString(),
    '<p title="&lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;">&lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;' +
    '<i>1</i>20</p>'
  )
})
