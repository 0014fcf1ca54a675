// The README's custom provider (examples/timestamped-provider.ts, checked word for word by docs.test.ts), run.
import { createHmac } from 'node:crypto'
import Fastify from 'fastify'
import t from 'tap'
import { acme } from '../examples/timestamped-provider.js'

const SECRET = 'acme-secret'
const body = JSON.stringify({ type: 'order.paid', id: 'ord_1' })

function delivery (timestamp: number, secret = SECRET) {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')
  return {
    method: 'POST' as const,
    url: '/webhooks/acme',
    headers: {
      'content-type': 'application/json',
      'acme-signature': `v1=${signature}`,
      'acme-timestamp': `${timestamp}`
    },
    payload: body
  }
}

t.test('a delivery signed as the sender documents it is handled; forged, stale or replayed ones are not', async t => {
  const app = Fastify()
  const paid: string[] = []
  await app.register(acme, { secret: SECRET, on: { 'order.paid': async event => { paid.push(event.payload.id) } } })
  t.teardown(() => app.close())
  const now = Math.floor(Date.now() / 1000)
  t.equal((await app.inject(delivery(now))).statusCode, 200)
  t.same((await app.inject(delivery(now))).json(), { received: true, duplicate: true })
  t.equal((await app.inject(delivery(now, 'wrong'))).statusCode, 401)
  t.equal((await app.inject(delivery(now - 3600))).json().code, 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE')
  t.same(paid, ['ord_1'])
})
