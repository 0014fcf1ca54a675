/**
 * `fastify-webhooks inbox list|show|replay|purge` against a real Postgres inbox filled by real signed deliveries,
 * through `main` in this process (the bin's own wiring is test/cli.test.ts's).
 */
import { resolve } from 'node:path'
import t from 'tap'
import { main } from '../bin/main.js'
import { bar } from '../bin/inbox.js'
import { ran as ranIds } from './helpers/replay-handlers.js'
import { dashboardApp, deliver, pulseBody } from './helpers/dashboard.js'
import { connect, startPostgres } from './helpers/postgres.js'

const server = await startPostgres()
const pool = connect(server)
const { app } = await dashboardApp(pool)
t.teardown(async () => { await app.close(); await pool.end(); await server.close() })
for (let i = 0; i < 3; i++) await deliver(app, pulseBody('job.completed', { job_id: `ok-${i}` }), `msg_ok_${i}`)
await deliver(app, pulseBody('job.failed', { job_id: 'fail-1' }), 'msg_fail_1')
await deliver(app, pulseBody('job.failed', { job_id: `fail-broken-${'and-long-'.repeat(8)}` }), 'msg_fail_2')

const url = server.connectionString
const HANDLERS = 'test/helpers/replay-handlers.ts'

async function run (...args: string[]): Promise<{ code: number, out: string, err: string, bars: string[] }> {
  const out: string[] = []
  const err: string[] = []
  const bars: string[] = []
  const code = await main(args, {
    out: text => { out.push(text) },
    err: text => { err.push(text) },
    progress: text => { bars.push(text) },
    env: { DATABASE_URL: url }
  })
  return { code, out: out.join('\n'), err: err.join('\n'), bars }
}

t.test('list: a table, filters, pages, JSON', async t => {
  const all = await run('inbox', 'list', '--database-url', url)
  t.equal(all.code, 0)
  t.match(all.out, /^received\s+provider\s+tenant\s+type\s+key\s+status\s+attempts\s+last error/)
  t.equal(all.out.split('\n').length, 6, 'a header and five events')
  t.match(all.out, /pulse:msg_fail_1\s+failed\s+1\s+job fail-1 broke/)
  t.match(all.out, /job fail-broken-and-long-[a-z-]+…\n/, 'a long error cut')
  const page = await run('inbox', 'list', '--limit', '2')
  t.equal(page.out.split('\n').length, 3)
  const after = /--after (\S+)/.exec(page.err)![1]!
  const next = await run('inbox', 'list', '--limit', '2', '--after', after, '--json')
  const parsed = JSON.parse(next.out) as { events: Array<{ key: string }>, next: string }
  t.equal(parsed.events.length, 2)
  t.notOk(page.out.includes(parsed.events[0]!.key), 'the next page starts after the first')
  t.type(parsed.next, 'string')
  t.match((await run('inbox', 'list', '--status', 'failed', '--json')).out, /"status":"failed"/)
  const none = await run('inbox', 'list', '--provider', 'other')
  t.equal(none.out, '')
  t.equal(none.err, 'no kept event matches')
  t.match(await run('inbox', 'list', '--after', 'nope'), { code: 2, err: /--after is not a cursor/ })
  t.match(await run('inbox', 'list', '--status', 'gone'), { code: 2, err: /--status must be one of/ })
  t.match(await run('inbox', 'list', '--limit', '0'), { code: 2, err: /--limit must be a whole number/ })
  t.match(await run('inbox', 'list', '--table', 'Bad'), { code: 2, err: /option "table" must be a lower-case/ })
})

t.test('show: one event, its why line and payload; JSON; a missing key', async t => {
  const shown = await run('inbox', 'show', 'pulse:msg_fail_1')
  t.equal(shown.code, 0)
  t.match(shown.out, /status {6}failed/)
  t.match(shown.out, /meta\.timestamp/)
  t.match(shown.out, /A handler threw/)
  t.match(shown.out, /"job_id": "fail-1"/)
  t.match(JSON.parse((await run('inbox', 'show', 'pulse:msg_ok_0', '--json')).out), { status: 'done', tenant: null })
  t.match((await run('inbox', 'show', 'pulse:msg_ok_0')).out, /last error {2}\n/)
  t.match(await run('inbox', 'show', 'pulse:none'), { code: 1, err: 'no kept event has the key "pulse:none"' })
  t.match(await run('inbox', 'show'), { code: 2, err: /takes one event key/ })
})

