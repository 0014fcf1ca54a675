/**
 * The `queue` option: a sink that hands verified events to a BullMQ queue instead of running them in
 * the request. Only the shape of a BullMQ `Queue` is used here (bullmq is never imported), so the core
 * package does not need bullmq installed.
 */
import { WebhookQueueError } from '../core/errors.js'
import type { Logger } from '../core/dispatch.js'
import type { DeliveryObserver } from '../core/observer.js'
import { isFunction, isObject, optionTable, optional, rule } from '../core/option-table.js'
import type { Sink } from '../core/sinks.js'
import { withTimeout } from '../core/timeout.js'

/** How many finished jobs BullMQ keeps (its `KeepJobs`). */
export type KeepJobs = { count: number } | { age: number, count?: number, limit?: number }

/** Job options as BullMQ reads them (`JobsOptions`); the ones the engine sets by default are named. */
export interface WebhookJobOptions {
  /** Tries in all, the first one included. Default 5. */
  attempts?: number
  /** Wait before a retry. Default `{ type: 'exponential', delay: 1000 }`: 1 s, 2 s, 4 s, 8 s. */
  backoff?: number | { type: string, delay?: number, jitter?: number }
  /** Default `{ age: 259200 }` (3 days). A duplicate is recognised only while its job is kept. */
  removeOnComplete?: boolean | number | KeepJobs
  /** Default `{ age: 1209600 }` (14 days), so failed jobs stay for inspection and `job.retry()`. */
  removeOnFail?: boolean | number | KeepJobs
  [option: string]: unknown
}

/** What the engine needs of a BullMQ `Queue` (any `Queue` you made fits). */
export interface WebhookQueue {
  readonly name: string
  add (name: string, data: unknown, opts?: WebhookJobOptions): Promise<unknown>
  /** the options given to `new Queue(name, { defaultJobOptions })`; they win over the engine's defaults */
  readonly defaultJobOptions?: object
  on? (event: 'error', listener: (err: Error) => void): unknown
  listenerCount? (event: 'error'): number
}

/** The `queue` option: a `Queue`, or a `Queue` with job options, a transform and a time limit. */
export type QueueOption<E> = WebhookQueue | {
  queue: WebhookQueue
  /** Options of every job added (after the queue's own `defaultJobOptions`); `jobId` is always the engine's. */
  jobOptions?: { [Name in keyof WebhookJobOptions]?: WebhookJobOptions[Name] | undefined } | undefined
  /**
   * Changes a known event before it is stored, e.g. drops a whole document carried in the payload; an async
   * one may put the document in object storage first. A throw or rejection is answered 500 (the sender retries).
   */
  transform?: ((event: E) => E | Promise<E>) | undefined
  /**
   * Milliseconds to wait for Redis to take the job before answering 500. Default 5000. The one duration option
   * not in seconds: public as it is (CONTRIBUTING, "Design decisions").
   */
  timeout?: number | undefined
}

export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 259_200 },
  removeOnFail: { age: 1_209_600 }
} as const satisfies WebhookJobOptions

/** Prefix of the job name of an event whose type no schema knows (a known event's job name is its type). */
export const UNKNOWN_JOB_PREFIX = 'unknown:'

/**
 * The job id: provider, tenant if any, and event id, so a redelivery adds nothing (BullMQ keeps the first job).
 * BullMQ refuses ':' in custom ids (and pure integers): '%' and ':' are escaped, which keeps ids distinct;
 * a tenant comes after a '/', which no provider name has, and has its '.' escaped too.
 */
export function jobIdOf (provider: string, id: string, tenant?: string): string {
  const head = tenant === undefined ? provider : `${provider}/${escape(tenant).replaceAll('.', '%2E')}`
  return `${head}.${escape(id)}`
}

function escape (text: string): string {
  return text.replaceAll('%', '%25').replaceAll(':', '%3A')
}

/** True when a job holds an event of a known type (its name is its type), false for `onUnknown` ones. */
export function isKnownJob (job: { name: string, data: { type: string } }): boolean {
  return job.name === job.data.type
}

/** The settings of `queue: { queue, ... }`, as `QueueOption` names them. */
export const queueOptions = optionTable({
  queue: rule(isQueue, 'must be a BullMQ Queue (an object with name and add)'),
  jobOptions: optional(isObject, 'an object'),
  transform: optional(isFunction, 'a function'),
  timeout: optional(value => typeof value === 'number' && value > 0, 'a positive number of milliseconds')
}, 'queue.')

/** Checks the `queue` option at registration; null when it is absent. */
export function queueSink<Args extends unknown[]> (
  option: unknown,
  provider: string,
  fail: (message: string) => never
): Sink<Args> | null {
  if (option === undefined) return null
  if (typeof option !== 'object' || option === null) {
    return fail('option "queue" must be a BullMQ Queue or { queue, jobOptions?, transform?, timeout? }')
  }
  const settings: Record<string, unknown> = isQueue(option) ? { queue: option } : { ...option }
  queueOptions.check(settings, fail)
  // The table has checked their types.
  const { queue, jobOptions = {}, transform, timeout = 5000 } = settings as {
    queue: WebhookQueue
    jobOptions?: WebhookJobOptions
    transform?: (event: object) => object | Promise<object>
    timeout?: number
  }
  // An option given as undefined keeps the default, as one left out does.
  const options = { ...DEFAULT_JOB_OPTIONS, ...queue.defaultJobOptions, ...definedOnly(jobOptions) }
  // Set at registration (`start`), before any delivery.
  let observer: DeliveryObserver

  return {
    runsHandlers: false,
    accepted: { status: 202, log: 'webhook event queued' },
    deduplicates: true,
    async deliver (event, known, trace, ..._args) {
      const transformed = known && transform !== undefined ? await transform(event) : event
      // A tracer's context travels with the job, so that the worker's span links back to this request's.
      const traceparent = trace?.traceparent
      const data = traceparent === undefined ? transformed : { ...transformed, traceparent }
      const name = known ? event.type : UNKNOWN_JOB_PREFIX + event.type
      const jobId = jobIdOf(provider, event.id, event.tenant)
      // A job still added after the time limit is harmless: the sender's retry finds it by its id.
      await withTimeout(
        queue.add(name, data, { ...options, jobId }),
        timeout,
        () => new Error(`the queue did not take the job within ${timeout} ms`)
      )
      observer.queued(event, queue.name, jobId)
      return true
    },
    failure: cause => new WebhookQueueError({ cause }),
    start (log: Logger, observing: DeliveryObserver) {
      observer = observing
      // An 'error' event nobody listens to would crash the process: log the queue's connection errors.
      if (typeof queue.on !== 'function' || queue.listenerCount?.('error') !== 0) return
      queue.on('error', err => log.error({ err, queue: queue.name }, 'webhook queue connection error'))
    }
  }
}

function isQueue (value: unknown): value is WebhookQueue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WebhookQueue).add === 'function' &&
    typeof (value as WebhookQueue).name === 'string'
  )
}

function definedOnly (options: object): object {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
}
