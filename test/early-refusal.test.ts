/**
 * What the headers alone condemn is refused before the body is read, over a real socket: the answer comes
 * while most of a 60 MB body was never sent, the server closes the connection, the body's bytes are not read,
 * no handler runs, and the answer and the log line are the ones a fully read body gets.
 */
import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { bufferedBytes } from '../lib/fastify/body-guard.js'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { fixtures } from '../lib/testing/kit.js'
import { HEX_SECRET, SW_SECRET, signWith } from './helpers/sign.js'
import { rawPost } from '../support/raw-http.js'

const SIXTY_MB = 60 * 1024 * 1024
const pulseBody = JSON.stringify(fixtures.pulse['job.completed'])
const now = () => Math.floor(Date.now() / 1000)

async function server (t: Test) {
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({
    bodyLimit: 100 * 1024 * 1024,
    logger: {
      level: 'warn',
      stream: {
        write: (line: string) => {
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  let handled = 0
  await app.register(pulse, {
    secret: SW_SECRET,
    bodyLimit: 100 * 1024 * 1024,
    on: {
      'job.completed': () => {
        handled++
      }
    }
  })
  await app.register(retab, {
    secret: HEX_SECRET,
    on: {
      'extraction.completed': () => {
        handled++
      }
    }
  })
  const sockets: Socket[] = []
  app.server.on('connection', (socket: Socket) => sockets.push(socket))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port
  return { app, port, lines, sockets, handled: () => handled }
}

const cases: Array<{ name: string; path: string; headers: Record<string, string>; code: string; reason: string }> = [
  {
    name: 'no signature headers',
    path: '/webhooks/pulse',
    headers: {},
    code: 'WEBHOOK_MISSING_SIGNATURE',
    reason: 'missing-signature'
  },
  {
    name: 'a timestamp that is not seconds',
    path: '/webhooks/pulse',
    headers: {
      ...signWith({ kind: 'standard', prefix: 'webhook' }, pulseBody, { secret: SW_SECRET }),
      'webhook-timestamp': 'yesterday'
    },
    code: 'WEBHOOK_MALFORMED_SIGNATURE',
    reason: 'malformed-signature'
  },
  {
    name: 'a stale timestamp',
    path: '/webhooks/pulse',
    headers: signWith({ kind: 'standard', prefix: 'webhook' }, pulseBody, {
      secret: SW_SECRET,
      timestamp: now() - 3600
    }),
    code: 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE',
    reason: 'timestamp-outside-tolerance'
  },
  {
    name: 'a future timestamp',
    path: '/webhooks/pulse',
    headers: signWith({ kind: 'standard', prefix: 'webhook' }, pulseBody, {
      secret: SW_SECRET,
      timestamp: now() + 3600
    }),
    code: 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE',
    reason: 'timestamp-outside-tolerance'
  },
  {
    name: 'Retab: no signature header',
    path: '/webhooks/retab',
    headers: {},
    code: 'WEBHOOK_MISSING_SIGNATURE',
    reason: 'missing-signature'
  },
  {
    name: 'Retab: a malformed header',
    path: '/webhooks/retab',
    headers: { 'retab-signature': 'x'.repeat(5000) },
    code: 'WEBHOOK_MALFORMED_SIGNATURE',
    reason: 'malformed-signature'
  }
]

t.test('a 60 MB body whose headers fail is answered before it is sent, and the connection is closed', async t => {
  const { app, port, lines, sockets, handled } = await server(t)
  for (const c of cases) {
    lines.length = 0
    // 64 KiB of a declared 60 MB: the answer can only come from the headers.
    const request = await rawPost(
      port,
      c.path,
      { 'content-type': 'application/json', 'content-length': SIXTY_MB, ...c.headers },
      Buffer.alloc(64 * 1024, 0x20)
    )
    const answer = await request.answer
    t.equal(answer.status, 401, c.name)
    t.equal(JSON.parse(answer.body).code, c.code, c.name)
    t.equal(answer.headers.connection, 'close', `${c.name}: the server closes the connection`)
    t.ok(answer.closed, c.name)
    t.match(lines.find(l => l.msg === 'webhook rejected'), { reason: c.reason }, `${c.name}: logged as before`)
  }
  t.equal(handled(), 0, 'no handler ran')
  const read = sockets.reduce((sum, s) => sum + s.bytesRead, 0)
  t.ok(read < cases.length * 128 * 1024, `the server read ${read} bytes: headers and at most the first chunk of each`)
  t.equal(bufferedBytes(app.server)?.inUse, 0, 'nothing held')
})

t.test('bodies sent at full speed with no signature: the server reads a small share of them', async t => {
  const { app, port, sockets, handled } = await server(t)
  // What each connection had read when its answer was out.
  const readAtAnswer = new Map<Socket, number>()
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    response.once('finish', () => { readAtAnswer.set(request.socket, request.socket.bytesRead) })
  })
  const body = Buffer.alloc(SIXTY_MB, 0x20)
  const rssBefore = process.memoryUsage().rss
  const answers = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const request = await rawPost(port, '/webhooks/pulse', {
        'content-type': 'application/json',
        'content-length': body.length
      })
      // The whole body is offered; the server answers and closes before taking it.
      request.socket.write(body, () => {})
      return await request.answer
    })
  )
  for (const answer of answers) t.equal(answer.status, 401)
  await Promise.all(sockets.map(async socket => { if (!socket.destroyed) await once(socket, 'close') }))
  t.same(
    sockets.map(socket => socket.bytesRead),
    sockets.map(socket => readAtAnswer.get(socket)),
    'once its answer is out, a connection is closed without reading on'
  )
  const read = sockets.reduce((sum, s) => sum + s.bytesRead, 0)
  t.ok(read < (8 * SIXTY_MB) / 4, `of ${8 * SIXTY_MB} bytes offered, the server read ${read}`)
  t.ok(process.memoryUsage().rss - rssBefore < 8 * SIXTY_MB / 2, 'the process did not take the bodies in')
  t.equal(handled(), 0)
  t.equal(bufferedBytes(app.server)?.inUse, 0)
})

