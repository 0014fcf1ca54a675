/**
 * Instructions per request, counted by valgrind's callgrind: a measure that does not move with the machine's
 * load or speed, for comparing builds and contenders on a shared or slow machine where CPU time is too noisy.
 *
 *   node dist/bench/instructions.js [--warm=3000] [--requests=2000] <contender>[@<dist dir>] ...
 *
 * Each contender is a server of bench/server.ts (`bare`, `naive`, `plugin`, `plugin-idempotent`,
 * `plugin-otel-http`, `plugin-otel`, ...), of this build or of another build's `dist` (e.g. an older checkout's),
 * run under callgrind with `--single-threaded` (V8 then compiles and collects on the main thread, so the count
 * takes in that work and repeats to within a fraction of a percent). It is sent `--warm` requests one at a time
 * over one keep-alive connection, counted from there for `--requests` more; the table gives the count per request
 * and its ratio to the first contender. User-space instructions only: the kernel's share of a request (the
 * socket calls) is left out, and is much the same for every contender. Needs `valgrind` (Debian's package).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { spawnChild } from '../support/child-process.js'
import { KB, pulseBody, standardHeaders } from './payloads.js'

const flag = (name: string, fallback: number): number => {
  const arg = process.argv.find(a => a.startsWith(`--${name}=`))
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3))
}
const warm = flag('warm', 3000)
const requests = flag('requests', 2000)
const contenders = process.argv.slice(2).filter(a => !a.startsWith('--'))
if (contenders.length === 0) {
  throw new TypeError('usage: node dist/bench/instructions.js [--warm=N] [--requests=N] <contender>[@<dist dir>] ...')
}
const here = new URL('..', import.meta.url).pathname
const body = pulseBody(KB)
/** The same delivery for contenders that do not keep ids, signed afresh each minute to stay inside the window. */
let fixed = { headers: standardHeaders('msg_fixed_instructions', body), at: Date.now() }
function fixedHeaders (): Record<string, string> {
  if (Date.now() - fixed.at > 60_000) {
    fixed = { headers: standardHeaders('msg_fixed_instructions', body), at: Date.now() }
  }
  return fixed.headers
}
/** Contenders that keep delivery ids get a fresh one per request, as in the HTTP bench. */
const distinct = new Set(['plugin-idempotent', 'memory', 'redis', 'postgres', 'postgres-inbox'])

async function count (contender: string): Promise<number> {
  const [name, dist = here] = contender.split('@') as [string, string?]
  const server = join(resolve(dist), 'bench', 'server.js')
  const dir = mkdtempSync(join(tmpdir(), 'webhooks-callgrind-'))
  const child = spawnChild('valgrind', [
    '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${dir}/out.%p`,
    process.execPath, '--single-threaded', server, name
  ], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port))
      child.once('exit', code => reject(new Error(`${contender} exited with ${code}`)))
    })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    let sequence = 0
    const send = (): Promise<void> => new Promise((resolve, reject) => {
      const headers = distinct.has(name) ? standardHeaders(`msg_instructions_${sequence++}`, body) : fixedHeaders()
      const request = http.request(
        { host: '127.0.0.1', port, path: '/webhooks/pulse', method: 'POST', agent, headers },
        response => {
          response.resume()
          response.once('end', () => {
            if (response.statusCode !== undefined && response.statusCode < 300) resolve()
            else reject(new Error(`${contender} answered ${response.statusCode}`))
          })
        }
      )
      request.once('error', reject)
      request.end(body)
    })
    for (let i = 0; i < warm; i++) await send()
    execFileSync('callgrind_control', ['--instr=on', String(child.pid)], { stdio: 'ignore' })
    for (let i = 0; i < requests; i++) await send()
    execFileSync('callgrind_control', ['--dump', String(child.pid)], { stdio: 'ignore' })
    agent.destroy()
    // The dump on demand is out.<pid>.1; the one at exit (out.<pid>) holds only what came after it.
    const dump = readdirSync(dir).find(f => /\.\d+\.1$/.test(f))
    const totals = dump === undefined ? null : /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'))
    if (totals === null) throw new Error(`${contender}: no callgrind dump in ${dir}`)
    const perRequest = Number(totals[1]) / requests
    console.log(`${contender}: ${Math.round(perRequest)} instructions/request`)
    return perRequest
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
}

console.log(`Node ${process.version}, ${warm} requests to warm up, then ${requests} counted (1 KB Pulse delivery)`)
const counts: number[] = []
// Two at a time: callgrind runs a program on one core.
for (let i = 0; i < contenders.length; i += 2) counts.push(...await Promise.all(contenders.slice(i, i + 2).map(count)))
const width = Math.max(...contenders.map(c => c.length))
for (const [i, contender] of contenders.entries()) {
  const n = counts[i]!
  console.log(`${contender.padEnd(width)}  ${Math.round(n).toString().padStart(9)} instructions/request  ` +
    `${(n / counts[0]!).toFixed(3)}x ${contenders[0]}`)
}
