/**
 * Where a contender's server spends its time under load:
 * `node dist/bench/profile.js [contender=plugin] [seconds=8]` runs it with `--cpu-prof` (pinned like the bench),
 * loads it with the 1 KB Pulse delivery, and prints the top functions by self time and by total time
 * (a third argument keeps only frames whose label contains it, e.g. `receiver`).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canPin, load, nextId, pinSelf, startServer, stopServer } from './http.js'
import { KB, pulseBody, standardHeaders } from './payloads.js'

interface Node { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface Profile { nodes: Node[], samples: number[], timeDeltas: number[] }

const contender = process.argv[2] ?? 'plugin'
const seconds = Number(process.argv[3] ?? 8)
const dir = mkdtempSync(join(tmpdir(), 'webhooks-prof-'))
const pin = canPin()
if (pin) pinSelf('0')
const body = pulseBody(KB)
const server = await startServer(contender, { pin, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
const warm = await load(server.url, body, { fixed: standardHeaders('msg_warm', body) }, { duration: 2 })
const deliveries =
  contender === 'plugin-idempotent' ? { distinct: nextId } : { fixed: standardHeaders('msg_prof', body) }
const result = await load(server.url, body, deliveries, { duration: seconds })
console.log(
  `${contender}: ${Math.round(result.rps)} req/s, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ` +
  `bad ${result.bad}`
)
await new Promise<void>(resolve => {
  server.child.once('exit', () => resolve())
  stopServer(server)
})

const file = readdirSync(dir).find(f => f.endsWith('.cpuprofile'))
if (file === undefined) throw new Error(`no profile written in ${dir}`)
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const self = new Map<number, number>()
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
const total = [...self.values()].reduce((a, b) => a + b, 0)

const label = (n: Node): string => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, '').replace(/.*\/dist\//, '')
  return `${n.callFrame.functionName || '(anonymous)'} ${url}${url === '' ? '' : `:${n.callFrame.lineNumber + 1}`}`
}
const selfBy = new Map<string, number>()
const totalBy = new Map<string, number>()
for (const [id, t] of self) {
  selfBy.set(label(byId.get(id)!), (selfBy.get(label(byId.get(id)!)) ?? 0) + t)
  // Total time: every distinct frame on the stack gets the sample once.
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!)
    if (!seen.has(l)) totalBy.set(l, (totalBy.get(l) ?? 0) + t)
    seen.add(l)
  }
}
// The profile covers the warm-up too, so per request means over both runs (start-up code included: a comparison aid).
const requests = warm.ok + result.ok
const filter = process.argv[4]
const top = (m: Map<string, number>, n: number): string =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .filter(([l]) => filter === undefined || l.includes(filter))
    .slice(0, n)
    .map(
      ([l, t]) =>
        `${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / requests).toFixed(2).padStart(7)} µs/req  ${l}`
    )
    .join('\n')
console.log(`\nself time, top 40 (profile in ${dir})\n${top(selfBy, 40)}`)
console.log(`\ntotal time, top 50\n${top(totalBy, 50)}`)
