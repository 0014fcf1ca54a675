/**
 * One budget of buffered body bytes per server, shared by its webhook plugins: past it a delivery gets 503
 * with Retry-After, and once the bytes are released (answered, or the upload aborted) deliveries pass again.
 */
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { BUDGET_BODIES, RETRY_AFTER, bufferedBytes } from '../lib/fastify/body-guard.js'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { fixtures } from '../lib/testing/kit.js'
import { HEX_SECRET, SW_SECRET, signWith } from './helpers/sign.js'
import { rawPost, until } from '../support/raw-http.js'

const BODY_LIMIT = 60_000
const BUFFER_LIMIT = 80_000

/** A signed Pulse delivery of exactly `size` bytes (the job id padded). */
function pulseDelivery (size: number, id: string): { headers: Record<string, string>, body: string } {
  const sample = fixtures.pulse['job.completed']
  const empty = JSON.stringify({ ...sample, data: { ...sample.data, job_id: '' } })
  const body = JSON.stringify({ ...sample, data: { ...sample.data, job_id: 'j'.repeat(size - empty.length) } })
  return {
    headers: {
      'content-type': 'application/json',
      ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, id })
    },
    body
  }
}

/** fetch's request options for a delivery. */
function bodyOf ({ headers, body }: { headers: Record<string, string>; body: string }): {
  headers: Record<string, string>
  body: string
} {
  return { headers, body }
}

async function server (t: Test, options: Record<string, unknown> = { bufferLimit: BUFFER_LIMIT }) {
  const app = Fastify()
  let handled = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    bodyLimit: BODY_LIMIT,
    on: {
      'job.completed': () => {
        handled++
      }
    },
    ...options
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port
  return { app, port, handled: () => handled, inUse: () => bufferedBytes(app.server)!.inUse }
}

/** Opens a delivery and sends its headers only: its declared length is taken from the budget before any byte. */
async function hold (port: number, inUse: () => number, id: string) {
  const { headers, body } = pulseDelivery(BODY_LIMIT, id)
  const before = inUse()
  const request = await rawPost(port, '/webhooks/pulse', {
    ...headers,
    'content-length': body.length,
    connection: 'close'
  })
  await until(() => inUse() === before + body.length)
  return { ...request, rest: body }
}

t.test('past the budget a delivery gets 503 with Retry-After; once the held body is answered, 2xx again', async t => {
  const { port, handled, inUse } = await server(t)
  const held = await hold(port, inUse, 'msg_held')

  const { headers, body } = pulseDelivery(30_000, 'msg_second')
  const refused = await fetch(`http://127.0.0.1:${port}/webhooks/pulse`, { method: 'POST', headers, body })
  t.equal(refused.status, 503, 'the declared length does not fit in what is left')
  t.equal(refused.headers.get('retry-after'), String(RETRY_AFTER))
  t.equal((await refused.json()).code, 'WEBHOOK_BUFFER_FULL')
  t.equal(refused.headers.get('connection'), 'close')

  held.socket.write(held.rest)
  t.equal((await held.answer).status, 200, 'the held delivery completes')
  await until(() => inUse() === 0)
  const retried = await fetch(`http://127.0.0.1:${port}/webhooks/pulse`, { method: 'POST', headers, body })
  t.equal(retried.status, 200, 'the retry passes once the bytes are released')
  t.equal(handled(), 2)
})

t.test(
  'a chunked body with no declared length is counted as it arrives, and refused once it crosses the ' + 'budget',
  async t => {
    const { port, handled, inUse } = await server(t)
    const held = await hold(port, inUse, 'msg_held')
    const { headers, body } = pulseDelivery(30_000, 'msg_chunked')
    const chunked = await rawPost(
      port,
      '/webhooks/pulse',
      { ...headers, 'transfer-encoding': 'chunked' },
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
    )
    const answer = await chunked.answer
    t.equal(answer.status, 503)
    t.equal(answer.headers['retry-after'], String(RETRY_AFTER))
    t.equal(inUse(), BODY_LIMIT, 'the refused body gave its share back')
    held.socket.destroy()
    t.equal(handled(), 0)
  }
)

t.test('a chunked body that fits is counted as it arrives, verified, handled, then gives its bytes back', async t => {
  const { port, handled, inUse } = await server(t)
  const { headers, body } = pulseDelivery(30_000, 'msg_chunked_fits')
  const half = body.length >> 1
  const chunked = await rawPost(
    port,
    '/webhooks/pulse',
    // The answer is read until the connection closes: without `close`, that is Fastify's keep-alive timeout.
    { ...headers, 'transfer-encoding': 'chunked', connection: 'close' },
    `${half.toString(16)}\r\n${body.slice(0, half)}\r\n`
  )
  await until(() => inUse() === half)
  t.pass('the first chunk is held, and only it')
  chunked.socket.write(`${(body.length - half).toString(16)}\r\n${body.slice(half)}\r\n0\r\n\r\n`)
  const answer = await chunked.answer
  t.same([answer.status, JSON.parse(answer.body)], [200, { received: true }])
  t.equal(handled(), 1)
  await until(() => inUse() === 0)
  t.pass('its bytes went back to the budget')
})

