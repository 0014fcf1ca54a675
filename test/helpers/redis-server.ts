/**
 * A real redis-server for one test file (support/redis-server.ts starts it).
 * When redis-server is not installed, Redis tests are skipped with a visible
 * message; `.ci/run` installs it and sets REQUIRE_REDIS=1, so CI never skips.
 */
import { once } from 'node:events'
import { Redis, type RedisOptions } from 'ioredis'
import { redisAvailable, startRedisServer, type RedisServer } from '../../support/redis-server.js'

export type { RedisServer }

export const SKIP_MESSAGE = 'redis-server is not installed: Redis tests skipped (bash .ci/run installs it)'

/** For `t.test(name, { skip: redisSkip() }, ...)`: false when Redis can run, else the visible reason (or a throw under REQUIRE_REDIS=1). */
export function redisSkip (): string | false {
  if (redisAvailable()) return false
  /* c8 ignore next 2: only on a machine without redis-server */
  if (process.env.REQUIRE_REDIS === '1') throw new Error('redis-server is required (REQUIRE_REDIS=1) but not installed')
  return SKIP_MESSAGE
}

/** For tests guarded by `redisSkip()`, which run only where redis-server is installed. */
export { startRedisServer as startRedis }

/** A client with the settings the README advises: commands fail at once while Redis is down, so the sender gets 500. */
export function failFastClient (redis: RedisServer, options: RedisOptions = {}): Redis {
  const client = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, ...options })
  client.on('error', () => {}) // ioredis reports every failed reconnect here; callers see their failed commands
  return client
}

export async function ready (client: Redis): Promise<void> {
  if (client.status !== 'ready') await once(client, 'ready')
}
