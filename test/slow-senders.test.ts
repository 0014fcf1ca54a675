/**
 * A body or headers that trickle in (a slowloris) are ended by the timeouts the README recommends: Fastify's
 * `requestTimeout` (Node's, for the whole request) with Node's `headersTimeout` no longer than it (else Node
 * swaps the two, and a trickling body gets the longer one) answers 408 and closes; no handler sees the body,
 * and the bytes it held go back to the budget. The check interval is shortened so the test does not wait 30 s.
 */
import { connect } from 'node:net'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { bufferedBytes } from '../lib/fastify/body-guard.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, signWith } from './helpers/sign.js'
import { rawPost, until } from '../support/raw-http.js'

async function server (t: Test) {
  const app = Fastify({ requestTimeout: 300, http: { headersTimeout: 200, connectionsCheckingInterval: 50 } })
  let handled = 0
  await app.register(pulse, { secret: SW_SECRET, on: { 'job.completed': () => { handled++ } } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  return { app, port: (app.server.address() as { port: number }).port, handled: () => handled }
}

t.test('a body that trickles in is ended with 408, and its handler never sees it', async t => {
  const { app, port, handled } = await server(t)
  const body = JSON.stringify(fixtures.pulse['job.completed'])
  const headers = {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET })
  }
  const request = await rawPost(
    port,
    '/webhooks/pulse',
    { ...headers, 'content-length': body.length },
    body.slice(0, 10)
  )
  // One byte at a time, for as long as the server keeps the connection.
  let sent = 10
  const drip = setInterval(() => { if (sent < body.length - 1) request.socket.write(body[sent++]!) }, 20)
  t.teardown(() => clearInterval(drip))
  await until(() => bufferedBytes(app.server)!.inUse > 0)
  const answer = await request.answer
  clearInterval(drip)
  t.equal(answer.status, 408)
  t.ok(answer.closed, 'the connection is closed')
  t.ok(sent < body.length - 1, 'ended before the body was complete')
  t.equal(handled(), 0)
  await until(() => bufferedBytes(app.server)!.inUse === 0)
  t.pass('its bytes went back to the budget')
})

t.test('headers that trickle in are ended too', async t => {
  const { port, handled } = await server(t)
  const socket = connect(port, '127.0.0.1')
  let text = ''
  socket.on('data', (chunk: Buffer) => { text += chunk.toString() })
  // The drip may still be writing when the server closes: a reset then is the end this test waits for, not a failure.
  socket.on('error', () => {})
  socket.write('POST /webhooks/pulse HTTP/1.1\r\nhost: 127.0.0.1\r\n')
  const drip = setInterval(() => socket.write('x-pad: 1\r\n'), 20)
  t.teardown(() => clearInterval(drip))
  await new Promise(resolve => socket.once('close', resolve))
  clearInterval(drip)
  t.match(text, /^HTTP\/1\.1 408/)
  t.equal(handled(), 0)
})
