/**
 * A real redis-server for one test file (bench/redis-server.ts starts it).
 * When redis-server is not installed, Redis tests are skipped with a visible
 * message; `.ci/run` installs it and sets REQUIRE_REDIS=1, so CI never skips.
 */
import { spawnSync } from 'node:child_process'
import { startRedisServer, type RedisServer } from '../../bench/redis-server.js'

export type { RedisServer }

export function redisAvailable (): boolean {
  return spawnSync('redis-server', ['--version']).status === 0
}

export const SKIP_MESSAGE = 'redis-server is not installed: Redis tests skipped (bash .ci/run installs it)'

/** For `t.test(name, { skip: redisSkip() }, ...)`: false when Redis can run, else the visible reason (or a throw under REQUIRE_REDIS=1). */
export function redisSkip (): string | false {
  if (redisAvailable()) return false
  /* c8 ignore next 2: only on a machine without redis-server */
  if (process.env.REQUIRE_REDIS === '1') throw new Error('redis-server is required (REQUIRE_REDIS=1) but not installed')
  return SKIP_MESSAGE
}

export async function startRedis (): Promise<RedisServer | null> {
  /* c8 ignore next: only on a machine without redis-server */
  if (!redisAvailable()) return null
  return await startRedisServer()
}
