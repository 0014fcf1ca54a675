/**
 * `fastify-webhooks/bullmq`: the worker side of the `queue` option. The web
 * process verifies, types and enqueues (`queue: new Queue(...)` on any provider
 * plugin); `createWebhookWorker` runs the same handlers on the jobs, with
 * BullMQ's retries, backoff and stalled-job recovery.
 */
import { Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq'
import type { FastifyWebhookProviders } from 'fastify'
import { isKnownJob } from '../lib/queue.js'
import type {} from './receiver.js' // declares FastifyWebhookProviders

export { DEFAULT_JOB_OPTIONS, UNKNOWN_JOB_PREFIX, jobIdOf, type QueueOption, type WebhookJobOptions, type WebhookQueue } from '../lib/queue.js'

/** Every event of the provider plugins imported in this program (the type of `request.webhook`). */
export type WebhookEvent = FastifyWebhookProviders[keyof FastifyWebhookProviders]

/** What a job holds: the event as JSON, `receivedAt` as an ISO string. The worker gives handlers a Date again. */
export type WebhookJobData<E extends { receivedAt: Date }> = E extends unknown ? Omit<E, 'receivedAt'> & { receivedAt: string } : never

/** A verified event whose type no schema knew when it was received. */
export interface UnknownWebhookEvent {
  provider: string
  id: string
  type: string
  payload: unknown
  receivedAt: Date
  /** the signed timestamp (seconds), for Standard Webhooks providers */
  timestamp?: number
}

/** A handler in a worker: the typed event, then the BullMQ job (attempt number, `job.log`, ...). Throw to retry. */
export type JobHandler<E, D = unknown> = (event: E, job: Job<D>) => unknown

/**
 * Handlers that take the event alone fit both places: the plugin's `on` (inline) and the worker's `on`.
 * `const on: EventHandlers<PulseEvent> = { 'job.completed': async event => { ... } }`
 */
export type EventHandlers<E extends { type: string }> = { [T in E['type']]?: (event: Extract<E, { type: T }>) => unknown }

export interface WebhookWorkerOptions<E extends { type: string, receivedAt: Date }> {
  /** Redis connection: ioredis options, or an ioredis client made with `maxRetriesPerRequest: null`. */
  connection: ConnectionOptions
  /** The name of the `Queue` the web process adds to. */
  queueName: string
  /** One handler per event type, as in the plugin's `on`; the second argument is the Job. */
  on?: { [T in E['type']]?: JobHandler<Extract<E, { type: T }>, WebhookJobData<E>> }
  /** Runs for every event of a known type, after its handler in `on`. */
  onEvent?: JobHandler<E, WebhookJobData<E>>
  /** Runs for an event whose type no schema knew. Default: none (the job completes). */
  onUnknown?: JobHandler<UnknownWebhookEvent, WebhookJobData<E>>
  /** Jobs run at once by this worker. Default 1. */
  concurrency?: number
  /** Any other BullMQ `WorkerOptions` (lockDuration, stalledInterval, limiter, autorun, prefix, settings.backoffStrategy...). */
  worker?: Omit<WorkerOptions, 'connection' | 'concurrency'>
}

const NAME = 'fastify-webhooks/bullmq'

/**
 * A BullMQ `Worker` on `queueName` that gives each job's event to its handlers. A handler that throws
 * fails the attempt: BullMQ retries it with the job's `attempts` and `backoff` (set where the job is
 * added: the plugin's `queue.jobOptions`), then keeps it in the failed set. Close it with `worker.close()`.
 */
export function createWebhookWorker<E extends { type: string, receivedAt: Date } = WebhookEvent> (
  options: WebhookWorkerOptions<E>
): Worker<WebhookJobData<E>, void> {
  const fail = (message: string): never => { throw new TypeError(`${NAME}: ${message}`) }
  const { connection, queueName, on = {}, onEvent, onUnknown, concurrency = 1, worker = {} } = (options ?? {}) as Partial<WebhookWorkerOptions<E>>
  if (typeof connection !== 'object' || connection === null) fail('option "connection" is required (ioredis options or client)')
  if (typeof queueName !== 'string' || queueName === '') fail('option "queueName" must be the name of the queue')
  if (typeof on !== 'object' || on === null) fail('option "on" must be an object of handlers')
  for (const [type, handler] of Object.entries(on)) {
    if (typeof handler !== 'function') fail(`option "on.${type}" must be a function`)
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') fail('option "onEvent" must be a function')
  if (onUnknown !== undefined && typeof onUnknown !== 'function') fail('option "onUnknown" must be a function')
  if (!Number.isInteger(concurrency) || concurrency < 1) fail('option "concurrency" must be a positive integer')

  const handlers = new Map(Object.entries(on) as Array<[string, JobHandler<unknown, WebhookJobData<E>>]>)
  const all = onEvent as JobHandler<unknown, WebhookJobData<E>> | undefined

  async function processEvent (job: Job<WebhookJobData<E>>): Promise<void> {
    const data = job.data as { type: string, receivedAt: string }
    // JSON in Redis turned the Date into a string; handlers get the same event as `request.webhook`.
    const event = { ...data, receivedAt: new Date(data.receivedAt) }
    if (!isKnownJob({ name: job.name, data })) {
      await onUnknown?.(event as unknown as UnknownWebhookEvent, job)
      return
    }
    await handlers.get(data.type)?.(event, job)
    await all?.(event, job)
  }

  return new Worker<WebhookJobData<E>, void>(queueName!, processEvent, { ...worker, connection: connection!, concurrency })
}

/**
 * A `queue.transform` for Retab: empties `file_payload.url` (the whole document as a data URL, up to
 * tens of MB) before the event is stored, keeping the filename. `queue: { queue, transform: dropFileUrl }`
 */
export function dropFileUrl<E extends { payload: unknown }> (event: E): E {
  const payload = event.payload as { file_payload?: { url?: unknown } | null } | null
  if (typeof payload?.file_payload?.url !== 'string') return event
  return { ...event, payload: { ...payload, file_payload: { ...payload.file_payload, url: '' } } }
}
