/**
 * A real redis-server for one test file (support/redis-server.ts starts it).
 * `npm test` runs scripts/ensure-redis.mjs first, which finds or installs the
 * binary, so no Redis test skips.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Redis, type RedisOptions } from 'ioredis'
import { startRedisServer, type RedisServer } from '../../support/redis-server.js'

export type { RedisServer }

export { startRedisServer as startRedis }

const ENSURE_REDIS = fileURLToPath(new URL('../../scripts/ensure-redis.mjs', import.meta.url))

/**
 * Runs scripts/ensure-redis.mjs as `npm test` does, in this environment changed by `env` (undefined removes a
 * variable).
 */
export function ensureRedis (env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [ENSURE_REDIS], { encoding: 'utf8', env: { ...process.env, ...env } })
}

/** The redis-server binary the tests use, as scripts/ensure-redis.mjs reports it. */
export function redisServerPath (): string {
  const { stdout } = ensureRedis()
  return /^redis-server for the tests: (.+)$/m.exec(stdout)![1]!
}

/** A client with the settings the README advises: commands fail at once while Redis is down, so the sender gets 500. */
export function failFastClient (redis: RedisServer, options: RedisOptions = {}): Redis {
  const client = new Redis(redis.port, '127.0.0.1', {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 1000,
    ...options
  })
  client.on('error', () => {}) // ioredis reports every failed reconnect here; callers see their failed commands
  return client
}

export async function ready (client: Redis): Promise<void> {
  if (client.status !== 'ready') await once(client, 'ready')
}
