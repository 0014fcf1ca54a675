/**
 * Publishes each delivery on the channels of lib/observe/channels.ts. Every publish waits for
 * `hasSubscribers`, so nobody listening costs nothing. Reached only through lib/observe/observer.ts.
 */
import type { Dispatch, Dispatched } from '../core/dispatch.js'
import {
  delivery, duplicate, errorType, failed, handled, queued, refused,
  type DeliveryMessage, type DuplicateMessage, type EventFields, type FailedMessage, type HandledMessage,
  type QueuedMessage, type RefusedMessage, type Where
} from './channels.js'

/**
 * Publishes a refusal: an error answered 4xx before anything ran (not a 409: that is a duplicate in flight).
 * The reason is the code's: WEBHOOK_INVALID_SIGNATURE → invalid-signature; Fastify's own codes as they are.
 */
export function publishRefused (provider: string, error: Error & { code?: string, statusCode?: number }): void {
  if (!refused.hasSubscribers) return
  const { code = 'UNKNOWN', statusCode: status = 500 } = error
  if (status < 400 || status > 499 || code === 'WEBHOOK_IN_FLIGHT') return
  const reason = code.startsWith('WEBHOOK_')
    ? code.slice('WEBHOOK_'.length).toLowerCase().replaceAll('_', '-')
    : code
  const outcome = status === 401 ? 'refused' : 'invalid'
  refused.publish({ provider, outcome, reason, status } satisfies RefusedMessage)
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

/** Whether any channel of a dispatch has a subscriber. */
export function observing (): boolean {
  return delivery.hasSubscribers || handled.hasSubscribers || failed.hasSubscribers || duplicate.hasSubscribers
}

/**
 * Runs `settle` on `d` inside the delivery TracingChannel, then publishes its outcome. `runsHandlers`: whether
 * `d.run` runs the handlers (inline on the route, or in a worker), so that a run that succeeded is published as
 * `handled`; false when it only hands the event to a queue, which publishes `queued` itself.
 * The message is the trace context `run` gets, so a traceparent a subscriber set at `start` reaches the queue.
 */
export function publishDispatch (
  d: Dispatch, settle: (d: Dispatch) => Promise<Dispatched>, event: EventFields, where: Where, runsHandlers: boolean
): Promise<Dispatched> {
  const message: DeliveryMessage = { provider: event.provider, id: event.id, type: event.type, where }
  if (event.tenant !== undefined) message.tenant = event.tenant
  if (d.job !== undefined) {
    const { traceparent, ...info } = d.job
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
        done = await d.run(message)
        return done
      } finally {
        duration = performance.now() - started
      }
    }
  }
  return delivery.tracePromise(settle, message, undefined, timed).then(
    result => {
      if (result === 'duplicate') publishDuplicate(message, false)
      else if (!done) publishFailed(message, duration, 'WEBHOOK_HANDLER_ANSWERED_ERROR')
      else if (runsHandlers) publishHandled(message, duration)
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

/**
 * Puts the event's tenant, when it has one, on an outcome message. The messages are written out field by field
 * rather than spread from a part they share, which allocates less.
 */
function withTenant<M extends EventFields> (published: M, message: DeliveryMessage): M {
  if (message.tenant !== undefined) published.tenant = message.tenant
  return published
}

function publishHandled (message: DeliveryMessage, duration: number): void {
  if (!handled.hasSubscribers) return
  const { provider, id, type, where, job } = message
  const published = withTenant<HandledMessage>({ provider, id, type, where, duration }, message)
  if (job !== undefined) published.job = job
  handled.publish(published)
}

function publishDuplicate (message: DeliveryMessage, inFlight: boolean): void {
  if (!duplicate.hasSubscribers) return
  const { provider, id, type, where } = message
  duplicate.publish(withTenant<DuplicateMessage>({ provider, id, type, where, inFlight }, message))
}

function publishFailed (message: DeliveryMessage, duration: number, error: string): void {
  if (!failed.hasSubscribers) return
  const { provider, id, type, where, job } = message
  const published = withTenant<FailedMessage>({ provider, id, type, where, duration, error }, message)
  if (job !== undefined) published.job = job
  failed.publish(published)
}
