import t from 'tap'
import { Socket } from 'node:net'
import { redisSkip, startRedis } from './helpers/redis-server.js'

function ping (port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    socket.once('error', reject)
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', data => { socket.destroy(); resolve(data.toString().trim()) })
  })
}

t.test('the test helper starts, stops and restarts a real redis-server', { skip: redisSkip() }, async t => {
  const redis = await startRedis()
  t.teardown(() => redis.close())
  t.equal(await ping(redis.port), '+PONG')
  await redis.stop()
  await redis.stop()
  await t.rejects(ping(redis.port), /ECONNREFUSED/)
  await redis.start()
  t.equal(await ping(redis.port), '+PONG')
})
