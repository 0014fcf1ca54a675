// docs/testing.md's tap example, run as is (only the two package imports differ: docs.test.ts checks).
import Fastify from 'fastify'
import t from 'tap'
import { pulse } from '../plugins/pulse.js'
import { fixtures, sign } from '../lib/testing/kit.js'

// Any secret in the provider's format (`npx fastify-webhooks secret pulse` makes one).
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

// Your app as production builds it; usually imported from your own module.
async function build (jobsDone: string[]) {
  const app = Fastify()
  await app.register(pulse, {
    secret,
    on: {
      'job.completed': async (event) => { jobsDone.push(event.payload.data.job_id) }
    }
  })
  return app
}

t.test('a signed job.completed reaches the handler', async t => {
  const jobsDone: string[] = []
  const app = await build(jobsDone)
  t.teardown(() => app.close())

  const { headers, body } = sign('pulse', fixtures.pulse['job.completed'], { secret })
  const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })

  t.equal(res.statusCode, 200)
  t.same(jobsDone, [fixtures.pulse['job.completed'].data.job_id])
})

t.test('a retry of the same event runs the handler once', async t => {
  const jobsDone: string[] = []
  const app = await build(jobsDone)
  t.teardown(() => app.close())

  const payload = {
    ...fixtures.pulse['job.completed'],
    data: { ...fixtures.pulse['job.completed'].data, job_id: 'job_42' }
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const { headers, body } = sign('pulse', payload, { secret, id: 'msg_same_id' })
    t.equal((await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })).statusCode, 200)
  }
  t.same(jobsDone, ['job_42'])
})

t.test('a forged or replayed delivery is refused before the handler', async t => {
  const jobsDone: string[] = []
  const app = await build(jobsDone)
  t.teardown(() => app.close())

  const wrongSecret = 'whsec_' + Buffer.alloc(32, 7).toString('base64')
  const forged = sign('pulse', fixtures.pulse['job.completed'], { secret: wrongSecret })
  const stale = sign('pulse', fixtures.pulse['job.completed'], {
    secret,
    timestamp: Math.floor(Date.now() / 1000) - 3600
  })

  for (const { headers, body } of [forged, stale]) {
    const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })
    t.equal(res.statusCode, 401)
  }
  t.same(jobsDone, [])
})
