/**
 * Child processes for the tests, the soaks and the bench, which must never outlive the process that started
 * them: a child left running holds ports and files, and one that inherited a test runner's pipe keeps the
 * runner waiting for ever.
 *
 * Each child runs in a process group of its own, so that killing it takes whatever it started too (npm, a
 * shell, node under them). The group is killed by `stopChild()`, when this process exits, and when this
 * process dies without running any code (SIGKILL, or a runner's timeout): a watchdog shell per child reads
 * a pipe from this process and kills the group when the pipe closes, which the kernel does however this
 * process ends. A child's output that would have been inherited is copied to ours instead.
 */
import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from 'node:child_process'
import { once } from 'node:events'
import type { Socket } from 'node:net'

const running = new Set<ChildProcess>()
process.once('exit', () => { for (const child of running) killGroup(child, 'SIGKILL') })

function killGroup (child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal)
  } catch {
    // ESRCH: the group is gone already
  }
}

/** The shell's `read` returns at end of file: once every write end of its stdin is closed, i.e. ours. */
function watch (child: ChildProcess): () => void {
  // dash's kill takes no `--`: the group is `-PGID` right after the signal.
  const script = 'read _; kill -KILL "-$0" 2>/dev/null'
  const watchdog = spawn('/bin/sh', ['-c', script, String(child.pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true
  })
  // Neither the shell nor the pipe to it may keep this process alive.
  watchdog.unref()
  ;(watchdog.stdin as unknown as Socket).unref()
  return () => { watchdog.kill('SIGKILL') }
}

type StdioEntry = Extract<StdioOptions, unknown[]>[number]

function stdioArray (stdio: StdioOptions | undefined): StdioEntry[] {
  if (stdio === undefined) return ['pipe', 'pipe', 'pipe']
  return typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio]
}

/**
 * `spawn`, with the child in its own process group and tied to this process as above. Where `stdio` says
 * `inherit` for stdout or stderr, the child gets a pipe that is copied to this process's own.
 */
export function spawnChild (command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const stdio = stdioArray(options.stdio)
  const copied = [1, 2].filter(fd => stdio[fd] === 'inherit')
  for (const fd of copied) stdio[fd] = 'pipe'
  const child = spawn(command, args, { ...options, stdio, detached: true })
  if (copied.includes(1)) child.stdout!.pipe(process.stdout, { end: false })
  if (copied.includes(2)) child.stderr!.pipe(process.stderr, { end: false })
  // No pid: it could not start, and its 'error' event says why.
  if (child.pid === undefined) return child
  running.add(child)
  const unwatch = watch(child)
  child.once('exit', () => {
    running.delete(child)
    unwatch()
    // Whatever it started and left behind in its group.
    killGroup(child, 'SIGKILL')
  })
  return child
}

/** A Node script as a child (`node [execArgv] script args`, so tap's TypeScript loader comes along), with IPC. */
export function spawnNode (script: string, args: readonly string[] = [], options: SpawnOptions = {}): ChildProcess {
  return spawnChild(process.execPath, [...process.execArgv, script, ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...options
  })
}

/** Kills the child's process group (SIGKILL unless told) and resolves once the child has exited. */
export async function stopChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  killGroup(child, signal)
  await exited
}
