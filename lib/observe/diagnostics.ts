/**
 * What happens to each delivery, published on `node:diagnostics_channel`: a TracingChannel around the
 * dispatch of each event (route and worker), and one plain channel per outcome. The messages are a stable
 * interface (README, "Observing deliveries"); they carry names, ids, reasons and durations, never a secret,
 * a signature or a payload. Every publish waits for `hasSubscribers`, so nobody listening costs nothing.
 */
import { channel, subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { dispatch, type Dispatch, type Dispatched } from '../core/dispatch.js'

/** The job a worker runs (worker messages only). */
export interface JobInfo {
  /** the BullMQ queue's name */
  queue: string
  id: string
  /** 1 for the first try */
  attempt: number
  /** milliseconds from the job being added to this try starting */
  lag: number
}

interface EventFields {
  provider: string
  /** the tenant whose secret verified it, with many tenants */
  tenant?: string
  id: string
  type: string
}

/** Where the event runs: in the HTTP request, or in a queue worker. */
export type Where = 'route' | 'worker'

/** The context of `fastify-webhooks:delivery` (start, end, asyncStart, asyncEnd, error). */
export interface DeliveryMessage extends EventFields {
  where: Where
  job?: JobInfo
  /**
   * W3C traceparent. On the route a subscriber may set it at `start`: a queued job then carries it.
   * In the worker, the one the job carried, for a span link.
   */
  traceparent?: string
  /** set by the TracingChannel at asyncEnd: 'handled' or 'duplicate' */
  result?: Dispatched
  /** set by the TracingChannel at error */
  error?: unknown
}

/** `fastify-webhooks:refused`: the plugin refused a delivery, or kept it as invalid and answered 200 (nothing ran). */
export interface RefusedMessage {
  provider: string
  /** 'refused' for a signature or timestamp (401), 'invalid' for a body that is not a readable event (other 4xx) */
  outcome: 'refused' | 'invalid'
  /**
   * missing-signature, malformed-signature, timestamp-outside-tolerance, invalid-signature, invalid-json,
   * invalid-payload, unreadable-payload, empty-body, or Fastify's code (FST_ERR_CTP_BODY_TOO_LARGE,
   * FST_ERR_CTP_INVALID_MEDIA_TYPE, ...)
   */
  reason: string
  status: number
}

/** `fastify-webhooks:duplicate`: a repeat that did not run (answered 200 duplicate, or 409 while in flight). */
export interface DuplicateMessage extends EventFields {
  where: Where
  /** true: still being handled elsewhere (409); false: already handled */
  inFlight: boolean
}

/** `fastify-webhooks:handled`: the handlers ran and the event is done. */
export interface HandledMessage extends EventFields {
  where: Where
  /** milliseconds the handlers took */
  duration: number
  job?: JobInfo
}

/** `fastify-webhooks:failed`: the event was not handled and is not marked done (the sender or BullMQ retries). */
export interface FailedMessage extends EventFields {
  where: Where
  /** milliseconds the handlers ran before failing (0 when the store failed first) */
  duration: number
  /** the error's `code` (e.g. WEBHOOK_HANDLER_FAILED), else its name; never its message */
  error: string
  job?: JobInfo
}

/** `fastify-webhooks:queued`: the queue took the event (the route answered 202). */
export interface QueuedMessage extends EventFields {
  queue: string
  jobId: string
}

export const CHANNELS = {
  delivery: 'fastify-webhooks:delivery',
  refused: 'fastify-webhooks:refused',
  duplicate: 'fastify-webhooks:duplicate',
  handled: 'fastify-webhooks:handled',
  failed: 'fastify-webhooks:failed',
  queued: 'fastify-webhooks:queued'
} as const

export const delivery = tracingChannel<unknown, DeliveryMessage>(CHANNELS.delivery)
export const refused = channel(CHANNELS.refused)
export const duplicate = channel(CHANNELS.duplicate)
export const handled = channel(CHANNELS.handled)
export const failed = channel(CHANNELS.failed)
export const queued = channel(CHANNELS.queued)

/** Listeners for `subscribeWebhooks`, each typed by its channel's message. */
export interface WebhookListeners {
  refused?: (message: RefusedMessage) => void
  duplicate?: (message: DuplicateMessage) => void
  handled?: (message: HandledMessage) => void
  failed?: (message: FailedMessage) => void
  queued?: (message: QueuedMessage) => void
}

/** Subscribes typed listeners to the outcome channels; returns the function that unsubscribes them. */
export function subscribeWebhooks (listeners: WebhookListeners): () => void {
  const subscribed = Object.entries(listeners).map(
    ([key, listener]) => [CHANNELS[key as keyof WebhookListeners], listener as (message: unknown) => void] as const
  )
  for (const [name, listener] of subscribed) subscribe(name, listener)
  return () => { for (const [name, listener] of subscribed) unsubscribe(name, listener) }
}

/**
 * The message of each event dispatched while someone subscribes, by event, for the queue sink. Not an
 * AsyncLocalStorage: in Node 20 one would put async hooks on every promise of the process.
 */
const messages = new WeakMap<object, DeliveryMessage>()

/** The traceparent a subscriber gave this event's delivery, for the job that carries it on. */
export function traceparentOf (event: object): string | undefined {
  return messages.get(event)?.traceparent
}

/**
 * Publishes a refusal: an error answered 4xx before anything ran (not a 409: that is a duplicate in flight).
 * The reason is the code's: WEBHOOK_INVALID_SIGNATURE → invalid-signature; Fastify's own codes as they are.
 */
export function publishRefused (provider: string, error: Error & { code?: string, statusCode?: number }): void {
  if (!refused.hasSubscribers) return
  const { code = 'UNKNOWN', statusCode: status = 500 } = error
  if (status < 400 || status > 499 || code === 'WEBHOOK_IN_FLIGHT') return
  const reason = code.startsWith('WEBHOOK_') ? code.slice('WEBHOOK_'.length).toLowerCase().replaceAll('_', '-') : code
  refused.publish({
    provider,
    outcome: status === 401 ? 'refused' : 'invalid',
    reason,
    status
  } satisfies RefusedMessage)
}

/** Publishes a verified event kept as invalid and answered 200 (`acceptInvalid`): an `invalid` outcome all the same. */
export function publishAcceptedInvalid (provider: string): void {
  if (!refused.hasSubscribers) return
  refused.publish({ provider, outcome: 'invalid', reason: 'invalid-payload', status: 200 } satisfies RefusedMessage)
}

/** Publishes that a queue took an event. */
export function publishQueued (event: EventFields, queue: string, jobId: string): void {
  if (!queued.hasSubscribers) return
  const published: QueuedMessage = { provider: event.provider, id: event.id, type: event.type, queue, jobId }
  if (event.tenant !== undefined) published.tenant = event.tenant
  queued.publish(published)
}

function observed (): boolean {
  return delivery.hasSubscribers || handled.hasSubscribers || failed.hasSubscribers || duplicate.hasSubscribers
}

/**
 * `dispatch`, observed. `handles`: whether running means handling (inline handlers, a worker) or handing on
 * (a queue, which publishes `queued` itself). Without subscribers this is `dispatch(d)` and nothing more.
 */
export function observedDispatch (
  d: Dispatch,
  event: EventFields,
  where: Where,
  handles: boolean,
  job?: JobInfo & { traceparent?: string }
): Promise<Dispatched> {
  if (!observed()) return dispatch(d)
  const message: DeliveryMessage = { provider: event.provider, id: event.id, type: event.type, where }
  if (event.tenant !== undefined) message.tenant = event.tenant
  if (job !== undefined) {
    const { traceparent, ...info } = job
    message.job = info
    if (traceparent !== undefined) message.traceparent = traceparent
  }
  let duration = 0
  let done = true
  const timed: Dispatch = {
    ...d,
    run: async () => {
      const started = performance.now()
      try {
        done = await d.run()
        return done
      } finally {
        duration = performance.now() - started
      }
    }
  }
  messages.set(event, message)
  return delivery.tracePromise(dispatch, message, undefined, timed).then(
    result => {
      if (result === 'duplicate') publishDuplicate(message, false)
      else if (!done) publishFailed(message, duration, 'WEBHOOK_HANDLER_ANSWERED_ERROR')
      else if (handles) publishHandled(message, duration)
      return result
    },
    (err: unknown) => {
      const code = errorType(err)
      if (code === 'WEBHOOK_IN_FLIGHT') publishDuplicate(message, true)
      else publishFailed(message, duration, code)
      throw err
    }
  )
}

/** The fields every outcome message of an event carries: provider, tenant when there is one, id, type, where. */
function eventFields (message: DeliveryMessage): EventFields & { where: Where } {
  const fields: EventFields & { where: Where } = {
    provider: message.provider,
    id: message.id,
    type: message.type,
    where: message.where
  }
  if (message.tenant !== undefined) fields.tenant = message.tenant
  return fields
}

function publishHandled (message: DeliveryMessage, duration: number): void {
  if (!handled.hasSubscribers) return
  const published: HandledMessage = { ...eventFields(message), duration }
  if (message.job !== undefined) published.job = message.job
  handled.publish(published)
}

function publishDuplicate (message: DeliveryMessage, inFlight: boolean): void {
  if (!duplicate.hasSubscribers) return
  duplicate.publish({ ...eventFields(message), inFlight } satisfies DuplicateMessage)
}

function publishFailed (message: DeliveryMessage, duration: number, error: string): void {
  if (!failed.hasSubscribers) return
  const published: FailedMessage = { ...eventFields(message), duration, error }
  if (message.job !== undefined) published.job = message.job
  failed.publish(published)
}

/** A low-cardinality name for an error: its code, else its class name; never its message. */
export function errorType (err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, name } = err as { code?: unknown, name?: unknown }
    if (typeof code === 'string') return code
    if (typeof name === 'string') return name
  }
  return typeof err
}
