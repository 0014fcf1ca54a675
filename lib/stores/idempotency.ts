/**
 * Idempotency: each event's key is taken in the store before its handlers run. Three words, kept apart:
 * - to take a key (the store's `claim`) is one atomic attempt, which answers what it found (`ClaimResult`);
 * - a lease is what a run holds on a key it took, until it completes or releases it, or the lease runs out
 *   (then another run may take the key; a transaction that finds its lease taken has lost it:
 *   `WebhookClaimLostError`);
 * - a replay reopens a kept event (`PostgresStore.reclaim`): it puts a lease on the event whatever became of it.
 * A store only needs the three calls of `IdempotencyStore`, so Redis (lib/stores/redis.ts) or a
 * database can stand in for the in-memory one.
 */
import type { WebhookEventData } from '../core/provider.js'
import { KeyRing } from './key-ring.js'

/**
 * What taking a key found (the answer of `claim`, or of a replay's `reclaim`): `new`: the key was free, and this
 * run now holds its lease and runs the event; `in-flight`: another run's lease holds it (it has not run out);
 * `done`: the event was handled already.
 */
export type ClaimResult = 'new' | 'in-flight' | 'done'

export interface IdempotencyStore {
  /**
   * Takes `key`: when no live lease and no done mark hold it, puts a lease of `leaseMs` on it for this run and
   * answers `new`; otherwise answers what holds it. Must be atomic across every process sharing the store.
   * `event` is the event the key is for, for a store that keeps events (an inbox); others ignore it.
   */
  claim (key: string, leaseMs: number, event?: WebhookEventData): Promise<ClaimResult>
  /**
   * Marks `key` done for `ttlMs`, in place of its lease; duplicates within that time are answered without running
   * handlers.
   */
  complete (key: string, ttlMs: number): Promise<void>
  /**
   * Drops this run's lease on `key`, so that the sender's retry takes it and runs the handlers again. `error`: why,
   * for a store that keeps events.
   */
  release (key: string, error?: unknown): Promise<void>
}

/** A store that keeps every verified event (an inbox), including those whose payload failed its schema. */
export interface KeepingStore extends IdempotencyStore {
  readonly keepsEvents: true
  /**
   * Keeps an event whose payload failed its schema, as `invalid` with `reason`; a key under a live lease, or done, is
   * left alone.
   */
  keepInvalid (key: string, event: WebhookEventData, reason: string): Promise<void>
}

export function keepsEvents (store: IdempotencyStore): store is KeepingStore {
  return (store as Partial<KeepingStore>).keepsEvents === true
}

/**
 * A store whose done mark is written in the same database transaction as the handlers' own writes,
 * so that both commit or neither does. `dispatch` runs the handlers through `transaction` when the
 * store has it.
 */
export interface TransactionalStore<Tx = unknown> extends IdempotencyStore {
  /**
   * Runs `work` in one transaction. When it resolves true, `key` is marked done (for ttlMs) in that
   * transaction and it commits; when it resolves false or throws, everything rolls back (the lease
   * remains, for the caller to release). Resolves to what `work` resolved. Throws
   * `WebhookClaimLostError` (the lease is lost) when the lease ran out and another run took the key: nothing commits.
   */
  transaction (key: string, ttlMs: number, work: (tx: Tx) => Promise<boolean>): Promise<boolean>
}

export function isTransactional (store: IdempotencyStore): store is TransactionalStore {
  return typeof (store as Partial<TransactionalStore>).transaction === 'function'
}

export interface MemoryStoreOptions {
  /** Most keys kept; the oldest are dropped past it. Default 100,000 (about 10 MB with keys of 40 characters). */
  maxKeys?: number | undefined
  /** Clock in milliseconds, for tests. */
  now?: (() => number) | undefined
}

const NEW: Promise<ClaimResult> = Promise.resolve('new')
const DONE: Promise<ClaimResult> = Promise.resolve('done')
const IN_FLIGHT: Promise<ClaimResult> = Promise.resolve('in-flight')
const SETTLED: Promise<void> = Promise.resolve()

/**
 * A store in this process's memory: bounded by `maxKeys`, entries expire.
 * Right for one instance; several instances need a shared store (Redis).
 * Keys are dropped oldest first, through a ring of `maxKeys` slots (lib/stores/key-ring.ts).
 */
export class MemoryStore implements IdempotencyStore {
  readonly #ring: KeyRing
  readonly #now: () => number

  constructor (options: MemoryStoreOptions = {}) {
    const { maxKeys = 100_000, now = Date.now } = options
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new TypeError('MemoryStore: maxKeys must be a positive integer')
    }
    this.#ring = new KeyRing(maxKeys)
    this.#now = now
  }

  get size (): number {
    return this.#ring.count
  }

  // Not async: each answer is a promise settled once for all, so that a delivery allocates none.
  claim (key: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.#now()
    const ring = this.#ring
    const slot = ring.find(key)
    if (slot !== -1) {
      if (ring.expiresAt(slot) > now) return ring.isDone(slot) ? DONE : IN_FLIGHT
      ring.remove(slot)
    }
    ring.insert(key, false, now + leaseMs)
    return NEW
  }

  complete (key: string, ttlMs: number): Promise<void> {
    const expiresAt = this.#now() + ttlMs
    const ring = this.#ring
    const slot = ring.find(key)
    if (slot === -1) ring.insert(key, true, expiresAt)
    else ring.mark(slot, true, expiresAt)
    return SETTLED
  }

  release (key: string): Promise<void> {
    const slot = this.#ring.find(key)
    if (slot !== -1) this.#ring.remove(slot)
    return SETTLED
  }
}