t.test('replay: says what it would do, then with --yes runs the handlers once each, with a bar', async t => {
  t.match(await run('inbox', 'replay'), { code: 2, err: /needs --handlers <module>/ })
  t.match(await run('inbox', 'replay', '--handlers', './nowhere.js'), { code: 2, err: /cannot load handlers module/ })
  t.match(await run('inbox', 'replay', '--handlers', 'test/helpers/sign.ts'), { code: 2, err: /has no default export/ })
  t.match(
    await run('inbox', 'replay', '--handlers', HANDLERS, '--provider', 'other', '--yes'),
    { code: 2, err: /"other", which is not one of "providers"/ }
  )
  const window = ['--since', '2000-01-01T00:00', '--until', '2999-01-01T00:00']
  const dry = await run('inbox', 'replay', '--handlers', HANDLERS, '--type', 'job.failed', ...window)
  t.match(dry, { code: 0, out: '', err: '2 kept event(s) of status failed, invalid match: add --yes to replay them' })
  t.same(ranIds, [])
  const done = await run('inbox', 'replay', '--handlers', resolve(HANDLERS), '--yes')
  t.equal(done.code, 1, 'one event failed again')
  t.same(ranIds, ['fail-1'])
  t.equal(done.bars.length, 2)
  t.match(done.bars[1], /^\[#{30}\] 2\/2 handled 1, failed 1/)
  t.match(done.out, /2\/2 handled 1, failed 1, invalid 0, skipped 0/)
  const lines: string[] = []
  const plain = { out: () => {}, err: (text: string) => { lines.push(text) }, env: { DATABASE_URL: url } }
  t.equal(await main(['inbox', 'replay', '--handlers', HANDLERS, '--status', 'failed', '--yes'], plain), 1)
  t.match(lines, [/^\[#{30}\] 1\/1 handled 0, failed 1/], 'without a redrawn line, a line per event')
  const json = await run('inbox', 'replay', '--handlers', HANDLERS, '--tenant', 'acme', '--yes', '--json')
  t.same(JSON.parse(json.out), { handled: 0, failed: 0, invalid: 0, skipped: 0 })
  t.equal(json.code, 0)
  t.equal(bar(0, 0, { handled: 0, failed: 0, invalid: 0, skipped: 0 }).slice(0, 32), `[${'#'.repeat(30)}]`)
})

t.test('purge: says how many, deletes with --yes', async t => {
  await pool.query("UPDATE fastify_webhooks_idempotency SET expires_at = now() - interval '1 day', " +
    "keep_until = now() - interval '1 day' WHERE key = 'pulse:msg_ok_0'")
  t.match(await run('inbox', 'purge'), { code: 0, err: '1 row(s) are past their retention: add --yes to delete them' })
  t.match(await run('inbox', 'purge', '--yes'), { code: 0, out: 'deleted 1 row(s)' })
  t.match(await run('inbox', 'purge', '--yes', '--json'), { code: 0, out: '{"deleted":0}' })
})

t.test('mistakes are usage errors', async t => {
  t.match(await run('inbox'), { code: 2, err: /inbox needs a subcommand \(list, show, replay, purge\), not ""/ })
  t.match(await run('inbox', 'drop'), { code: 2, err: /not "drop"/ })
  t.match(await run('inbox', 'list', 'extra'), { code: 2, err: /inbox list takes no argument, not "extra"/ })
  const out: string[] = []
  const code = await main(['inbox', 'list'], { out: () => {}, err: text => { out.push(text) }, env: {} })
  t.equal(code, 2)
  t.match(out.join(''), /--database-url is required \(or set DATABASE_URL\)/)
  t.match(await run('inbox', '--help'), { code: 0, out: /inbox list\|show <key>\|replay\|purge/ })
})
