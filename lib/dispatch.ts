/**
 * Steps 4-5 of a delivery, shared by the Fastify route and the queue worker: claim the event's key in the
 * idempotency store, run, then mark it done, or release it so that the sender's retry runs it again.
 */
import { WebhookInFlightError, WebhookStoreError } from './errors.js'
import type { IdempotencyStore } from './idempotency.js'

export interface Idempotency {
  store: IdempotencyStore
  ttlMs: number
  leaseMs: number
}

/** The logger calls the engine makes (pino's, so Fastify's `request.log` fits). */
export interface Logger {
  info (fields: object, message: string): void
  warn (fields: object, message: string): void
  error (fields: object, message: string): void
}

export interface Dispatch {
  /** null: every delivery runs (deduplication off, or done elsewhere, as by a queue's job id) */
  idempotency: Idempotency | null
  /** the store key: provider and event id */
  key: string
  log: Logger
  /** what every log line of this event carries: provider, id, type */
  fields: object
  /** Runs the handlers; resolves false when the event was not handled after all (a handler answered an error itself). */
  run (): Promise<boolean>
  /** Wraps what `run` threw, for the caller's answer; the original is its `cause`. Default: rethrown as is. */
  failure? (cause: unknown): Error
}

export type Dispatched = 'handled' | 'duplicate'

/**
 * Throws WebhookInFlightError (another request holds the claim), WebhookStoreError (the store failed to
 * claim), or what `run` threw, wrapped by `failure`. Nothing is logged for a throw: the caller's framework
 * logs the error with its cause, once.
 */
export async function dispatch (d: Dispatch): Promise<Dispatched> {
  const { idempotency, key, log, fields } = d
  if (idempotency === null) {
    try {
      await d.run()
    } catch (err) {
      throw failed(d, err)
    }
    return 'handled'
  }
  const { store } = idempotency
  let claim
  try {
    claim = await store.claim(key, idempotency.leaseMs)
  } catch (err) {
    throw new WebhookStoreError({ cause: err })
  }
  if (claim === 'done') {
    log.info(fields, 'duplicate webhook event, already handled')
    return 'duplicate'
  }
  if (claim === 'in-flight') {
    log.info(fields, 'webhook event is in flight elsewhere')
    throw new WebhookInFlightError()
  }

  let handled: boolean
  try {
    handled = await d.run()
  } catch (err) {
    await store.release(key).catch(releaseErr => log.error({ ...fields, err: releaseErr }, 'idempotency store failed to release the event'))
    throw failed(d, err)
  }
  try {
    await (handled ? store.complete(key, idempotency.ttlMs) : store.release(key))
  } catch (err) {
    // The handlers ran: failing now would make the sender run them again.
    log.error({ ...fields, err }, 'idempotency store failed to record the event')
  }
  return 'handled'
}

function failed (d: Dispatch, err: unknown): unknown {
  return d.failure === undefined ? err : d.failure(err)
}
