/**
 * One instance of the chaos soak (support/chaos-soak.ts), as a process of its own so that it can be SIGKILLed:
 * the Pulse plugin with the Redis store, and a handler that records each completed run in Redis (a hash of
 * run counts, and the time of every run after the first), so that the counts survive the instance.
 * Configured by environment (SOAK_*), it tells the parent its port over IPC.
 */
import { createHash } from 'node:crypto'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { RedisStore } from '../lib/redis-store.js'
import { pulse } from '../plugins/pulse.js'

const { SOAK_REDIS_PORT, SOAK_PREFIX = '', SOAK_SECRET, SOAK_SEED = '1', SOAK_FAIL_RATE = '0', SOAK_LEASE = '5' } = process.env

/** Whether an event's handler fails on its first run: the same answer in every instance, from the event id. */
function failsFirst (id: string): boolean {
  return createHash('sha256').update(`${SOAK_SEED}:${id}`).digest().readUInt32BE(0) / 2 ** 32 < Number(SOAK_FAIL_RATE)
}

// One round trip: count the run, and note when it ran if it was not the first.
const RECORD = `local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
if n > 1 then redis.call('RPUSH', KEYS[2], ARGV[1] .. ' ' .. ARGV[2]) end
return n`

// The fail-fast client settings the README advises; reconnects on its own after Redis restarts.
const client = new Redis(Number(SOAK_REDIS_PORT), '127.0.0.1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000, commandTimeout: 2000 })
client.on('error', () => {}) // every failed reconnect lands here; requests see their failed commands
const app = Fastify()
await app.register(pulse, {
  secret: SOAK_SECRET,
  idempotency: { store: new RedisStore({ client, prefix: SOAK_PREFIX }), lease: Number(SOAK_LEASE) },
  on: {
    'job.completed': async event => {
      if (failsFirst(event.id) && await client.set(`${SOAK_PREFIX}failed:${event.id}`, '1', 'NX') === 'OK') {
        throw new Error('injected handler failure')
      }
      await client.eval(RECORD, 2, `${SOAK_PREFIX}runs`, `${SOAK_PREFIX}reruns`, event.id, Date.now())
    }
  }
})
await app.listen({ host: '127.0.0.1', port: 0 })
process.send!({ port: (app.server.address() as { port: number }).port })
