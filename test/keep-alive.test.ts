/**
 * Refusals and keep-alive, over real sockets: a refusal given after the whole body was read keeps the connection
 * (the sender's next delivery reuses it); one given with the body unread closes it.
 */
import { Agent, request as httpRequest } from 'node:http'
import Fastify from 'fastify'
import t from 'tap'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const body = JSON.stringify(fixtures.pulse['job.completed'])

interface Answer { status: number, connection: string | undefined, reused: boolean, code: string | undefined }

function post (port: number, agent: Agent, headers: Record<string, string>, payload = body): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/webhooks/pulse',
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers }
    }, res => {
      let text = ''
      res.on('data', (chunk: Buffer) => { text += chunk.toString() })
      res.on('end', () => {
        resolve({
          status: res.statusCode!,
          connection: res.headers.connection,
          reused: req.reusedSocket,
          code: (JSON.parse(text) as { code?: string }).code
        })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

t.test('a 401 after the body was read keeps the connection; one before it closes', async t => {
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(async () => { agent.destroy(); await app.close() })
  const sign = (secret: string) => signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret })

  const wrong = await post(port, agent, sign(SW_SECRET_2))
  t.match(wrong, { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' })
  t.not(wrong.connection, 'close', 'not closed: HTTP/1.1 keeps it')
  const next = await post(port, agent, sign(SW_SECRET))
  t.match(next, { status: 200, reused: true }, 'the next delivery comes on the same connection')
  const notJson = signWith({ kind: 'standard', prefix: 'webhook' }, '{', { secret: SW_SECRET })
  const badJson = await post(port, agent, notJson, '{')
  t.match(badJson, { status: 400, code: 'WEBHOOK_INVALID_JSON', reused: true })
  t.not(badJson.connection, 'close')
  t.match(await post(port, agent, sign(SW_SECRET)), { status: 200, reused: true })

  const unsigned = await post(port, agent, {})
  t.match(unsigned, { status: 401, code: 'WEBHOOK_MISSING_SIGNATURE', connection: 'close' }, 'refused unread: closed')
})
