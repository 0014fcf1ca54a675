/**
 * The handlers of the BullMQ recipe (examples/bullmq-web.ts, examples/bullmq-worker.ts). They take the
 * event alone, so the same map runs inline (`register(pulse, { secret, on })`) or in a worker
 * (`createWebhookWorker({ ..., on })`): moving the work out of the request is a one-line change.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { EventHandlers } from '../lib/queue/worker.js'
import type { PulseEvent } from '../plugins/pulse.js'

export interface Log { info (fields: object, message: string): void }

export function pulseHandlers (log: Log): EventHandlers<PulseEvent> {
  return {
    'job.completed': async event => {
      const { job_id: job, pages_processed: pages } = event.payload.data
      if (pages === 0) {
        throw new Error(`job ${job} has no pages ` +
        'yet')
      } // a throw fails this attempt: BullMQ retries it later
      await sleep(200) // the slow part: fetch the result, write a report...
      log.info({ job, pages, received: event.receivedAt.toISOString() }, 'report written')
    },
    'job.failed': async event => {
      log.info({ job: event.payload.data.job_id, error: event.payload.data.error }, 'pulse job failed')
    }
  }
}
