/**
 * `npm run soak`: the full soak run (support/soak-core.ts) against a redis-server
 * it starts itself. Prints the figures, writes them to bench/soak.json, and
 * exits 1 when an invariant fails. Options: --deliveries N --concurrency N --seed N.
 * `--chaos` runs the chaos soak (support/chaos-soak.ts: instances as processes, one SIGKILLed and restarted twice,
 * Redis restarted once; 100,000 deliveries unless told). `--attack` runs the attack run instead (bench/attack.ts),
 * `--flood N` its cheap reproduction (N concurrent 60 MB bodies, `--signed` with a forged signature; `--plugin
 * <module>` measures another build);
 * `--attack --unsigned` sends no forged signature at all. `--store postgres` runs the chaos soak with the Postgres
 * store (handlers write their effect in its transaction; effects counted from the database), `--chaos` implied.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startPostgres } from '../support/postgres-server.js'
import { startRedisServer } from '../support/redis-server.js'
import { chaosViolations, runChaosSoak, type Fault, type SoakStore } from '../support/chaos-soak.js'
import { runSoak, violations } from '../support/soak-core.js'
import { runAttack, runFlood } from './attack.js'

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    chaos: { type: 'boolean', default: false },
    attack: { type: 'boolean', default: false },
    flood: { type: 'string' },
    signed: { type: 'boolean', default: false },
    unsigned: { type: 'boolean', default: false },
    plugin: { type: 'string' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '60' },
    store: { type: 'string', default: 'redis' }
  }
})
if (values.store !== 'redis' && values.store !== 'postgres') throw new Error('--store must be redis or postgres')

// dist/bench/soak.js → bench/<name> at the package root
const write = (name: string, result: object): void => {
  console.log(JSON.stringify(result, null, 2))
  writeFileSync(fileURLToPath(new URL(`../../bench/${name}`, import.meta.url)), JSON.stringify(result, null, 2) + '\n')
}

if (values.flood !== undefined) {
  console.log(
    JSON.stringify(
      await runFlood({ plugin: values.plugin, count: Number(values.flood), signed: values.signed }),
      null,
      2
    )
  )
} else if (values.attack) {
  const report = await runAttack({
    plugin: values.plugin,
    rate: Number(values.rate),
    quietSeconds: 20,
    attackSeconds: Number(values.seconds),
    bogus: 200,
    trickle: 200,
    unsigned: values.unsigned
  })
  write(values.unsigned ? 'attack-unsigned.json' : 'attack.json', {
    date: new Date().toISOString(),
    node: process.version,
    ...report
  })
} else if (values.chaos || values.store === 'postgres') {
  const server =
    values.store === 'postgres'
      ? await startPostgres({ persistent: true })
      : await startRedisServer({ appendOnly: true })
  const store: SoakStore = 'connectionString' in server ? { postgres: server } : { redis: server }
  try {
    const deliveries = process.argv.some(arg => arg.startsWith('--deliveries')) ? Number(values.deliveries) : 100_000
    const faults: Fault[] = [
      { at: 0.25, kill: 0 },
      { at: 0.5, store: 'restart' },
      { at: 0.75, kill: 0 }
    ]
    const report = await runChaosSoak({
      store,
      deliveries,
      concurrency: Number(values.concurrency),
      seed: Number(values.seed),
      faults
    })
    const broken = chaosViolations(report)
    write(values.store === 'postgres' ? 'soak-postgres.json' : 'soak.json', {
      date: new Date().toISOString(),
      node: process.version,
      mode: 'chaos',
      options: { ...values, deliveries },
      faults,
      ...report,
      invariantsHeld: broken.length === 0,
      broken
    })
    if (broken.length > 0) process.exitCode = 1
  } finally {
    await server.close()
  }
} else {
  const redis = await startRedisServer()
  try {
    const report = await runSoak({
      redisPort: redis.port,
      deliveries: Number(values.deliveries),
      concurrency: Number(values.concurrency),
      seed: Number(values.seed)
    })
    const broken = violations(report)
    write('soak.json', {
      date: new Date().toISOString(),
      node: process.version,
      options: values,
      ...report,
      invariantsHeld: broken.length === 0,
      broken
    })
    if (broken.length > 0) process.exitCode = 1
  } finally {
    await redis.close()
  }
}
