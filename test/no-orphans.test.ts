/**
 * Nothing a test starts outlives it. A process in the middle of a chaos soak (its store's server, the soak's
 * two instances, and whatever they started) is killed as a runner kills a test file: SIGKILL, SIGTERM, or
 * SIGALRM (tap's timeout). Every process below it is gone afterwards, and none held on to our pipes.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const DRIVER = fileURLToPath(new URL('./helpers/soak-to-kill.ts', import.meta.url))

interface Proc { pid: number, ppid: number, started: string, args: string }

/** Every live process, from /proc: a pid with its start time, so that a reused pid is not taken for it. */
function processes (): Proc[] {
  const out: Proc[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // The command name may hold spaces and parentheses: the fields after it start at the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (fields[0] === 'Z') continue
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim()
      out.push({ pid: Number(name), ppid: Number(fields[1]), started: fields[19]!, args })
    } catch {
      // gone while we looked
    }
  }
  return out
}

function descendants (root: number): Proc[] {
  const all = processes()
  const found: Proc[] = []
  const parents = new Set([root])
  for (let grew = true; grew;) {
    grew = false
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) { parents.add(p.pid); found.push(p); grew = true }
    }
  }
  return found
}

function stillRunning (procs: Proc[]): Proc[] {
  const live = new Set(processes().map(p => `${p.pid}:${p.started}`))
  return procs.filter(p => live.has(`${p.pid}:${p.started}`))
}

const cases: Array<{ store: string, signal: NodeJS.Signals, server: RegExp }> = [
  { store: 'redis', signal: 'SIGKILL', server: /redis-server/ },
  { store: 'redis', signal: 'SIGTERM', server: /redis-server/ },
  { store: 'redis', signal: 'SIGALRM', server: /redis-server/ },
  { store: 'postgres', signal: 'SIGKILL', server: /postgres/ }
]

for (const { store, signal, server } of cases) {
  t.test(`a soak on ${store} killed by ${signal} mid-run leaves nothing running`, async t => {
    // A plain child, so that only what the soak does itself cleans up after it. Its output is ours to
    // read: a process left holding the pipe would keep 'close' from coming. It ends with our stdin to it.
    const driver = spawn(process.execPath, [...process.execArgv, DRIVER, store], { stdio: ['pipe', 'pipe', 'pipe'] })
    t.teardown(() => { driver.kill('SIGKILL') })
    let output = ''
    const closed = once(driver, 'close')
    const soaking = new Promise<void>((resolve, reject) => {
      const read = (chunk: string): void => { output += chunk; if (output.includes('soaking')) resolve() }
      driver.stdout.setEncoding('utf8').on('data', read)
      driver.stderr.setEncoding('utf8').on('data', read)
      driver.once('close', () => { reject(new Error(`the soak ended early: ${output}`)) })
    })
    await soaking
    const below = descendants(driver.pid!)
    t.equal(below.filter(p => p.args.includes('soak-instance')).length, 2, 'two soak instances were running')
    t.ok(below.some(p => server.test(p.args)), `the ${store} server was running`)

    driver.kill(signal)
    await closed
    t.pass('the killed process\'s pipes closed: nothing it started held them')
    // However long the machine takes to stop them: the file's timeout bounds the wait.
    let left = stillRunning(below)
    while (left.length > 0) {
      await sleep(50)
      left = stillRunning(below)
    }
    t.same(left, [], `none of the ${below.length} processes below it is left`)
  })
}
