import t from 'tap'
import Fastify from 'fastify'
import { cyberdesk } from '../plugins/cyberdesk.js'
import { fixtures } from '../lib/testing/kit.js'
import { providerSuite } from './helpers/provider-suite.js'
import { SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const sample = fixtures.cyberdesk.run_complete

providerSuite({
  name: 'cyberdesk',
  plugin: cyberdesk,
  scheme: { kind: 'standard', prefix: 'svix' },
  secret: SW_SECRET,
  otherSecret: SW_SECRET_2,
  samples: fixtures.cyberdesk,
  invalid: {
    payload: { ...sample, run: { ...sample.run, status: 'exploded' } },
    path: '/run/status',
    reason: 'must be "scheduling", "running", "success", "cancelled", "error", "task_failed" or "running_checks"'
  },
  unknown: { event_id: 'e2', event_type: 'run_started', occurred_at: '2025-03-02T09:14:05Z', run: sample.run }
})

t.test('cyberdesk: webhook-* header names are accepted as well as svix-*', async t => {
  const app = Fastify()
  const statuses: string[] = []
  await app.register(cyberdesk, {
    secret: SW_SECRET,
    on: {
      run_complete: event => {
        statuses.push(event.payload.run.status)
      }
    }
  })
  const body = JSON.stringify(sample)
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/cyberdesk',
    headers: {
      'content-type': 'application/json',
      ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET })
    },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(statuses, ['success'])
})
