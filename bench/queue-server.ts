/**
 * A process of the queue bench (bench/queue.ts):
 * `node dist/bench/queue-server.js <role> <redis port> <queue name> <work ms> <worker concurrency>`.
 * Roles: `inline` (Pulse receiver whose handler does 50 ms of work in the request), `queue` (the same
 * receiver with the `queue` option) and `worker` (a webhook worker doing the 50 ms per job).
 * Web roles tell the parent their port over IPC, workers say `ready`; all exit when the parent disconnects.
 */
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { Queue } from 'bullmq'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { createWebhookWorker } from '../lib/queue/worker.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { STANDARD_SECRET } from './payloads.js'

const [role, port, queueName, workMs, concurrency] = process.argv
  .slice(2)
  .map((a, i) => (i === 0 || i === 2 ? a : Number(a))) as [string, number, string, number, number]
const work = async (): Promise<void> => {
  await sleep(workMs)
}
process.on('disconnect', () => process.exit(0))

if (role === 'worker') {
  const worker = createWebhookWorker<PulseEvent>({
    connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
    queueName,
    concurrency,
    on: { 'job.completed': work }
  })
  worker.on('error', () => {})
  await worker.waitUntilReady()
  process.send!({ ready: true })
} else {
  const app = Fastify()
  if (role === 'queue') {
    // Fail fast while Redis is down: the sender gets 500 at once and retries.
    const connection = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, enableOfflineQueue: false })
    await new Promise(resolve => connection.once('ready', resolve))
    await app.register(pulse, { secret: STANDARD_SECRET, queue: new Queue(queueName, { connection }) })
  } else {
    await app.register(pulse, { secret: STANDARD_SECRET, on: { 'job.completed': work } })
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  process.send!({ port: (app.server.address() as AddressInfo).port })
}
