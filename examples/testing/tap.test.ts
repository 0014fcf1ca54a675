/** The testing kit with tap. In your project: `tap`. */
import t from 'tap'
import { generateStandardSecret } from '../../plugins/index.js'
import { deliver, fixture, receive, sign } from '../../lib/testing/kit.js'
import { buildApp, jobs, on } from './app.js'

const secret = generateStandardSecret()
const app = await buildApp(secret)
t.teardown(() => app.close())

t.test('a completed job is recorded', async t => {
  const payload = fixture('pulse', 'job.completed', { data: { job_id: 'job_1', pages_processed: 3 } })
  const res = await deliver(app, 'pulse', payload, { secret })
  t.equal(res.statusCode, 200)
  t.equal(jobs.get('job_1'), 'done: 3 pages')
})

t.test('a delivery signed with another secret is refused', async t => {
  const { headers, body } = sign('pulse', fixture('pulse', 'job.completed'), { secret: generateStandardSecret() })
  const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'WEBHOOK_INVALID_SIGNATURE')
})

t.test('the failed-job handler, with no HTTP', async t => {
  await receive(
    { on },
    {
      provider: 'pulse',
      type: 'job.failed',
      payload: fixture('pulse', 'job.failed', { data: { job_id: 'job_2', error: 'Invalid PDF' } })
    }
  )
  t.equal(jobs.get('job_2'), 'failed: Invalid PDF')
})
