/**
 * Steps 4-5 of a delivery, shared by the Fastify route and the queue worker: take the event's key in the
 * idempotency store, run, then mark it done, or release its lease so that the sender's retry runs it again.
 */
import { WebhookClaimLostError, WebhookInFlightError, WebhookStoreError } from './errors.js'
import {
  isTransactional,
  keepsEvents,
  type ClaimResult,
  type IdempotencyStore,
  type TransactionalStore
} from '../stores/idempotency.js'
import type { DeliveryObserver, JobInfo, TraceContext } from './observer.js'
import type { WebhookEventData } from './provider.js'

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

const ignore = (): void => {}
/** A logger that drops every line. */
export const silentLogger: Logger = { info: ignore, warn: ignore, error: ignore }

export interface Dispatch {
  /** null: every delivery runs (deduplication off, or done elsewhere, as by a queue's job id) */
  idempotency: Idempotency | null
  /** the store key: provider and event id */
  key: string
  /** the event, for a store that keeps events */
  event?: WebhookEventData
  /** How to take the key. Default: the store's `claim`; a replay reopens kept events instead (`reclaim`). */
  claim?: () => Promise<ClaimResult>
  log: Logger
  /** what every log line of this event carries: provider, id, type */
  fields: object
  /** The line logged when dispatch resolves 'handled'. Default: none. */
  handledLog?: string | undefined
  /**
   * Runs the handlers; resolves false when the event was not handled after all (a handler answered an error itself).
   * `trace` is given while the delivery is observed.
   */
  run (trace?: TraceContext): Promise<boolean>
  /**
   * Called once this run holds the key's lease, before `run` (not with a transactional store: its transaction rolls
   * back first, once `run` resolves). `lease.release()` drops the lease at once: for a caller that answers before
   * `run` resolves (a handler answered an error itself), so that the sender's immediate retry takes the key. Dispatch
   * then neither releases nor completes the key again; once dispatch settled the key, `release` does nothing.
   */
  held? (lease: HeldLease): void
  /** Wraps what `run` threw, for the caller's answer; the original is its `cause`. Default: rethrown as is. */
  failure? (cause: unknown): Error
  /** who watches this delivery, when anyone does; its `event` then names the event */
  observer?: DeliveryObserver
  /** the job a worker runs, with the trace context it carried */
  job?: JobInfo & TraceContext
  /**
   * A verified event whose payload fails its schema. A store that keeps events keeps it as invalid instead of taking
   * its key, then it is refused with `refusal`, or accepted (`run` runs, and it resolves 'kept-invalid'). With any
   * other store (or none) `run` is what keeps it, so only `accept` makes sense: the key is taken and `run` runs as
   * for any event, and the key is marked done only once `run` resolved.
   */
  invalid?: { refusal: Error, accept: boolean } | undefined
}

/** A lease `Dispatch.held` is handed. `release` never rejects: a store's failure is logged. */
export interface HeldLease {
  release (): Promise<void>
}

/** `kept-invalid`: an invalid event kept and accepted (see `Dispatch.invalid`). */
export type Dispatched = 'handled' | 'duplicate' | 'kept-invalid'

/**
 * Throws WebhookInFlightError (another run's lease holds the key), WebhookStoreError (the store failed to
 * take the key, or to commit a transaction), WebhookClaimLostError (the lease is lost: a transactional
 * store's lease ran out and another run took the event), or what `run` threw, wrapped by `failure`.
 * Nothing is logged for a throw: the caller's framework logs the error with its cause, once.
 */
export function dispatch (d: Dispatch): Promise<Dispatched> {
  const { observer } = d
  if (d.invalid !== undefined) return keepInvalid(d, d.invalid)
  return observer?.observing === true ? observer.observe(d, settle) : settle(d)
}

/**
 * Keeps an invalid event: in a store that keeps events (for a replay after a schema fix), then refuses it, or runs
 * `run` and accepts it; or, with no such store, through `run` alone, which then holds the key as a handler does.
 */
async function keepInvalid (d: Dispatch, { refusal, accept }: NonNullable<Dispatch['invalid']>): Promise<Dispatched> {
  const store = d.idempotency?.store
  // The route names the event of every delivery it dispatches.
  const event = d.event!
  if (store !== undefined && keepsEvents(store)) {
    try {
      await store.keepInvalid(d.key, event, refusal.message)
    } catch (err) {
      throw new WebhookStoreError({ cause: err })
    }
    if (!accept) throw refusal
    try {
      await d.run()
    } catch (err) {
      throw wrapped(d, err)
    }
  } else {
    // Nothing else keeps it: refused, unless `run` takes it on (the plugin's `onInvalid`). Not announced as handled.
    if (!accept) throw refusal
    if (await settle({ ...d, handledLog: undefined }) === 'duplicate') return 'duplicate'
  }
  d.observer?.acceptedInvalid(event.provider)
  d.log.warn(d.fields, 'webhook event kept as invalid; answered 200')
  return 'kept-invalid'
}