t.test(
  'large bodies cannot take the share kept for small ones: a real delivery still passes a flood of large forged ' +
    'ones',
  async t => {
    // bufferLimit 400,000: an eighth (50,000) is kept for bodies of 64 KiB or less.
    const { port, handled, inUse } = await server(t, { bodyLimit: 200_000, bufferLimit: 400_000 })
    const open = async (size: number, id: string) => {
      const { headers, body } = pulseDelivery(size, id)
      const request = await rawPost(port, '/webhooks/pulse', {
        ...headers,
        'content-length': body.length,
        connection: 'close'
      })
      return { ...request, rest: body }
    }
    const first = await open(200_000, 'msg_large_1')
    await until(() => inUse() === 200_000)
    const second = await open(150_000, 'msg_large_2')
    await until(() => inUse() === 350_000)
    t.equal(
      (
        await fetch(`http://127.0.0.1:${port}/webhooks/pulse`, {
          method: 'POST',
          ...bodyOf(pulseDelivery(70_000, 'msg_large_3'))
        })
      ).status,
      503,
      'a large body finds its share full'
    )
    t.equal(
      (
        await fetch(`http://127.0.0.1:${port}/webhooks/pulse`, {
          method: 'POST',
          ...bodyOf(pulseDelivery(2_000, 'msg_small'))
        })
      ).status,
      200,
      'a small one still has room'
    )
    // A chunked body is small while it is: past 64 KiB it counts as large, and the large share is full.
    const { headers, body } = pulseDelivery(70_000, 'msg_chunked_large')
    const chunked = await rawPost(
      port,
      '/webhooks/pulse',
      { ...headers, 'transfer-encoding': 'chunked' },
      `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
    )
    t.equal((await chunked.answer).status, 503)
    for (const held of [first, second]) held.socket.destroy()
    await until(() => inUse() === 0)
    t.equal(handled(), 1)
  }
)

t.test('an aborted upload frees its share', async t => {
  const { port, inUse } = await server(t)
  const held = await hold(port, inUse, 'msg_aborted')
  held.socket.write(held.rest.slice(0, 1000))
  held.socket.destroy()
  await until(() => inUse() === 0)
  t.pass('freed')

  // A chunked one is read through the guard's own stream: the source's error ends it, and its bytes come back too.
  const { headers, body } = pulseDelivery(30_000, 'msg_aborted_chunked')
  const chunked = await rawPost(
    port,
    '/webhooks/pulse',
    { ...headers, 'transfer-encoding': 'chunked' },
    `${body.length.toString(16)}\r\n${body.slice(0, 1000)}`
  )
  await until(() => inUse() === 1000)
  chunked.socket.destroy()
  await until(() => inUse() === 0)
  t.pass('a chunked upload freed too')
})

t.test('unsigned deliveries are refused from their headers and take nothing from the budget', async t => {
  const { port, inUse } = await server(t)
  const held = await hold(port, inUse, 'msg_held')
  const unsigned = await rawPost(
    port,
    '/webhooks/pulse',
    { 'content-type': 'application/json', 'content-length': 30_000 },
    'x'
  )
  t.equal((await unsigned.answer).status, 401, 'a full budget does not hide why it is refused')
  t.equal(inUse(), BODY_LIMIT)
  held.socket.destroy()
})

t.test('the plugins of one server share one budget; its default is a multiple of the largest bodyLimit', async t => {
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET })
  t.equal(bufferedBytes(app.server)!.limit, BUDGET_BODIES * 1024 * 1024)
  // Registered in a scope of the user's own: still the same server, the same budget.
  await app.register(async scope => { await scope.register(retab, { secret: HEX_SECRET }) })
  await app.ready()
  t.equal(bufferedBytes(app.server)!.limit, BUDGET_BODIES * 64 * 1024 * 1024, 'Retab raised it')
  t.equal(bufferedBytes(Fastify().server), undefined, 'another server has none')

  const shared = Fastify()
  await shared.register(pulse, { secret: SW_SECRET, bufferLimit: 5_000_000 })
  await shared.register(retab, { secret: HEX_SECRET, bodyLimit: 1_000_000 })
  t.equal(bufferedBytes(shared.server)!.limit, 5_000_000, 'set once, kept for the other plugins')
})

t.test('bufferLimit is checked at registration', async t => {
  for (const [value, message] of [
    [0, /fastify-webhooks-pulse: option "bufferLimit" must be a positive number/],
    [1.5, /option "bufferLimit" must be an integer number of bytes/],
    [1000, /option "bufferLimit" \(1000\) is below the bodyLimit of a webhook route \(1048576\)/]
  ] as const) {
    await t.rejects(
      async () => {
        await Fastify().register(pulse, { secret: SW_SECRET, bufferLimit: value })
      },
      { message },
      String(value)
    )
  }
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET, bufferLimit: 8_000_000 })
  await t.rejects(
    async () => {
      await app.register(retab, { secret: HEX_SECRET, bodyLimit: 1_000_000, bufferLimit: 9_000_000 })
    },
    {
      message:
        'fastify-webhooks-retab: option "bufferLimit" is shared by every webhook route of the server, and ' +
        'fastify-webhooks-pulse set it to 8000000'
    }
  )
  const small = Fastify()
  await small.register(pulse, { secret: SW_SECRET, bufferLimit: 2_000_000 })
  await t.rejects(
    async () => {
      await small.register(retab, { secret: HEX_SECRET })
    },
    { message: /is below the bodyLimit of a webhook route \(67108864\)/ },
    'a later, larger bodyLimit'
  )
})
