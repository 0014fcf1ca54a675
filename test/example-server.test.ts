import t from 'tap'
import { buildServer, devSecrets } from '../examples/server.js'
import { sign, fixtures } from '../lib/testing/kit.js'
import { providers, type ProviderName } from '../plugins/registry.js'

t.test('the demo server verifies a signed sample for each provider and refuses a forged one', async t => {
  const secrets = devSecrets({ PULSE_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' })
  t.equal(secrets.pulse, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'the environment wins')
  t.match(secrets.cyberdesk, /^whsec_/, 'made up in the provider\'s format')
  t.match(devSecrets({}).pulse, /^whsec_/)
  const lines: Array<{ msg: string }> = []
  const app = await buildServer(secrets, {
    level: 'info',
    stream: {
      write: (line: string) => {
        lines.push(JSON.parse(line))
      }
    }
  })
  t.equal((await app.inject('/')).json().providers.length, Object.keys(providers).length)
  const samples: Array<[ProviderName, unknown, string]> = [
    ['autotab', fixtures.autotab.finish, 'autotab run finished'],
    ['autosana', fixtures.autosana['batch.completed'], 'autosana batch completed'],
    ['cyberdesk', fixtures.cyberdesk.run_complete, 'cyberdesk run complete'],
    ['retab', fixtures.retab['extraction.completed'], 'retab extraction completed'],
    ['pulse', fixtures.pulse['job.completed'], 'pulse job completed'],
    ['pulse', fixtures.pulse['job.failed'], 'pulse job failed']
  ]
  for (const [provider, payload, message] of samples) {
    const delivery = sign(provider, JSON.stringify(payload), { secret: secrets[provider] })
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/${provider}`,
      headers: delivery.headers,
      payload: delivery.body
    })
    t.equal(res.statusCode, 200, provider)
    t.ok(lines.some(l => l.msg === message), message)
  }
  const forged = sign('autotab', fixtures.autotab.finish, { secret: 'not-the-secret' })
  t.equal(
    (await app.inject({ method: 'POST', url: '/webhooks/autotab', headers: forged.headers, payload: forged.body }))
      .statusCode,
    401
  )
})
