import t from 'tap'
import { createHash } from 'node:crypto'
import { autotab } from '../plugins/autotab.js'
import { fixtures } from '../lib/testing/kit.js'
import { buildApp, deliver, providerSuite, type ProviderCase } from './helpers/provider-suite.js'
import { HEX_SECRET, HEX_SECRET_2 } from './helpers/sign.js'

const c: ProviderCase = {
  name: 'autotab',
  plugin: autotab,
  scheme: { kind: 'hex', header: 'autotab-signature' },
  secret: HEX_SECRET,
  otherSecret: HEX_SECRET_2,
  samples: fixtures.autotab,
  invalid: {
    payload: { ...fixtures.autotab.finish, environment: 'moon' },
    path: '/environment',
    reason: 'must be "client", "cloud" or null'
  },
  unknown: { ...fixtures.autotab.finish, state: 'archived' },
  // One run session is delivered once per state: its id and state together name the event.
  expectedId: payload => `${(payload as { id: string }).id}:${(payload as { state: string }).state}`
}
providerSuite(c)

t.test('autotab: the same session in two states is two events; the same state twice is a duplicate', async t => {
  const { app, received } = await buildApp(c)
  const statuses = []
  for (const payload of [fixtures.autotab.play, fixtures.autotab.finish, fixtures.autotab.finish]) {
    statuses.push((await deliver(app, c, payload)).json())
  }
  t.same(statuses, [{ received: true }, { received: true }, { received: true, duplicate: true }])
  t.same(received.map(r => r.event.type), ['play', 'finish'])
})

t.test('autotab: uppercase hex is rejected (the provider sends lowercase)', async t => {
  const { app, received } = await buildApp(c)
  const body = JSON.stringify(fixtures.autotab.finish)
  const { createHmac } = await import('node:crypto')
  const upper = createHmac('sha256', HEX_SECRET).update(body).digest('hex').toUpperCase()
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/autotab',
    headers: { 'content-type': 'application/json', 'autotab-signature': upper },
    payload: body
  })
  t.equal(res.statusCode, 401)
  t.equal(received.length, 0)
})

t.test('autotab: a payload without a state or id is an unknown event keyed by the body hash', async t => {
  const { app, unknown } = await buildApp(c)
  const body = JSON.stringify({ hello: 'world' })
  const res = await deliver(app, c, undefined, { body })
  t.equal(res.statusCode, 200)
  t.equal((unknown[0] as { id: string, type: string }).id, createHash('sha256').update(body).digest('hex'))
  t.equal((unknown[0] as { type: string }).type, '')
})

t.test('autotab: a session without a state is an unknown event keyed by its id', async t => {
  const { app, unknown } = await buildApp(c)
  const { state: _state, ...stateless } = fixtures.autotab.finish
  t.equal((await deliver(app, c, stateless)).statusCode, 200)
  t.match(unknown[0], { id: `${fixtures.autotab.finish.id}:`, type: '' })
})
