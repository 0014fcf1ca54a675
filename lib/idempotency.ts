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

interface Entry { done: boolean, expiresAt: number }

/**
 * A store in this process's memory: bounded by `maxKeys`, entries expire.
 * Right for one instance; several instances need a shared store (Redis).
 */
export class MemoryStore implements IdempotencyStore {
  readonly #entries = new Map<string, Entry>()
  readonly #maxKeys: number
  readonly #now: () => number

  constructor (options: MemoryStoreOptions = {}) {
    const { maxKeys = 100_000, now = Date.now } = options
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('MemoryStore: maxKeys must be a positive integer')
    this.#maxKeys = maxKeys
    this.#now = now
  }

  get size (): number {
    return this.#entries.size
  }

  async claim (key: string, leaseMs: number): Promise<ClaimResult> {
    const now = this.#now()
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.expiresAt > now) return entry.done ? 'done' : 'in-flight'
    this.#set(key, { done: false, expiresAt: now + leaseMs })
    return 'new'
  }

  async complete (key: string, ttlMs: number): Promise<void> {
    this.#set(key, { done: true, expiresAt: this.#now() + ttlMs })
  }

  async release (key: string): Promise<void> {
    this.#entries.delete(key)
  }

  #set (key: string, entry: Entry): void {
    // Delete first so the key moves to the end of the Map's insertion order: the first key is then the oldest.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    if (this.#entries.size > this.#maxKeys) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
  }
}
