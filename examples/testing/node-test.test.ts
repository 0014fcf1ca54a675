/** The testing kit with node:test. In your project: `node --test` (with a TypeScript loader for .ts files). */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { generateStandardSecret } from '../../plugins/index.js'
import { deliver, fixture, receive, sign } from '../../lib/testing/kit.js'
import { buildApp, jobs, on } from './app.js'

const secret = generateStandardSecret()
const app = await buildApp(secret)
after(() => app.close())

test('a completed job is recorded', async () => {
  const payload = fixture('pulse', 'job.completed', { data: { job_id: 'job_1', pages_processed: 3 } })
  const res = await deliver(app, 'pulse', payload, { secret })
  assert.equal(res.statusCode, 200)
  assert.equal(jobs.get('job_1'), 'done: 3 pages')
})

test('a delivery signed with another secret is refused', async () => {
  const { headers, body } = sign('pulse', fixture('pulse', 'job.completed'), { secret: generateStandardSecret() })
  const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })
  assert.equal(res.statusCode, 401)
  assert.equal(res.json().code, 'WEBHOOK_INVALID_SIGNATURE')
})

test('the failed-job handler, with no HTTP', async () => {
  await receive(
    { on },
    {
      provider: 'pulse',
      type: 'job.failed',
      payload: fixture('pulse', 'job.failed', { data: { job_id: 'job_2', error: 'Invalid PDF' } })
    }
  )
  assert.equal(jobs.get('job_2'), 'failed: Invalid PDF')
})
