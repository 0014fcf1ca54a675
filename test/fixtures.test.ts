/**
 * The testing kit's promise: every fixture is valid against its schema, and a
 * fixture signed by `sign` is accepted end to end by its provider's plugin.
 */
import Fastify from 'fastify'
import t from 'tap'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { autosanaEvents } from '../schemas/autosana.js'
import { autotabEvents } from '../schemas/autotab.js'
import { cyberdeskEvents } from '../schemas/cyberdesk.js'
import { discordEvents } from '../schemas/discord.js'
import { githubEvents } from '../schemas/github.js'
import { linearEvents } from '../schemas/linear.js'
import { paddleEvents } from '../schemas/paddle.js'
import { gitlabEvents } from '../schemas/gitlab.js'
import { pulseEvents } from '../schemas/pulse.js'
import { retabEvents } from '../schemas/retab.js'
import { sendgridEvents } from '../schemas/sendgrid.js'
import { shopifyEvents } from '../schemas/shopify.js'
import { slackEvents } from '../schemas/slack.js'
import { squareEvents } from '../schemas/square.js'
import { stripeEvents } from '../schemas/stripe.js'
import { twilioEvents } from '../schemas/twilio.js'
import { twitchEvents } from '../schemas/twitch.js'
import { fixtures, sign } from '../lib/testing/kit.js'
import { providers, type ProviderName } from '../plugins/registry.js'
import { registrySecrets } from './helpers/registry-secrets.js'
import { SW_SECRET } from './helpers/sign.js'

const schemas: Record<ProviderName, Record<string, TSchema>> = {
  autotab: autotabEvents,
  autosana: autosanaEvents,
  cyberdesk: cyberdeskEvents,
  retab: retabEvents,
  pulse: pulseEvents,
  stripe: stripeEvents,
  github: githubEvents,
  slack: slackEvents,
  shopify: shopifyEvents,
  paddle: paddleEvents,
  gitlab: gitlabEvents,
  discord: discordEvents,
  sendgrid: sendgridEvents,
  twitch: twitchEvents,
  square: squareEvents,
  twilio: twilioEvents,
  linear: linearEvents
}
const { secrets, signing: signingFor } = registrySecrets()
const secretFor = (name: ProviderName) => secrets[name]
const names = Object.keys(providers) as ProviderName[]

t.test('there are fixtures for exactly the event types each provider knows', async t => {
  t.same(Object.keys(fixtures).sort(), [...names].sort())
  for (const name of names) {
    t.same(Object.keys(fixtures[name]).sort(), Object.keys(schemas[name]).sort(), name)
    t.same(
      Object.keys(providers[name].provider.events).sort(),
      Object.keys(schemas[name]).sort(),
      `${name}: the plugin uses these schemas`
    )
  }
})

t.test('every fixture is valid against the schema of its type', async t => {
  for (const name of names) {
    for (const [type, payload] of Object.entries(fixtures[name])) {
      const validator = Compile(schemas[name][type]!)
      t.ok(validator.Check(payload), `${name} ${type}`)
      t.same(validator.Errors(payload), [], `${name} ${type}: no errors`)
    }
  }
})

t.test('a schema check that could fail: a fixture with a field removed is refused', async t => {
  const { data, ...rest } = fixtures.pulse['job.completed']
  t.notOk(Compile(pulseEvents['job.completed']).Check(rest), `without data (${Object.keys(data).length} fields)`)
})

t.test('every fixture, signed by `sign`, is accepted end to end by its plugin', async t => {
  for (const name of names) {
    const app = Fastify()
    const seen: Array<{ type: string, id: string }> = []
    await app.register(providers[name] as typeof providers.pulse, {
      secret: secretFor(name),
      onEvent: event => { seen.push({ type: event.type, id: event.id }) }
    })
    const types = Object.keys(fixtures[name])
    for (const [type, payload] of Object.entries(fixtures[name])) {
      // The type too, for a provider that sends it in a header (GitHub).
      // The URL too, for a provider that signs it: the one the route sees under inject.
      const url = `http://localhost:80/webhooks/${name}`
      const delivery = sign(name, payload, { secret: signingFor(name), id: `msg_${type}`, type, url })
      const res = await app.inject({
        method: 'POST',
        url: `/webhooks/${name}`,
        headers: delivery.headers,
        payload: delivery.body
      })
      t.equal(res.statusCode, 200, `${name} ${type}`)
      t.same(res.json(), { received: true }, `${name} ${type}: handled, not a duplicate`)
    }
    t.same(seen.map(s => s.type), types, `${name}: every type reached onEvent, typed by its schema`)
    await app.close()
  }
})

t.test('`sign` accepts a plugin made by defineProvider, a string body, and a fixed id and timestamp', async t => {
  const body = JSON.stringify(fixtures.pulse['job.failed'])
  const timestamp = Math.floor(Date.now() / 1000)
  const delivery = sign(providers.pulse, body, { secret: SW_SECRET, id: 'msg_fixed', timestamp })
  t.equal(delivery.body, body, 'a string is sent as it is')
  t.match(delivery.headers, {
    'content-type': 'application/json',
    'webhook-id': 'msg_fixed',
    'webhook-timestamp': String(timestamp)
  })
  const app = Fastify()
  let id = ''
  await app.register(providers.pulse, {
    secret: SW_SECRET,
    onEvent: event => {
      id = event.id
    }
  })
  t.equal(
    (await app.inject({ method: 'POST', url: '/webhooks/pulse', headers: delivery.headers, payload: delivery.body }))
      .statusCode,
    200
  )
  t.equal(id, 'msg_fixed')
})
