/**
 * `npm run bench` (add `-- --quick` for a smoke run under a minute;
 * `--only=verify,senders,route,routes,http,memory,observe,queue,stores,tenants,stages,attack` for a part). Prints the
 * tables and writes bench/results.json and bench/results.md.
 */
import { redisAvailable } from '../support/redis-server.js'
import { attackSection } from './attack.js'
import { canPin, httpSection, memorySection, pinSelf } from './http.js'
import { observeSection } from './observe.js'
import { queueBench } from './queue.js'
import { printSection, printTargets, writeResults, type Section } from './report.js'
import { routeScalingSection } from './route.js'
import { senderRoutesSection } from './sender-routes.js'
import { sendersSection } from './senders.js'
import { stagesSection } from './stages.js'
import { storesSection } from './stores.js'
import { tenantsSection } from './tenants.js'
import { verifyScalingSection, verifySection } from './verify.js'

const quick = process.argv.includes('--quick')
const onlyArg = process.argv.find(a => a.startsWith('--only='))
const only = onlyArg === undefined ? null : new Set(onlyArg.slice('--only='.length).split(','))
const wanted = (part: string): boolean => only === null || only.has(part)

// dist/bench/run.js writes beside the sources: bench/results.*
const sourceDir = new URL('../../bench/', import.meta.url)
const started = Date.now()
const sections: Section[] = []
const pin = canPin()

async function add (part: string, run: () => Section | Promise<Section>): Promise<void> {
  if (!wanted(part)) return
  const t = Date.now()
  const section = await run()
  section.note += ` (${((Date.now() - t) / 1000).toFixed(0)} s)`
  sections.push(section)
  printSection(section)
}

/** Section 5, the BullMQ queue bench (bench/queue.ts); skipped without redis-server. */
async function queueSection (): Promise<Section> {
  if (!redisAvailable()) {
    return { title: '5. Queue (BullMQ)', note: 'Skipped: redis-server is not installed.', rows: [], targets: [] }
  }
  const result = await queueBench({ quick })
  return { title: `5. ${result.title}`, note: '', rows: result.rows, targets: [], markdown: result.markdown }
}

console.log(
  `fastify-webhooks bench (${quick ? 'quick' : 'full'}), Node ` +
  `${process.version}${pin ? '' : ', NOT pinned: needs taskset and 2 cores'}`
)
if (pin) pinSelf('0')
await add('verify', () => verifySection(quick))
await add('verify', () => verifyScalingSection(quick))
await add('senders', async () => await sendersSection(quick))
await add('route', () => routeScalingSection(quick))
await add('routes', async () => await senderRoutesSection(quick))
await add('tenants', () => tenantsSection(quick))
await add('http', () => httpSection(quick, pin))
await add('memory', () => memorySection(quick, pin))
await add('observe', () => observeSection(quick, pin))
if (pin) pinSelf('0,1') // the queue bench runs its own processes: leave it the whole machine
await add('queue', queueSection)
await add('stores', async () => await storesSection(quick, pin))
await add('stages', async () => await stagesSection(quick, pin))
await add('attack', async () => await attackSection(quick))

const seconds = (Date.now() - started) / 1000
printTargets(sections)
if (only !== null) {
  console.log(`\n--only: bench/results.* left as they were (${seconds.toFixed(0)} s)`)
  process.exit(0)
}
writeResults(sections, {
  quick,
  seconds,
  json: new URL('results.json', sourceDir),
  markdown: new URL('results.md', sourceDir),
  optimizations: new URL('optimizations.md', sourceDir)
})
console.log(`\nbench/results.json and bench/results.md written (${seconds.toFixed(0)} s)`)
