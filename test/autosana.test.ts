import t from 'tap'
import Fastify from 'fastify'
import { createHash } from 'node:crypto'
import { autosana } from '../plugins/autosana.js'
import { fixtures } from '../lib/testing/kit.js'
import { providerSuite } from './helpers/provider-suite.js'
import { HEX_SECRET, HEX_SECRET_2 } from './helpers/sign.js'

const sample = fixtures.autosana['batch.completed']

providerSuite({
  name: 'autosana',
  plugin: autosana,
  scheme: { kind: 'hex', header: 'x-autosana-signature-256', prefix: 'sha256=' },
  secret: HEX_SECRET,
  otherSecret: HEX_SECRET_2,
  samples: fixtures.autosana,
  invalid: {
    payload: { ...sample, summary: { ...sample.summary, passed_groups: 'two' } },
    path: '/summary/passed_groups',
    reason: 'must be an integer'
  },
  unknown: { event: 'batch.started', timestamp: '2025-01-31T12:00:00Z' },
  // No id in the payload: the SHA-256 of the exact body is the key.
  expectedId: (_payload, body) => createHash('sha256').update(body).digest('hex')
})

t.test('autosana: a signature without the sha256= prefix is malformed', async t => {
  const app = Fastify()
  await app.register(autosana, { secret: HEX_SECRET })
  const body = JSON.stringify(sample)
  const hex = createHash('sha256').update(body).digest('hex')
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/autosana',
    headers: { 'content-type': 'application/json', 'x-autosana-signature-256': hex },
    payload: body
  })
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'WEBHOOK_MALFORMED_SIGNATURE')
})

t.test('autosana: unsigned deliveries only with allowUnsigned, and never mixed with a secret', async t => {
  const body = JSON.stringify(sample)
  await t.rejects(async () => {
    await Fastify().register(autosana, {}).ready()
  }, /option "secret" is required.*allowUnsigned/)
  await t.rejects(async () => {
    await Fastify().register(autosana, { secret: HEX_SECRET, allowUnsigned: true }).ready()
  }, /not both/)

  const open = Fastify()
  const seen: number[] = []
  await open.register(autosana, {
    allowUnsigned: true,
    on: {
      'batch.completed': e => {
        seen.push(e.payload.summary.failed_groups)
      }
    }
  })
  const res = await open.inject({
    method: 'POST',
    url: '/webhooks/autosana',
    headers: { 'content-type': 'application/json' },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(seen, [1])
})
