import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { redisServerPath, startRedis } from './helpers/redis-server.js'

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
  t.teardown(() => redis.close())
  t.equal(await ping(redis.port), '+PONG')
  await redis.stop()
  await redis.stop()
  await t.rejects(ping(redis.port), /ECONNREFUSED/)
  await redis.start()
  t.equal(await ping(redis.port), '+PONG')
})

t.test('the launcher starts the binary REDIS_SERVER names, with no redis-server on the PATH', async t => {
  const binary = redisServerPath()
  const empty = mkdtempSync(join(tmpdir(), 'fw-empty-path-'))
  const { PATH, REDIS_SERVER } = process.env
  process.env.PATH = empty
  process.env.REDIS_SERVER = binary
  t.teardown(() => {
    process.env.PATH = PATH
    if (REDIS_SERVER === undefined) delete process.env.REDIS_SERVER
    else process.env.REDIS_SERVER = REDIS_SERVER
    rmSync(empty, { recursive: true, force: true })
  })
  const redis = await startRedis()
  t.teardown(() => redis.close())
  t.equal(await ping(redis.port), '+PONG')
})
