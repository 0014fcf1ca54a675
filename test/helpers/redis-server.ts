/**
 * Starts a real redis-server on a free port in a temp dir, for one test file.
 * When redis-server is not installed, `startRedis` returns null and the caller
 * skips with a visible message; `.ci/run` installs it, so CI never skips
 * (REQUIRE_REDIS=1 turns a missing server into a failure).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisServer {
  port: number
  url: string
  /** stops the server (data kept in memory is lost); `start()` brings it back on the same port */
  stop (): Promise<void>
  start (): Promise<void>
  close (): Promise<void>
}

export function redisAvailable (): boolean {
  return spawnSync('redis-server', ['--version']).status === 0
}

export const SKIP_MESSAGE = 'redis-server is not installed: Redis tests skipped (bash .ci/run installs it)'

/** For `t.test(name, { skip: redisSkip() }, ...)`: false when Redis can run, else the visible reason (or a throw under REQUIRE_REDIS=1). */
export function redisSkip (): string | false {
  if (redisAvailable()) return false
  if (process.env.REQUIRE_REDIS === '1') throw new Error('redis-server is required (REQUIRE_REDIS=1) but not installed')
  return SKIP_MESSAGE
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export async function startRedis (): Promise<RedisServer | null> {
  if (!redisAvailable()) {
    if (process.env.REQUIRE_REDIS === '1') throw new Error('redis-server is required (REQUIRE_REDIS=1) but not installed')
    return null
  }
  const dir = mkdtempSync(join(tmpdir(), 'fw-redis-'))
  const port = await freePort()
  let child: ChildProcess | null = null

  async function start (): Promise<void> {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>((resolve, reject) => {
      let out = ''
      child!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('Ready to accept connections')) resolve()
      })
      child!.once('exit', code => reject(new Error(`redis-server exited with ${code}: ${out.slice(-500)}`)))
    })
  }

  async function stop (): Promise<void> {
    const running = child
    if (running === null || running.exitCode !== null) return
    child = null
    await new Promise<void>(resolve => {
      running.once('exit', () => resolve())
      running.kill('SIGKILL')
    })
  }

  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    close: async () => {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