/** Takes the key, runs, then completes or releases: dispatch's own steps. */
async function settle (d: Dispatch): Promise<Dispatched> {
  const { idempotency, key, log, fields } = d
  if (idempotency === null) {
    try {
      await d.run()
    } catch (err) {
      throw wrapped(d, err)
    }
    return handledBy(d)
  }
  const { store } = idempotency
  // When this run's lease ends at the latest: it starts no later than the claim is sent.
  const leaseEnds = Date.now() + idempotency.leaseMs
  let found
  try {
    found = await (d.claim === undefined ? store.claim(key, idempotency.leaseMs, d.event) : d.claim())
  } catch (err) {
    throw new WebhookStoreError({ cause: err })
  }
  if (found === 'done') {
    log.info(fields, 'duplicate webhook event, already handled')
    return 'duplicate'
  }
  if (found === 'in-flight') {
    log.info(fields, 'webhook event is in flight elsewhere')
    throw new WebhookInFlightError()
  }

  if (isTransactional(store)) return await runInTransaction(d, store, idempotency.ttlMs)

  const lease = new Lease(d, store)
  d.held?.(lease)
  let handled: boolean
  try {
    handled = await d.run()
  } catch (err) {
    await lease.release(err)
    throw wrapped(d, err)
  }
  if (handled && lease.settle()) {
    try {
      await store.complete(key, idempotency.ttlMs)
    } catch (err) {
      // The handlers ran: failing now would make the sender run them again. So would the lease running out.
      log.error({ ...fields, err }, 'idempotency store failed to record the event')
      keepCompleting(d, store, idempotency.ttlMs, leaseEnds)
    }
  } else {
    await lease.release(NOT_HANDLED)
  }
  return handledBy(d)
}

/** This run's lease on its key, settled once by whoever comes first: a second release could drop another run's. */
class Lease implements HeldLease {
  #settled = false
  readonly #d: Dispatch
  readonly #store: IdempotencyStore

  constructor (d: Dispatch, store: IdempotencyStore) {
    this.#d = d
    this.#store = store
  }

  /** Takes the settling on itself: false when the lease was settled already. */
  settle (): boolean {
    if (this.#settled) return false
    this.#settled = true
    return true
  }

  async release (error: unknown = NOT_HANDLED): Promise<void> {
    if (this.settle()) await release(this.#d, this.#store, error)
  }
}

/** Dispatch's outcome when `run` ran: 'handled', announced with the caller's line. */
function handledBy (d: Dispatch): 'handled' {
  if (d.handledLog !== undefined) d.log.info(d.fields, d.handledLog)
  return 'handled'
}

/** The first wait before `complete` is tried again, and the longest between two tries. */
const RETRY_FIRST_MS = 50
const RETRY_MOST_MS = 2000

/**
 * Tries `complete` again in the background, waiting twice as long each time (at most RETRY_MOST_MS), until it
 * succeeds or this run's lease is over: a store outage shorter than the lease then costs no second run, as the
 * sender's redelivery meanwhile finds the lease (409) and then the done mark. The timers never keep the process alive.
 */
function keepCompleting (d: Dispatch, store: IdempotencyStore, ttlMs: number, leaseEnds: number): void {
  const { key, log, fields } = d
  let wait = RETRY_FIRST_MS
  let tries = 1
  const again = (): void => {
    const left = leaseEnds - Date.now()
    if (left <= 0) {
      log.error({ ...fields, tries }, 'idempotency store did not record the event before its lease ended')
      return
    }
    setTimeout(() => {
      tries++
      store.complete(key, ttlMs).then(() => {
        log.info({ ...fields, tries }, 'idempotency store recorded the event after all')
      }, again)
    }, Math.min(wait, left)).unref()
    wait = Math.min(wait * 2, RETRY_MOST_MS)
  }
  again()
}

/** Runs the handlers in the transaction that marks the event done: their writes and the mark commit together. */
async function runInTransaction (d: Dispatch, store: TransactionalStore, ttlMs: number): Promise<Dispatched> {
  let running = false
  let handled: boolean
  try {
    handled = await store.transaction(d.key, ttlMs, async () => {
      running = true
      const result = await d.run()
      running = false
      return result
    })
  } catch (err) {
    await release(d, store, err)
    if (running) throw wrapped(d, err)
    // Nothing committed: the store failed, or another run took the event after this run's lease ran out.
    throw err instanceof WebhookClaimLostError ? err : new WebhookStoreError({ cause: err })
  }
  if (!handled) await release(d, store, NOT_HANDLED)
  return handledBy(d)
}

/** Why a store that keeps events marks one failed when a handler answered an error itself. */
const NOT_HANDLED = new Error('a handler answered the delivery with an error')

async function release (d: Dispatch, store: IdempotencyStore, error: unknown): Promise<void> {
  await store
    .release(d.key, error)
    .catch((err: unknown) => d.log.error({ ...d.fields, err }, 'idempotency store failed to release the event'))
}

/** What `run` threw, as the caller answers it (`failure`). */
function wrapped (d: Dispatch, err: unknown): unknown {
  return d.failure === undefined ? err : d.failure(err)
}
