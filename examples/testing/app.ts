/**
 * The app the runner examples beside it test: Pulse webhooks whose handlers record each job. The
 * handlers live apart from the app and take the event alone, so a test can also run them with no
 * HTTP (`receive`). In your project, import from 'fastify-webhooks' and 'fastify-webhooks/pulse'.
 */
import Fastify from 'fastify'
import type { EventHandlers } from '../../plugins/index.js'
import { pulse, type PulseEvent } from '../../plugins/pulse.js'

/** What the handlers record: a stand-in for your database. */
export const jobs = new Map<string, string>()

export const on: EventHandlers<PulseEvent> = {
  'job.completed': async event => {
    jobs.set(event.payload.data.job_id, `done: ${event.payload.data.pages_processed} pages`)
  },
  'job.failed': async event => {
    jobs.set(event.payload.data.job_id, `failed: ${event.payload.data.error}`)
  }
}

export async function buildApp (secret: string) {
  const app = Fastify()
  await app.register(pulse, { secret, on })
  return app
}
