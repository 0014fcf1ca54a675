/**
 * The dashboard in a real headless Chromium (support/chromium.ts, one launch for the file) against a real Postgres
 * with real signed deliveries over real HTTP: the list, its filters and pages, an event's page, replay from the page
 * (the handler runs once, the row turns done), the same without JavaScript, a CSRF attempt from another origin, the
 * authorization refusal, hostile payloads that must not run, and the live page's stream and subscriptions.
 * With UPDATE_SCREENSHOTS=1 it writes the screenshots in docs/.
 */
import t from 'tap'
import { hasSubscribers } from 'node:diagnostics_channel'
import { mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Page } from 'playwright-core'
import { CHANNELS } from '../lib/observe/channels.js'
import { launchChromium } from '../support/chromium.js'
import { AUTH, XSS, dashboardApp, deliver, pulseBody } from './helpers/dashboard.js'
import { connect, startPostgres } from './helpers/postgres.js'

const SHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? fileURLToPath(new URL('../docs/', import.meta.url))
  : join(tmpdir(), 'fw-dashboard-shots')
mkdirSync(SHOTS, { recursive: true })

const [server, browser] = await Promise.all([startPostgres(), launchChromium()])
const pool = connect(server, { max: 10 })
const { app, ran, failing } = await dashboardApp(pool, { pageSize: 5, liveLinger: 1 })
t.teardown(async () => {
  await browser.close()
  await app.close()
  await pool.end()
  await server.close()
})

// The hostile ones first: the newest page, in the screenshots, shows the ordinary ones.
for (const [i, evil] of XSS.entries()) {
  await deliver(app, pulseBody('job.failed', { job_id: `fail-x${i}`, error: evil }), `msg_x${i}`)
  await deliver(app, JSON.stringify({ type: evil, timestamp: evil, data: { job_id: evil } }), `msg_u${i}`)
}
for (let i = 0; i < 8; i++) {
  const type = i % 3 === 0 ? 'job.created' : 'job.completed'
  await deliver(app, pulseBody(type, { job_id: `job-${i}` }), `msg_ok_${i}`)
}
for (let i = 0; i < 3; i++) await deliver(app, pulseBody('job.failed', { job_id: `fail-${i}` }), `msg_fail_${i}`)
await deliver(app, JSON.stringify({ type: 'job.completed', timestamp: 'x', data: { job_id: 'bad' } }), 'msg_bad')
const base = `${await app.listen({ port: 0, host: '127.0.0.1' })}/_webhooks`

const context = await browser.newContext({
  extraHTTPHeaders: { authorization: AUTH }, viewport: { width: 1200, height: 800 }
})
// Each step waits for what it needs however long the machine takes; this only bounds a hang.
context.setDefaultTimeout(120_000)
const dialogs: string[] = []
context.on('page', page => {
  page.on('dialog', async dialog => { dialogs.push(dialog.message()); await dialog.dismiss() })
})

const keysOn = async (page: Page): Promise<string[]> =>
  await page.locator('tr[data-key]').evaluateAll(rows => rows.map(row => row.getAttribute('data-key')!))

t.test('the list, its filters and its keyset pages', async t => {
  const page = await context.newPage()
  await page.goto(`${base}/inbox`)
  await page.screenshot({ path: join(SHOTS, 'dashboard-inbox.png'), fullPage: true })
  const seen: string[] = []
  for (;;) {
    seen.push(...await keysOn(page))
    const older = page.locator('a[rel=next]')
    if (await older.count() === 0) break
    await older.click()
  }
  t.equal(seen.length, 22, 'every kept event')
  t.equal(new Set(seen).size, 22, 'none twice')

  await page.goto(`${base}/inbox`)
  await page.selectOption('select[name=status]', 'failed')
  await page.fill('input[name=type]', 'job.failed')
  await page.click('button[type=submit]')
  t.match(page.url(), /status=failed&provider=&type=job.failed/)
  const failedKeys = await keysOn(page)
  t.equal(failedKeys.length, 5, 'a page of failed events')
  t.same(await page.locator('tbody .status').allTextContents(), Array(5).fill('failed'))
  await page.click('a[rel=next]')
  t.equal((await keysOn(page)).length, 3, 'the rest on the next page, filters kept')
  await page.click('text=← Newest')
  t.same(await keysOn(page), failedKeys)
  await page.close()
})

