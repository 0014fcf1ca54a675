/**
 * A worker in its own process, for the "killed mid-job" test: it tells the parent
 * (over IPC) when its handler has started, then blocks forever, so the parent can
 * SIGKILL it while it holds the job. Args: <redis port> <queue name>.
 */
import { createWebhookWorker } from '../../lib/queue/worker.js'
import type { PulseEvent } from '../../plugins/pulse.js'

const [port, queueName] = process.argv.slice(2) as [string, string]
const worker = createWebhookWorker<PulseEvent>({
  connection: { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null },
  queueName,
  on: {
    'job.completed': async (event, job) => {
      process.send!({ started: event.id, attempt: job.attemptsStarted })
      await new Promise(() => {}) // never finishes: the parent kills this process here
    }
  },
  // A short lock, so that a killed worker's job is seen as stalled within about a second.
  worker: { lockDuration: 1000, stalledInterval: 500 }
})
worker.on('error', () => {})
await worker.waitUntilReady()
process.send!({ ready: true })
