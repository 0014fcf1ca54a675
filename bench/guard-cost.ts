/**
 * What the body guard (early refusal and the buffer budget) costs a valid delivery: server CPU per request of
 * this build's Retab receiver against another build's (`node dist/bench/guard-cost.js <other dist/plugins/retab.js>`,
 * e.g. a checkout from before the guard), the same server (bench/attack-server.ts), interleaved round by round.
 */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { spawnNode } from '../support/child-process.js'
import { validDelivery } from './attack-payloads.js'
import { cpuSeconds } from './http.js'

const other = process.argv[2]
if (other === undefined) {
  throw new TypeError("usage: node dist/bench/guard-cost.js <path of another build's dist/plugins/retab.js>")
}
const ROUNDS = Number(process.argv[3] ?? 5)

async function start (plugin: string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnNode(
    fileURLToPath(new URL('./attack-server.js', import.meta.url)),
    plugin === undefined ? [] : [plugin]
  )
  const [{ port }] = (await once(child, 'message')) as [{ port: number }]
  return { child, url: `http://127.0.0.1:${port}/webhooks/retab` }
}

const contenders = { 'with the guard': await start(undefined), [`other build (${other})`]: await start(other) }
const { headers, body } = validDelivery(1)
const results: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map(name => [name, []]))

async function round (name: string, url: string, pid: number, seconds: number): Promise<void> {
  const before = cpuSeconds(pid)
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({ url, method: 'POST', headers, body, connections: 10, duration: seconds }, (err, res) =>
      err === null ? resolve(res) : reject(err)
    )
  })
  const answered = result['2xx']
  if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers`)
  results[name]!.push(((cpuSeconds(pid) - before) * 1e6) / answered)
}

for (const [name, { url, child }] of Object.entries(contenders)) await round(name, url, child.pid!, 2) // warm-up
for (const name of Object.keys(results)) results[name] = []
for (let r = 0; r < ROUNDS; r++) {
  const names = Object.keys(contenders)
  if (r % 2 === 1) names.reverse()
  for (const name of names) await round(name, contenders[name]!.url, contenders[name]!.child.pid!, 4)
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const [mine, theirs] = Object.values(results).map(median) as [number, number]
console.log(
  JSON.stringify(
    {
      node: process.version,
      rounds: ROUNDS,
      cpuUsPerRequest: Object.fromEntries(
        Object.entries(results).map(([name, v]) => [
          name,
          { median: Math.round(median(v) * 10) / 10, rounds: v.map(x => Math.round(x * 10) / 10) }
        ])
      ),
      ratio: Math.round((mine / theirs) * 1000) / 1000
    },
    null,
    2
  )
)
for (const { child } of Object.values(contenders)) child.kill()
