import t from 'tap'
import Fastify from 'fastify'
import { createHmac } from 'node:crypto'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { providerSuite } from './helpers/provider-suite.js'
import { SW_SECRET, SW_SECRET_2 } from './helpers/sign.js'

providerSuite({
  name: 'pulse',
  plugin: pulse,
  scheme: { kind: 'standard', prefix: 'webhook' },
  secret: SW_SECRET,
  otherSecret: SW_SECRET_2,
  samples: fixtures.pulse,
  invalid: {
    payload: {
      ...fixtures.pulse['job.completed'],
      data: { job_id: 'j1', status: 'completed', pages_processed: 'many', processing_time: 1 }
    },
    path: '/data/pages_processed',
    reason: 'must be an integer'
  },
  unknown: { type: 'job.retrying', timestamp: '2024-01-15T10:30:00Z', data: { job_id: 'j1' } }
})

t.test(
  "pulse: the hex variant of the page's sample code is refused (we follow the spec, with no silent " + 'fallback)',
  async t => {
    const app = Fastify()
    let calls = 0
    await app.register(pulse, {
      secret: SW_SECRET,
      onEvent: () => {
        calls++
      }
    })
    const body = JSON.stringify(fixtures.pulse['job.completed'])
    const id = 'msg_hex'
    const timestamp = String(Math.floor(Date.now() / 1000))
    // What the page's sample computes: a hex digest, keyed by the raw secret string.
    const hex = createHmac('sha256', SW_SECRET).update(`${id}.${timestamp}.${body}`).digest('hex')
    for (const signature of [`v1,${hex}`, hex]) {
      const res = await app.inject({
        method: 'POST',
        url: '/webhooks/pulse',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': signature
        },
        payload: body
      })
      t.equal(res.statusCode, 401, signature.slice(0, 3))
    }
    t.equal(calls, 0)
  }
)
