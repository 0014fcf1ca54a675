/** The testing kit with Vitest. In your project: `vitest run`. */
import { afterAll, expect, test } from 'vitest'
import { generateStandardSecret } from '../../plugins/index.js'
import { deliver, fixture, receive, sign } from '../../lib/testing/kit.js'
import { buildApp, jobs, on } from './app.js'

const secret = generateStandardSecret()
const app = await buildApp(secret)
afterAll(() => app.close())

test('a completed job is recorded', async () => {
  const payload = fixture('pulse', 'job.completed', { data: { job_id: 'job_1', pages_processed: 3 } })
  const res = await deliver(app, 'pulse', payload, { secret })
  expect(res.statusCode).toBe(200)
  expect(jobs.get('job_1')).toBe('done: 3 pages')
})

test('a delivery signed with another secret is refused', async () => {
  const { headers, body } = sign('pulse', fixture('pulse', 'job.completed'), { secret: generateStandardSecret() })
  const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })
  expect(res.statusCode).toBe(401)
  expect(res.json().code).toBe('WEBHOOK_INVALID_SIGNATURE')
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
  expect(jobs.get('job_2')).toBe('failed: Invalid PDF')
})
