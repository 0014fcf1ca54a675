/**
 * The README's Prometheus recipe (examples/prometheus.ts) run as a user runs it: deliveries over real
 * HTTP, then /metrics scraped, then `fastify-webhooks stats` reading the same endpoint.
 */
import Fastify from 'fastify'
import t from 'tap'
import { main } from '../bin/main.js'
import { parseExposition } from '../bin/exposition.js'
import { metricsRoute } from '../examples/prometheus.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, signWith } from './helpers/sign.js'

const completed = fixtures.pulse['job.completed']

const app = Fastify()
await app.register(metricsRoute)
await app.register(pulse, {
  secret: SW_SECRET,
  on: { 'job.completed': async event => { if (event.payload.data.job_id === 'job_boom') throw new Error('boom') } }
})
const base = await app.listen({ port: 0, host: '127.0.0.1' })
t.teardown(() => app.close())

async function post (
  payload: unknown,
  options: { id?: string; secret?: string; timestamp?: number } = {}
): Promise<number> {
  const body = JSON.stringify(payload)
  const signed = signWith({ kind: 'standard', prefix: 'webhook' }, body, {
    secret: options.secret ?? SW_SECRET,
    ...options
  })
  const res = await fetch(`${base}/webhooks/pulse`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed },
    body
  })
  await res.arrayBuffer()
  return res.status
}

t.test('the recipe counts each outcome, and stats prints them', async t => {
  t.equal(await post(completed, { id: 'msg_1' }), 200)
  t.equal(await post(completed, { id: 'msg_2' }), 200)
  t.equal(await post(completed, { id: 'msg_1' }), 200) // duplicate
  t.equal(await post({ ...completed, data: { ...completed.data, job_id: 'job_boom' } }, { id: 'msg_3' }), 500)
  t.equal(
    await post(completed, { secret: 'whsec_' + Buffer.from('not the secret, 32 bytes long...').toString('base64') }),
    401
  )
  t.equal(await post(completed, { timestamp: Math.floor(Date.now() / 1000) - 3600 }), 401)
  t.equal(await post({ ...completed, data: { ...completed.data, pages_processed: 'many' } }), 400)

  const res = await fetch(`${base}/metrics`)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const samples = parseExposition(await res.text())
  const counts = Object.fromEntries(samples.filter(s => s.name === 'webhook_deliveries_total')
    .map(s => [[s.labels.outcome, s.labels.reason].filter(Boolean).join('/'), s.value]))
  t.same(counts, {
    accepted: 2,
    duplicate: 1,
    failed: 1,
    'refused/invalid-signature': 1,
    'refused/timestamp-outside-tolerance': 1,
    'invalid/invalid-payload': 1
  })
  const handled = samples.find(s => s.name === 'webhook_handler_duration_seconds_count')
  t.equal(handled?.value, 3, 'two handled and one failed handler run timed')

  const out: string[] = []
  const err: string[] = []
  const code = await main(['stats', '--url', `${base}/metrics`], {
    out: s => out.push(s),
    err: s => err.push(s),
    env: {}
  })
  t.equal(code, 0, err.join('\n'))
  const [header, row, ...more] = out.join('\n').split('\n')
  t.match(
    header,
    /^provider\s+accepted\s+duplicates\s+in flight\s+refused\s+invalid\s+failed\s+handler p50 ms\s+handler p99 ms$/
  )
  const cells = (row ?? '').split(/ {2,}/)
  t.same(cells.slice(0, 7), [
    'pulse',
    '2',
    '1',
    '0',
    '2 (invalid-signature 1, timestamp-outside-tolerance 1)',
    '1 (invalid-payload 1)',
    '1'
  ])
  t.match(cells[7], /^\d+\.\d$/, 'p50 in ms')
  t.match(cells[8], /^\d+\.\d$/, 'p99 in ms')
  t.same(more, [], 'one provider, one row')
})
