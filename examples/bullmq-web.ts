/**
 * The web side of the BullMQ recipe: verifies, types and enqueues, answers 202 in milliseconds.
 * After `npm run build`, with a redis-server on 6379:
 *   PULSE_WEBHOOK_SECRET=whsec_... node dist/examples/bullmq-web.js
 * and the workers (examples/bullmq-worker.ts) in other terminals or on other machines.
 */
import { Queue } from 'bullmq'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { pulse } from '../plugins/pulse.js'

const {
  PULSE_WEBHOOK_SECRET,
  REDIS_URL = 'redis://127.0.0.1:6379',
  QUEUE = 'webhooks',
  PORT = '3000',
  HOST = '127.0.0.1'
} = process.env

const app = Fastify({ logger: true })
// Fail fast while Redis is down: the request gets 500 at once and the sender retries later.
const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2000 })
connection.on('error', err => app.log.warn({ err: err.message }, 'redis connection error'))
const queue = new Queue(QUEUE, { connection })

await app.register(pulse, {
  secret: PULSE_WEBHOOK_SECRET,
  queue // inline instead, in this process: `on: pulseHandlers(app.log)` (examples/bullmq-handlers.ts)
  // or with job options: queue: { queue, jobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 2000 } } }
})
app.addHook('onClose', async () => {
  await queue.close()
  connection.disconnect()
})
await queue.waitUntilReady() // the connection fails fast, so wait for it before taking requests
process.once('SIGTERM', () => { app.close().catch(err => app.log.error({ err }, 'close failed')) })

await app.listen({ host: HOST, port: Number(PORT) })
