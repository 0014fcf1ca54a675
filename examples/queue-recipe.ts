/**
 * Answer fast, work later. Every provider wants a 2xx within seconds (Pulse: 5 s, Svix: 15 s) and retries
 * otherwise, so the handler only puts the event on a queue and returns: the plugin answers 200 at once,
 * and the slow work runs after. After `npm run build`:
 *   PULSE_WEBHOOK_SECRET=whsec_... node dist/examples/queue-recipe.js
 *   npx fastify-webhooks send pulse job.completed --url http://127.0.0.1:3000/webhooks/pulse --secret "$PULSE_WEBHOOK_SECRET"
 *
 * This queue lives in the process: simple, but a job still waiting when the process dies is lost (the
 * event was already answered 200 and marked handled, so the sender will not retry it). When that
 * matters, use the `queue` option with BullMQ (`fastify-webhooks/bullmq`): Redis keeps the jobs.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import { pulse, type PulseEvent } from '../plugins/pulse.js'

const { PULSE_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

/** Runs jobs one at a time, in order, after the request that added them has been answered. */
class WorkQueue<Job> {
  readonly #jobs: Job[] = []
  #draining: Promise<void> = Promise.resolve()

  constructor (private readonly work: (job: Job) => Promise<void>, private readonly log: FastifyBaseLogger) {}

  add (job: Job): void {
    this.#jobs.push(job)
    if (this.#jobs.length === 1) this.#draining = this.#drain()
  }

  /** Resolves once every job added so far has run: for a clean shutdown. */
  idle (): Promise<void> {
    return this.#draining
  }

  async #drain (): Promise<void> {
    while (this.#jobs.length > 0) {
      try {
        await this.work(this.#jobs[0]!)
      } catch (err) {
        this.log.error({ err }, 'queued work failed') // your retry or alerting goes here
      }
      this.#jobs.shift()
    }
  }
}

type JobCompleted = Extract<PulseEvent, { type: 'job.completed' }>

/** The slow part: here a pause stands in for fetching the result and writing a report. */
async function writeReport (event: JobCompleted): Promise<void> {
  const { job_id: job, pages_processed: pages } = event.payload.data
  if (pages === 0) throw new Error(`job ${job} has no pages to report on`)
  await sleep(200)
  app.log.info({ job, pages }, 'report written')
}

const app = Fastify({ logger: true })
const reports = new WorkQueue(writeReport, app.log)

await app.register(pulse, {
  secret: PULSE_WEBHOOK_SECRET,
  on: {
    // Returns at once: the plugin answers 200 while the report waits its turn.
    'job.completed': async (event, request) => {
      reports.add(event)
      request.log.info({ job: event.payload.data.job_id }, 'report queued')
    }
  }
})
// On shutdown, stop taking requests, then finish the queued work.
app.addHook('onClose', async () => { await reports.idle() })
process.once('SIGTERM', () => app.close())

await app.listen({ host: HOST, port: Number(PORT) })
