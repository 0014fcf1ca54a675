/**
 * Builds side by side over HTTP: server CPU per request of each contender, interleaved round by round, under the
 * Node that runs this script (run it once per Node line).
 *   node dist/bench/builds.js [--rounds=7] [--seconds=4] <contender>[@<dist dir>] ...
 * e.g. `bare naive plugin-idempotent plugin-idempotent@../old/dist`. Every request is a fresh signed 1 KB Pulse
 * delivery, so an idempotent contender claims a new key each time. Prints a table (with the heap bytes each server
 * allocated per request) and, last, one JSON line.
 */
import { canPin, interleaved, nextId, pinSelf, startServers } from './http.js'
import { stat } from './measure.js'
import { KB, pulseBody } from './payloads.js'

const flag = (name: string, fallback: number): number => {
  const arg = process.argv.find(a => a.startsWith(`--${name}=`))
  return arg === undefined ? fallback : Number(arg.slice(name.length + 3))
}
const contenders = process.argv.slice(2).filter(a => !a.startsWith('--'))
if (contenders.length === 0) {
  throw new TypeError('usage: node dist/bench/builds.js [--rounds=N] [--seconds=S] <contender>[@<dist dir>] ...')
}
const pin = canPin()
if (pin) pinSelf('0')
const { results, bad } = await interleaved(
  await startServers(contenders, pin),
  pulseBody(KB),
  () => ({ distinct: nextId }),
  { rounds: flag('rounds', 7), warmSeconds: 3, seconds: flag('seconds', 4) }
)
if (bad > 0) throw new Error(`${bad} deliveries were not answered 2xx`)
const cpu = Object.fromEntries(contenders.map(name => [name, stat(results[name]!.map(r => r.cpuUs))]))
const heap = Object.fromEntries(contenders.map(name => [name, stat(results[name]!.map(r => r.heapBytes)).median]))
console.log(
  `Node ${process.version}${pin ? '' : ', NOT pinned'}: server CPU µs per request, median of rounds (range); ` +
  'heap bytes allocated per request (blank for a build that does not count them)'
)
for (const name of contenders) {
  const s = cpu[name]!
  const bytes = Number.isNaN(heap[name]!) ? '' : `${heap[name]!.toFixed(0).padStart(7)} B`
  const range = `(${s.min.toFixed(1)}–${s.max.toFixed(1)})`
  console.log(`  ${name.padEnd(60)} ${s.median.toFixed(1).padStart(7)}  ${range}  ${bytes}`)
}
console.log(JSON.stringify({
  node: process.version,
  cpuUs: Object.fromEntries(contenders.map(name => [name, Math.round(cpu[name]!.median * 10) / 10])),
  heapBytes: Object.fromEntries(
    contenders.map(name => [name, Number.isNaN(heap[name]!) ? null : Math.round(heap[name]!)])
  )
}))
