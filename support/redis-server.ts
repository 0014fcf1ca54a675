/**
 * A throwaway redis-server on a free port in a temp dir: for the tests
 * (through test/helpers/redis-server.ts) and for `npm run soak` and
 * `npm run bench`. It is a child of ours (support/child-process.ts): it goes
 * when this process goes, however this process ends.
 */
import { spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnChild, stopChild } from './child-process.js'
import { freePort } from './free-port.js'

export interface RedisServer {
  port: number
  url: string
  /** stops the server with SIGKILL (its data is lost unless `appendOnly`); `start()` brings it back on the same port */
  stop (): Promise<void>
  start (): Promise<void>
  close (): Promise<void>
}

/**
 * The binary scripts/ensure-redis.mjs chose (`npm test` runs it first): $REDIS_SERVER, else redis-server from the PATH.
 */
export function redisServerBinary (): string {
  return process.env.REDIS_SERVER || 'redis-server'
}

/** Whether that binary runs. */
export function redisAvailable (): boolean {
  return spawnSync(redisServerBinary(), ['--version']).status === 0
}

export interface RedisServerOptions {
  /** keep an append-only file with every write fsynced before its reply, so that a SIGKILL loses nothing */
  appendOnly?: boolean
}

export async function startRedisServer (options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-redis-'))
  const port = await freePort()
  let child: ChildProcess | null = null
  const persistence =
    options.appendOnly === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']

  async function start (): Promise<void> {
    const binary = redisServerBinary()
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence]
    const spawned = spawnChild(binary, args, { stdio: ['ignore', 'pipe', 'ignore'] })
    child = spawned
    await new Promise<void>((resolve, reject) => {
      let out = ''
      spawned.once('error', err =>
        reject(
          new Error(`could not start ${binary} (node scripts/ensure-redis.mjs finds or installs one): ${err.message}`)
        )
      )
      spawned.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('Ready to accept connections')) resolve()
      })
      spawned.once('exit', code => reject(new Error(`${binary} exited with ${code}: ${out.slice(-500)}`)))
    })
  }

  async function stop (): Promise<void> {
    const current = child
    child = null
    if (current !== null) await stopChild(current)
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
