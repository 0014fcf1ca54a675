import t from 'tap'
import { Socket } from 'node:net'
import { SKIP_MESSAGE, startRedis } from './helpers/redis-server.js'

function ping (port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    socket.once('error', reject)
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', data => { socket.destroy(); resolve(data.toString().trim()) })
  })
}

t.test('the test helper starts, stops and restarts a real redis-server', async t => {
  const redis = await startRedis()
  if (redis === null) return t.skip(SKIP_MESSAGE)
  t.teardown(() => redis.close())
  t.equal(await ping(redis.port), '+PONG')
  await redis.stop()
  await t.rejects(ping(redis.port), /ECONNREFUSED/)
  await redis.start()
  t.equal(await ping(redis.port), '+PONG')
})