t.test('an event page, and replay from it: the handler runs once and the row turns done', async t => {
  const page = await context.newPage()
  await page.goto(`${base}/inbox?status=failed`)
  await page.click('a:text-is("msg_fail_0")')
  t.match(await page.locator('.why').textContent(), /A handler threw \(500, WEBHOOK_HANDLER_FAILED/)
  t.match(await page.locator('pre').textContent(), /"job_id": "fail-0"/)
  await page.screenshot({ path: join(SHOTS, 'dashboard-event.png'), fullPage: true })
  const stale = await context.newPage()
  await stale.goto(page.url())
  failing.on = false
  await page.click('button:text-is("Replay")')
  t.match(await page.locator('[role=status]').textContent(), /Replayed: the handlers ran once/)
  t.equal(await page.locator('.why .status').textContent(), 'done')
  t.same(ran.filter(id => id === 'fail-0'), ['fail-0'], 'once')
  await stale.click('button:text-is("Replay")')
  t.match(await stale.locator('[role=status]').textContent(), /Not replayed: its status changed/, 'a tab shown before')
  await stale.close()
  t.same(ran.filter(id => id === 'fail-0'), ['fail-0'], 'still once')
  await page.close()
})

t.test('without JavaScript: filters, pages and replay work as plain forms and links', async t => {
  const plain = await browser.newContext({ extraHTTPHeaders: { authorization: AUTH }, javaScriptEnabled: false })
  t.teardown(() => plain.close())
  const page = await plain.newPage()
  await page.goto(`${base}/inbox`)
  await page.selectOption('select[name=status]', 'failed')
  await page.click('button[type=submit]')
  await page.click('a:text-is("msg_fail_1")')
  await page.click('button:text-is("Replay")')
  t.equal(await page.locator('.why .status').textContent(), 'done')
  t.same(ran.filter(id => id === 'fail-1'), ['fail-1'])
  await page.goto(`${base}/replay?status=failed&type=job.failed&provider=pulse`)
  t.match(await page.locator('main p').first().textContent(), /6 events/)
  await page.screenshot({ path: join(SHOTS, 'dashboard-replay.png') })
})

t.test('a form on another origin cannot act: CSRF refused, nothing runs', async t => {
  const evil = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end(`<form method="post" action="${base}/inbox/pulse%3Amsg_fail_2/replay">
<input name="status" value="failed"><input name="csrf" value="guessed"></form>
<script>document.forms[0].submit()</script>`)
  })
  await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => evil.close(resolve)))
  const page = await context.newPage()
  // The dashboard's cookie is in the browser already: the attack has it sent if it can.
  await page.goto(`${base}/inbox`)
  const answered = page.waitForResponse(res => res.url().endsWith('/replay'))
  await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`)
  const res = await answered
  t.equal(res.status(), 403)
  await page.waitForLoadState()
  t.match(await page.textContent('main'), /WEBHOOK_DASHBOARD_CSRF/)
  t.same(ran.filter(id => id === 'fail-2'), [], 'the handler did not run')
  await page.close()
})

t.test('without authorization: 403, and no page behind it', async t => {
  const stranger = await browser.newContext()
  t.teardown(() => stranger.close())
  const page = await stranger.newPage()
  const res = await page.goto(`${base}/inbox`)
  t.equal(res?.status(), 403)
  t.match(await page.textContent('main'), /WEBHOOK_DASHBOARD_FORBIDDEN/)
  t.equal(await page.locator('table').count(), 0)
})

t.test('hostile payloads are shown as text and nothing in them runs', async t => {
  const page = await context.newPage()
  const urls = [
    `${base}/inbox`,
    `${base}/inbox?page=2`,
    ...XSS.flatMap((_, i) => [`${base}/inbox/pulse%3Amsg_x${i}`, `${base}/inbox/pulse%3Amsg_u${i}`])
  ]
  for (const url of urls) {
    await page.goto(url)
    t.equal(await page.evaluate(() => (window as { __xss?: unknown }).__xss), undefined, url)
    const injected = page.locator('img, svg, iframe, script, [onerror], [onload]')
    t.equal(await injected.count(), 0, `no injected element: ${url}`)
    t.equal(page.frames().length, 1, 'no frame')
  }
  await page.goto(`${base}/inbox/pulse%3Amsg_u0`)
  t.match(await page.locator('pre').textContent(), '"type": "<script>window.__xss = 1</script>"', 'the text, as text')
  t.same(dialogs, [], 'no dialog opened')
  await page.close()
})

t.test('the live page: a stream while it is open, no subscriber once it is closed', async t => {
  const page = await context.newPage()
  await page.goto(`${base}/live`)
  await page.waitForSelector('body[data-streaming=true]')
  t.equal(hasSubscribers(CHANNELS.handled), true)
  await deliver(app, pulseBody('job.completed', { job_id: 'live-1' }), 'msg_live_1')
  await page.waitForFunction(() => document.querySelector('tbody td')?.textContent === 'pulse')
  t.match(await page.locator('tbody tr').first().textContent(), /pulse/)
  await page.screenshot({ path: join(SHOTS, 'dashboard-live.png') })
  await page.close()
  while (hasSubscribers(CHANNELS.handled)) await new Promise(resolve => setTimeout(resolve, 50))
  t.pass('unsubscribed once the page closed and its linger passed')
})
