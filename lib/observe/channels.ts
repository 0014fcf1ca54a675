/**
 * The channels each delivery is published on (`node:diagnostics_channel`): a TracingChannel around the
 * dispatch of each event (route and worker), and one plain channel per outcome. Their names and messages
 * are a stable interface (README, "Observing deliveries"); they carry names, ids, reasons and durations,
 * never a secret, a signature or a payload. What publishes them is lib/observe/publish.ts.
 */
import { channel, subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import type { Dispatched } from '../core/dispatch.js'
import type { JobInfo } from '../core/observer.js'
import type { WebhookEventData } from '../core/provider.js'

export type { JobInfo } from '../core/observer.js'

/** What every outcome message of an event carries. */
export type EventFields = Pick<WebhookEventData, 'provider' | 'tenant' | 'id' | 'type'>

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

/** The listeners `delivery.subscribe` takes (all five, as @types/node 22 has them), given the delivery's message. */
export interface DeliverySubscribers {
  start: (message: DeliveryMessage) => void
  end: (message: DeliveryMessage) => void
  asyncStart: (message: DeliveryMessage) => void
  asyncEnd: (message: DeliveryMessage) => void
  error: (message: DeliveryMessage) => void
}

/**
 * The part of Node's TracingChannel that `delivery` is used through, declared here rather than as Node's
 * `TracingChannel<...>`: @types/node 26 swapped that generic's type parameters (`<StoreType, ContextType>`
 * became `<ContextType extends object, StoreType>`), so no one instantiation of it compiles in the emitted
 * .d.ts under both @types/node 22/24 and 26. This one does, whichever a user has.
 */
export interface DeliveryChannel {
  readonly hasSubscribers: boolean
  subscribe (subscribers: DeliverySubscribers): void
  unsubscribe (subscribers: DeliverySubscribers): void
  tracePromise<Args extends unknown[], Result> (
    fn: (...args: Args) => Promise<Result>, context: DeliveryMessage, thisArg: undefined, ...args: Args
  ): Promise<Result>
}

export const delivery: DeliveryChannel = tracingChannel(CHANNELS.delivery)
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

/** A low-cardinality name for an error: its code, else its class name; never its message. */
export function errorType (err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { code, name } = err as { code?: unknown, name?: unknown }
    if (typeof code === 'string') return code
    if (typeof name === 'string') return name
  }
  return typeof err
}
