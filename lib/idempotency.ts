/**
 * Idempotency: each event id is claimed before its handlers run.
 * `new`: this request owns the event and runs it; `in-flight`: another request
 * owns it (its lease has not run out); `done`: it was handled already.
 * A store only needs these three calls, so Redis (lib/redis-store.ts) or a
 * database can stand in for the in-memory one.
 */
export type ClaimResult = 'new' | 'in-flight' | 'done'

export interface IdempotencyStore {
  /** Claims `key` for `leaseMs` unless it is in flight or done. Must be atomic across every process sharing the store. */
  claim (key: string, leaseMs: number): Promise<ClaimResult>
  /** Marks `key` done for `ttlMs`; duplicates within that time are answered without running handlers. */
  complete (key: string, ttlMs: number): Promise<void>
  /** Drops the claim on `key`, so that the sender's retry runs the handlers again. */
  release (key: string): Promise<void>
}

export interface MemoryStoreOptions {
  /** Most keys kept; the oldest are dropped past it. Default 100,000 (about 15 MB). */
  maxKeys?: number
  /** Clock in milliseconds, for tests. */
  now?: () => number
}

interface Entry { done: boolean, expiresAt: number, /** its place in the ring */ slot: number }

/**
 * A store in this process's memory: bounded by `maxKeys`, entries expire.
 * Right for one instance; several instances need a shared store (Redis).
 *
 * Keys are evicted oldest first through a ring of `maxKeys` slots, not by reading the first key of
 * the Map: V8 leaves a hole per deleted Map entry until it rehashes, and `keys().next()` walks every
 * hole at the front, which cost about 30 µs per request once a 100,000-key store was full.
 */
export class MemoryStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>()
  /** The key inserted at each slot; a slot whose key has since moved or gone is stale and skipped. */
  readonly #ring: Array<string | undefined>
  #next = 0
  readonly #now: () => number

  constructor (options: MemoryStoreOptions = {}) {
    const { maxKeys = 100_000, now = Date.now } = options
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('MemoryStore: maxKeys must be a positive integer')
    this.#ring = new Array<string | undefined>(maxKeys).fill(undefined)
    this.#now = now
  }

  get size (): number {
    return this.#entries.size
  }

  async claim (key: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.expiresAt > now) return entry.done ? 'done' : 'in-flight'
    this.#insert(key, false, now + leaseMs)
    return 'new'
  }

  async complete (key: string, ttlMs: number): Promise<void> {
    const expiresAt = this.#now() + ttlMs
    const entry = this.#entries.get(key)
    if (entry === undefined) return this.#insert(key, true, expiresAt)
    entry.done = true
    entry.expiresAt = expiresAt
  }

  async release (key: string): Promise<void> {
    this.#entries.delete(key)
  }

  #insert (key: string, done: boolean, expiresAt: number): void {
    const slot = this.#next
    this.#next = (slot + 1) % this.#ring.length
    const oldest = this.#ring[slot]
    if (oldest !== undefined && this.#entries.get(oldest)?.slot === slot) this.#entries.delete(oldest)
    this.#ring[slot] = key
    this.#entries.set(key, { done, expiresAt, slot })
  }
}
