/**
 * `fastify-webhooks/bullmq`: the worker side of the `queue` option. The web
 * process verifies, types and enqueues (`queue: new Queue(...)` on any provider
 * plugin); `createWebhookWorker` runs the same handlers on the jobs, with
 * BullMQ's retries, backoff and stalled-job recovery.
 */
import { Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq'
import type { FastifyWebhookProviders } from 'fastify'
import { dispatch, silentLogger, type Logger } from '../core/dispatch.js'
import { eventKey } from '../core/event-key.js'
import { checkHandlers, runHandlers } from '../core/handlers.js'
import type { ProviderSpec, WebhookEventData } from '../core/provider.js'
import { isKnownJob } from './sink.js'
import { workerOptions } from './worker-options.js'
import { deliveryObserver } from '../observe/observer.js'
import { resolveIdempotency } from '../fastify/options.js'
import type { IdempotencyOptions, UnknownWebhookEvent } from '../fastify/types.js'
// declares FastifyWebhookProviders (an export, so that the .d.ts keeps it)
export type {} from '../fastify/define-provider.js'

export type { EventHandlers, UnknownWebhookEvent } from '../fastify/types.js'
export {
  DEFAULT_JOB_OPTIONS,
  UNKNOWN_JOB_PREFIX,
  jobIdOf,
  type QueueOption,
  type WebhookJobOptions,
  type WebhookQueue
} from './sink.js'

/** What the worker needs of an event type: the fields every verified event has. */
export type WorkerEvent = WebhookEventData

/** Every event of the provider plugins imported in this program (the type of `request.webhook`). */
export type WebhookEvent = FastifyWebhookProviders[keyof FastifyWebhookProviders]

/**
 * What a job holds: the event as JSON, `receivedAt` as an ISO string (the worker gives handlers a Date again),
 * and the W3C `traceparent` of the request that queued it when a tracer was listening (handlers do not get it).
 */
export type WebhookJobData<E extends { receivedAt: Date }> = E extends unknown
  ? Omit<E, 'receivedAt'> & { receivedAt: string; traceparent?: string }
  : never

/** A handler in a worker: the typed event, then the BullMQ job (attempt number, `job.log`, ...). Throw to retry. */
export type JobHandler<E, D = unknown> = (event: E, job: Job<D>) => unknown

export interface WebhookWorkerOptions<E extends WorkerEvent> {
  /** Redis connection: ioredis options, or an ioredis client made with `maxRetriesPerRequest: null`. */
  connection: ConnectionOptions
  /** The name of the `Queue` the web process adds to. */
  queueName: string
  /** One handler per event type, as in the plugin's `on`; the second argument is the Job. */
  on?: { [T in E['type']]?: JobHandler<Extract<E, { type: T }>, WebhookJobData<E>> } | undefined
  /** Runs for every event of a known type, after its handler in `on`. */
  onEvent?: JobHandler<E, WebhookJobData<E>> | undefined
  /** Runs for an event whose type no schema knew. Default: none (the job completes). */
  onUnknown?: JobHandler<UnknownWebhookEvent, WebhookJobData<E>> | undefined
  /**
   * The plugins whose events this worker runs: then a key of `on` that is none of their event types
   * throws, as it does in the plugin. Without it, the keys are not checked.
   */
  providers?: ReadonlyArray<{ readonly provider: ProviderSpec }> | undefined
  /**
   * Deduplicate again in the worker, with a store shared with other workers: a job retried after its
   * handlers ran (a worker killed before BullMQ marked it done) is then not run twice. Default: none
   * (BullMQ's job id already keeps one job per event).
   */
  idempotency?: IdempotencyOptions | undefined
  /** Where the worker's idempotency lines go (duplicates, store failures). Default: nowhere. */
  logger?: Logger | undefined
  /** Jobs run at once by this worker. Default 1. */
  concurrency?: number | undefined
  /**
   * Any other BullMQ `WorkerOptions` (lockDuration, stalledInterval, limiter, autorun, prefix,
   * settings.backoffStrategy...).
   */
  worker?: Omit<WorkerOptions, 'connection' | 'concurrency'> | undefined
}

const NAME = 'fastify-webhooks/bullmq'

/**
 * A BullMQ `Worker` on `queueName` that gives each job's event to its handlers. A handler that throws
 * fails the attempt: BullMQ retries it with the job's `attempts` and `backoff` (set where the job is
 * added: the plugin's `queue.jobOptions`), then keeps it in the failed set. Close it with `worker.close()`.
 */
export function createWebhookWorker<E extends WorkerEvent = WebhookEvent> (
  options: WebhookWorkerOptions<E>
): Worker<WebhookJobData<E>, void> {
  const fail = (message: string): never => {
    throw new TypeError(`${NAME}: ${message}`)
  }
  workerOptions.check(options ?? {}, fail)
  const { connection, queueName, concurrency = 1, worker = {}, providers, logger = silentLogger, ...rest } = options
  const types =
    providers === undefined
      ? null
      : {
          provider: providers.map(plugin => plugin.provider.name).join(' or '),
          names: providers.flatMap(plugin => Object.keys(plugin.provider.events))
        }
  const handlers = checkHandlers<[Job<WebhookJobData<E>>]>(rest, types, fail)
  const idempotency = rest.idempotency === undefined ? null : resolveIdempotency(rest.idempotency, fail)
  const observer = deliveryObserver('worker', true)

  async function processEvent (job: Job<WebhookJobData<E>>): Promise<void> {
    const { traceparent, ...data } = job.data
    // JSON in Redis turned the Date into a string; handlers get the same event as `request.webhook`.
    // (Asserted: through the generic E, `tenant` reads as `string | undefined`, which exact optional types refuse.)
    const event = { ...data, receivedAt: new Date(data.receivedAt) } as WebhookEventData
    const known = isKnownJob({ name: job.name, data })
    await dispatch({
      idempotency,
      key: eventKey(data),
      event,
      log: logger,
      fields: { provider: data.provider, tenant: data.tenant, id: data.id, type: data.type, job: job.id },
      run: async () => {
        await runHandlers(handlers, event, known, job)
        return true
      },
      observer,
      job: {
        queue: job.queueName,
        id: String(job.id),
        attempt: job.attemptsMade + 1,
        lag: Date.now() - job.timestamp,
        traceparent
      }
    })
  }

  return new Worker<WebhookJobData<E>, void>(queueName, processEvent, { ...worker, connection, concurrency })
}
