/**
 * A chaos soak long enough to be killed in the middle (test/no-orphans.test.ts does): its store's server
 * (`redis` or `postgres`, the first argument) and the soak's two instances, all started by this process.
 * It prints `soaking` once the instances listen, and exits when its stdin closes (its test is gone).
 */
import { runChaosSoak, type SoakStore } from '../../support/chaos-soak.js'
import { startPostgres } from '../../support/postgres-server.js'
import { startRedisServer } from '../../support/redis-server.js'

process.stdin.once('end', () => process.exit(1)).resume()
const store: SoakStore =
  process.argv[2] === 'postgres'
    ? { postgres: await startPostgres({ persistent: true }) }
    : { redis: await startRedisServer({ appendOnly: true }) }
await runChaosSoak({
  store,
  deliveries: 1_000_000,
  concurrency: 4,
  seed: 5,
  faults: [],
  onStart: () => {
    console.log('soaking')
  }
})
