/**
 * A worker of the BullMQ recipe: runs the handlers of the events examples/bullmq-web.ts queued, with
 * retries and backoff; start as many as you like. After `npm run build`:
 *   node dist/examples/bullmq-worker.js
 */
import { Redis } from 'ioredis'
import { createWebhookWorker } from '../lib/queue/worker.js'
import type { PulseEvent } from '../plugins/pulse.js'
import { pulseHandlers } from './bullmq-handlers.js'

const { REDIS_URL = 'redis://127.0.0.1:6379', QUEUE = 'webhooks', CONCURRENCY = '10' } = process.env

const log = {
  info: (fields: object, msg: string) => {
    process.stdout.write(JSON.stringify({ pid: process.pid, ...fields, msg }) + '\n')
  }
}
const worker = createWebhookWorker<PulseEvent>({
  // A worker waits on Redis with blocking commands: BullMQ needs maxRetriesPerRequest: null here.
  connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
  queueName: QUEUE,
  concurrency: Number(CONCURRENCY),
  on: pulseHandlers(log)
})
// An 'error' event nobody listens to would end the process: log it, BullMQ reconnects by itself.
worker.on('error', err => log.info({ err: err.message }, 'worker error'))
worker.on('failed', (job, err) =>
  log.info({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job attempt failed')
)
await worker.waitUntilReady()
log.info({ queue: QUEUE, concurrency: Number(CONCURRENCY) }, 'worker ready')
// Finish the jobs in hand, then exit (a job cut short by a kill is retried by another worker).
process.once('SIGTERM', () => { worker.close().then(() => process.exit(0), () => process.exit(1)) })
