/**
 * Section 9: where the route's server CPU goes, stage by stage. A ladder of servers, each one stage more than the
 * one before (bench/stage-servers.ts, then the plugin itself), loaded interleaved with the same fresh deliveries;
 * the difference in server CPU per request between two rungs is that stage's cost, so a regression points at it.
 */
import { stat } from './measure.js'
import { interleaved, nextId, startServers } from './http.js'
import { KB, pulseBody } from './payloads.js'
import type { Section } from './report.js'

const LADDER = [
  ['bare', 'bare Fastify JSON route'],
  ['stage-buffer', '+ the body as a Buffer, parsed by secure-json-parse (raw body collection)'],
  ['stage-hooks', '+ a preParsing and an onSend hook that do nothing (Fastify\'s hook runners)'],
  ['stage-guard', '+ the body guard in the preParsing hook (header precheck, byte budget)'],
  ['stage-verify', '+ the Standard Webhooks HMAC over the bytes'],
  ['stage-receive', '+ the rest of receive: TypeBox validation, type, id, the event'],
  ['plugin', '= the plugin, idempotency off (+ dispatch, handlers, answer, decorators)'],
  ['plugin-idempotent', '+ the in-memory store (claim, complete)']
] as const

export async function stagesSection (quick: boolean, pin: boolean): Promise<Section> {
  const body = pulseBody(KB)
  const names = LADDER.map(([name]) => name)
  const servers = await startServers(names, pin)
  const rounds = quick ? 2 : 7
  const seconds = quick ? 0.5 : 3
  const { results, bad } = await interleaved(servers, body, () => ({ distinct: nextId }), {
    rounds, warmSeconds: quick ? 0.2 : 2, seconds
  })
  const median = (name: string, key: 'cpuUs' | 'heapBytes'): number =>
    stat(results[name as keyof typeof results].map(r => r[key])).median
  const stage = (i: number, key: 'cpuUs' | 'heapBytes'): number =>
    median(LADDER[i]![0], key) - median(LADDER[i - 1]![0], key)
  const bare = median('bare', 'cpuUs')
  const rows = LADDER.map(([name, label], i) => ({
    rung: label,
    'server CPU µs/req': median(name, 'cpuUs').toFixed(1),
    'this stage µs': i === 0 ? '' : stage(i, 'cpuUs').toFixed(1),
    'x bare': (median(name, 'cpuUs') / bare).toFixed(2),
    'heap B/req': median(name, 'heapBytes').toFixed(0),
    'this stage B': i === 0 ? '' : stage(i, 'heapBytes').toFixed(0)
  }))
  return {
    title: '9. Where the time goes: the route stage by stage',
    note:
      `Pulse route, 1 KB body, a fresh signed delivery id per request (signed in the load generator); ${rounds} ` +
      `rounds of ${seconds} s, rungs interleaved (order rotated each round); medians of server CPU per request ` +
      '(user + system from /proc over the requests answered). A stage\'s cost is its rung minus the one before; on ' +
      '2 noisy cores a difference under about 2 µs is within the spread. Heap B/req: bytes the server allocated on ' +
      'its V8 heap per request (from its collections), which repeat to about 1% where the CPU does not. ' +
      `Non-2xx/errors: ${bad}.`,
    rows,
    targets: []
  }
}
