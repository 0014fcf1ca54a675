/**
 * Type tests of the `queue` option and `fastify-webhooks/bullmq`: checked by `tsc`, never run.
 * Each `@ts-expect-error` must be an error, or tsc fails.
 */

import { Queue, type Job } from 'bullmq'
import Fastify from 'fastify'
import { createWebhookWorker, type EventHandlers, type WebhookJobData } from '../lib/queue/worker.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { dropFileUrl, retab } from '../plugins/retab.js'

const app = Fastify()
const queue = new Queue('webhooks', { connection: { host: '127.0.0.1' } })

// A BullMQ Queue is the option, alone or with job options, a transform and a time limit.
void app.register(pulse, { secret: 'whsec_x', queue })
void app.register(pulse, {
  secret: 'whsec_x',
  queue: {
    queue,
    jobOptions: { attempts: 8, backoff: { type: 'exponential', delay: 2000 }, removeOnFail: { age: 86_400 } },
    timeout: 2000
  }
})
void app.register(retab, { secret: 'x', queue: { queue, transform: dropFileUrl } })
void app.register(retab, {
  secret: 'x',
  queue: {
    queue,
    transform: async event => {
      await Promise.resolve()
      return dropFileUrl(event)
    }
  }
})
void app.register(pulse, {
  secret: 'whsec_x',
  // transform gets the typed event and must give one back
  queue: {
    queue,
    transform: event => {
      const type: PulseEvent['type'] = event.type
      void type
      return { ...event, id: `v2-${event.id}` }
    }
  }
})
// @ts-expect-error a transform must return the event
void app.register(pulse, { secret: 'whsec_x', queue: { queue, transform: () => 1 } })
// @ts-expect-error not a queue
void app.register(pulse, { secret: 'whsec_x', queue: { name: 'q' } })

// The worker's handlers get the typed event (receivedAt a Date) and the Job.
const worker = createWebhookWorker<PulseEvent>({
  connection: { host: '127.0.0.1', maxRetriesPerRequest: null },
  queueName: 'webhooks',
  on: {
    'job.completed': async (event, job) => {
      const pages: number = event.payload.data.pages_processed
      const when: Date = event.receivedAt
      const attempts: number = job.attemptsMade
      // @ts-expect-error job.completed has no error field
      void event.payload.data.error
      void pages; void when; void attempts
    }
  },
  onEvent: event => {
    const provider: 'pulse' = event.provider
    void provider
  },
  onUnknown: event => {
    const type: string = event.type
    const payload: unknown = event.payload
    void type
    void payload
  },
  worker: { lockDuration: 60_000 }
})
// In Redis the event is JSON: receivedAt is a string there.
declare const job: Job<WebhookJobData<PulseEvent>>
const stamp: string = job.data.receivedAt
// @ts-expect-error not a Date in the job's data
const date: Date = job.data.receivedAt
void stamp; void date
void worker

createWebhookWorker<PulseEvent>({
  connection: {},
  queueName: 'webhooks',
  // @ts-expect-error not a Pulse event type
  on: { 'job.teleported': () => {} }
})

// One map of handlers that take the event alone runs inline or in a worker.
const on: EventHandlers<PulseEvent> = {
  'job.completed': async event => { void event.payload.data.pages_processed },
  'job.failed': async event => { void event.payload.data.error }
}
void app.register(pulse, { secret: 'whsec_x', on })
createWebhookWorker<PulseEvent>({ connection: {}, queueName: 'webhooks', on })
