/**
 * A signed body may be any JSON value. Whatever a provider's readers make of null, a list, a number or
 * a string, the answer is a coded 4xx, never a 500, no handler runs, and the refusal is logged once.
 */
import { createHmac } from 'node:crypto'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { defineProvider, hmacHex } from '../plugins/index.js'
import { providers } from '../plugins/registry.js'
import { sign } from '../lib/testing/kit.js'
import type { ProviderSpec } from '../lib/core/provider.js'
import { HEX_SECRET } from './helpers/sign.js'

const ODD_BODIES = ['null', '[]', '[{"type":"x"}]', '42', '"a string"', 'true']

// Readers written the careless way: they assume an object and throw on anything else.
const careless = defineProvider({
  name: 'careless',
  scheme: hmacHex({ headers: ['x-careless-signature'] }),
  events: {
    'order.paid': Type.Object(
      { type: Type.Literal('order.paid'), total: Type.Number() },
      { examples: [{ type: 'order.paid', total: 1 }] }
    )
  },
  typeOf: payload => (payload as { type: string }).type,
  idOf: payload => (payload as { id: string }).id.toString(),
  extend: payload => ({
    cents: (payload as { total: number }).total * 100,
    tag: (payload as { meta: { tag: string } }).meta.tag
  })
})

// Each provider's own secret format; the bodies are what is under test here, so the scheme signs them itself. The
// bodies are JSON: a sender that posts only forms (Twilio) answers them 415, and its own test has its odd forms.
const takesJson = ({ provider }: { provider: ProviderSpec }): boolean =>
  provider.body?.contentTypes.includes('application/json') ?? true
const cases = [
  ...Object.values(providers).filter(takesJson).map(plugin => {
    const { scheme } = plugin.provider
    const pair = scheme.generateKeyPair?.()
    const secret = pair?.publicKey ?? scheme.generateSecret()
    return { plugin, secret, signing: pair?.secretKey ?? secret }
  }),
  { plugin: careless, secret: HEX_SECRET, signing: HEX_SECRET }
]

for (const { plugin, secret, signing } of cases) {
  const { name } = plugin.provider
  t.test(`${name}: odd signed bodies get a coded 4xx`, async t => {
    const lines: Array<Record<string, unknown>> = []
    const app = Fastify({
      logger: {
        level: 'info',
        stream: {
          write: (line: string) => {
            lines.push(JSON.parse(line))
          }
        }
      }
    })
    let handled = 0
    await app.register(plugin as typeof careless, {
      secret,
      onEvent: () => {
        handled++
      },
      onUnknown: () => {
        handled++
      }
    })
    // To a sender that posts a list of events (SendGrid), a list of one object is a delivery: of an unknown type.
    const odd = !('eventsOf' in plugin.provider)
      ? ODD_BODIES
      : ODD_BODIES.filter(body => body !== '[{"type":"x"}]')
    // A sender whose signed timestamp is a body field (Linear): a body that is no object has none, and is refused
    // for it, as a delivery without its timestamp header would be.
    const code = plugin.provider.scheme.stamp === undefined
      ? /^WEBHOOK_(UNREADABLE_PAYLOAD|INVALID_PAYLOAD)$/
      : /^WEBHOOK_MISSING_SIGNATURE$/
    for (const body of odd) {
      lines.length = 0
      // The URL the route sees under inject, for the senders that sign it (Square).
      const { headers } = sign(plugin, body, { secret: signing, url: `http://localhost:80/webhooks/${name}` })
      const res = await app.inject({ method: 'POST', url: `/webhooks/${name}`, headers, payload: body })
      t.ok(res.statusCode >= 400 && res.statusCode < 500, `${body}: ${res.statusCode}`)
      t.match(res.json().code, code, body)
      const ours = lines.filter(line => line.level === 40)
      t.equal(ours.length, 1, `${body}: one warn line`)
      t.notOk(
        lines.some(line => (line.level as number) >= 50),
        `${body}: nothing logged as an error`
      )
    }
    t.equal(handled, 0)
  })
}

t.test('careless: a reader that throws is logged with its cause; a good body still works', async t => {
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({
    logger: {
      level: 'warn',
      stream: {
        write: (line: string) => {
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  const totals: number[] = []
  await app.register(careless, {
    secret: HEX_SECRET,
    on: {
      'order.paid': event => {
        totals.push(event.cents)
      }
    }
  })
  const post = (body: string) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/careless',
      headers: {
        'content-type': 'application/json',
        'x-careless-signature': createHmac('sha256', HEX_SECRET).update(body).digest('hex')
      },
      payload: body
    })
  t.equal((await post('null')).json().code, 'WEBHOOK_UNREADABLE_PAYLOAD')
  t.match(lines[0], {
    msg: 'webhook payload has no readable type or id',
    provider: 'careless',
    err: { type: 'TypeError' }
  })
  t.equal(
    (await post('{"type":"order.paid","total":2}')).json().code,
    'WEBHOOK_UNREADABLE_PAYLOAD',
    'idOf throws: no id'
  )
  t.equal(
    (await post('{"type":"order.paid","total":2,"id":"o1"}')).json().code,
    'WEBHOOK_UNREADABLE_PAYLOAD',
    'extend throws: no meta'
  )
  t.match(lines.at(-1), {
    msg: 'webhook payload has no readable type or id',
    id: 'o1',
    type: 'order.paid',
    err: { type: 'TypeError' }
  })
  t.equal((await post('{"type":"order.paid","total":2,"id":"o2","meta":{"tag":"t"}}')).statusCode, 200)
  t.same(totals, [200], 'extend ran on the valid payload')
})
