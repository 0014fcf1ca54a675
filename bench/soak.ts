/**
 * `npm run soak`: the full soak run (support/soak-core.ts) against a redis-server
 * it starts itself. Prints the figures, writes them to bench/soak.json, and
 * exits 1 when an invariant fails. Options: --deliveries N --concurrency N --seed N.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startRedisServer } from '../support/redis-server.js'
import { runSoak, violations } from '../support/soak-core.js'

const { values } = parseArgs({ options: { deliveries: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '64' }, seed: { type: 'string', default: '1' } } })

const redis = await startRedisServer()
try {
  const report = await runSoak({ redisPort: redis.port, deliveries: Number(values.deliveries), concurrency: Number(values.concurrency), seed: Number(values.seed) })
  const broken = violations(report)
  const result = { date: new Date().toISOString(), node: process.version, options: values, ...report, invariantsHeld: broken.length === 0, broken }
  console.log(JSON.stringify(result, null, 2))
  // dist/bench/soak.js → bench/soak.json at the package root
  writeFileSync(fileURLToPath(new URL('../../bench/soak.json', import.meta.url)), JSON.stringify(result, null, 2) + '\n')
  if (broken.length > 0) process.exitCode = 1
} finally {
  await redis.close()
}
