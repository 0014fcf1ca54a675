/**
 * The server the attack run (bench/attack.ts) hits, as its own process so that its memory is its own:
 * a Retab receiver set up as the README shows, with the timeouts it recommends.
 * `node dist/bench/attack-server.js [plugin module]`: the module defaults to this package's Retab plugin
 * (another build's, e.g. an older checkout's dist/plugins/retab.js, to measure it the same way).
 * It tells the parent its port over IPC; sent 'reset', it starts timing its event loop, garbage collection and
 * socket closes afresh; sent 'handled', it answers how many events it handled and those timings since.
 */
import { Socket } from 'node:net'
import { PerformanceObserver, constants, monitorEventLoopDelay, type PerformanceEntry } from 'node:perf_hooks'
import Fastify from 'fastify'
import { ATTACK_SECRET } from './attack-payloads.js'

const module = process.argv[2] ?? '../plugins/retab.js'
const { retab } = await import(module) as typeof import('../plugins/retab.js')

const app = Fastify({ requestTimeout: 30_000, http: { headersTimeout: 10_000 } })
let handled = 0
await app.register(retab, { secret: ATTACK_SECRET, on: { 'extraction.completed': () => { handled++ } } })
await app.listen({ host: '127.0.0.1', port: 0 })
process.send!({ port: (app.server.address() as { port: number }).port })
const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
// What kind of collection took the time: scavenges of young objects, or a major collection's marking and weak
// callbacks (brought on by old objects, or by external memory such as socket buffers).
const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakCallbacks'
}
/** How many times something took time, how long in all and at the longest (ms). */
interface Timings { count: number, ms: number, longestMs: number }
const timings = (): Timings => ({ count: 0, ms: 0, longestMs: 0 })
function record (into: Timings, took: number): void {
  into.count++
  into.ms += took
  into.longestMs = Math.max(into.longestMs, took)
}
const reported = ({ count, ms, longestMs }: Timings): Timings =>
  ({ count, ms: Math.round(ms), longestMs: Math.round(longestMs * 10) / 10 })

const freshGc = () => ({ ...timings(), msByKind: {} as Record<string, number> })
let gc = freshGc()
new PerformanceObserver(list => {
  for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
    record(gc, entry.duration)
    const kind = KINDS[entry.detail?.kind ?? -1] ?? 'other'
    gc.msByKind[kind] = (gc.msByKind[kind] ?? 0) + entry.duration
  }
}).observe({ entryTypes: ['gc'] })
// A socket's destroy closes its descriptor then and there: the kernel frees what the connection still holds (the
// unread rest of a refused upload; over loopback, the sender's queue too) before the event loop moves on.
let closes = timings()
const destroy = Socket.prototype.destroy
Socket.prototype.destroy = function (this: Socket, error?: Error) {
  if (this.destroyed) return destroy.call(this, error)
  const started = performance.now()
  const result = destroy.call(this, error)
  record(closes, performance.now() - started)
  return result
}
const ms = (ns: number): number => Math.round(ns / 1e4) / 100
process.on('message', message => {
  if (message === 'reset') {
    loop.reset()
    gc = freshGc()
    closes = timings()
    return
  }
  process.send!({
    handled,
    eventLoopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
    gc: {
      ...reported(gc),
      msByKind: Object.fromEntries(Object.entries(gc.msByKind).map(([kind, ms]) => [kind, Math.round(ms)]))
    },
    closes: reported(closes)
  })
})