t.test(
  'a declared length over bodyLimit gets 413, and a wrong content type 415, before the body, as ' + 'before',
  async t => {
    const { port, lines } = await server(t)
    const headers = signWith({ kind: 'hex', header: 'retab-signature' }, '{}', { secret: HEX_SECRET })
    const big = await rawPost(
      port,
      '/webhooks/retab',
      { 'content-type': 'application/json', 'content-length': 65 * 1024 * 1024, ...headers },
      '{'
    )
    const tooBig = await big.answer
    t.equal(tooBig.status, 413)
    t.equal(JSON.parse(tooBig.body).code, 'FST_ERR_CTP_BODY_TOO_LARGE')
    t.equal(tooBig.headers.connection, 'close')
    // The order is Fastify's: the content type, then the length, then the signature headers.
    const unsignedBig = await rawPost(
      port,
      '/webhooks/retab',
      { 'content-type': 'application/json', 'content-length': 65 * 1024 * 1024 },
      '{'
    )
    t.equal((await unsignedBig.answer).status, 413, 'over the limit and unsigned: 413 as before')
    const text = await rawPost(
      port,
      '/webhooks/pulse',
      { 'content-type': 'text/plain', 'content-length': SIXTY_MB },
      'x'
    )
    const wrongType = await text.answer
    t.equal(wrongType.status, 415)
    t.equal(JSON.parse(wrongType.body).code, 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    t.equal(wrongType.headers.connection, 'close', 'closed rather than drained')
    t.equal(lines.filter(l => l.msg === 'webhook rejected').length, 0, 'neither reached the signature check')
  }
)

t.test('a good delivery over the same raw socket is still read and handled', async t => {
  const { port, handled } = await server(t)
  const headers = signWith({ kind: 'standard', prefix: 'webhook' }, pulseBody, { secret: SW_SECRET })
  const request = await rawPost(port, '/webhooks/pulse', {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(pulseBody),
    connection: 'close',
    ...headers
  })
  // Headers alone first, the body a moment later: the guard must wait for it, not refuse.
  await new Promise(resolve => setTimeout(resolve, 20))
  request.socket.write(pulseBody)
  const answer = await request.answer
  t.equal(answer.status, 200)
  t.same(JSON.parse(answer.body), { received: true })
  t.equal(handled(), 1)
})
