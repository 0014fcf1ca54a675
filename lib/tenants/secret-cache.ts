/**
 * The parsed keys of many tenants, looked up on demand: bounded (least recently used goes first), each entry
 * kept for a time, one lookup at a time per tenant, and `invalidate(tenant)` for a rotation without restart.
 * Names the lookup does not know are kept apart, in a smaller cache of their own: a flood of guessed names
 * evicts other guessed names, never a known tenant. No Fastify here.
 */
import { withTimeout } from '../core/timeout.js'

export interface SecretCacheOptions {
  /** Most tenants kept. Default 10,000. */
  max?: number | undefined
  /** Most unknown names kept (apart from the tenants: they never evict one). Default 1,000. */
  maxUnknown?: number | undefined
  /** Seconds a tenant's keys (or that it is unknown) are kept. Default 300. */
  ttl?: number | undefined
  /** Seconds a lookup may take before the delivery is answered 500 (the sender retries). Default 5. */
  timeout?: number | undefined
}

/** A tenant's keys, or null for a tenant the lookup does not know. */
export type TenantKeys = readonly unknown[] | null

interface Entry { keys: TenantKeys, expires: number }

export class SecretCacheTimeoutError extends Error {
  constructor (seconds: number) {
    super(`the secret lookup did not answer within ${seconds} s`)
    this.name = 'SecretCacheTimeoutError'
  }
}

export class SecretCache {
  readonly #max: number
  readonly #maxUnknown: number
  readonly #ttlMs: number
  readonly #timeout: number
  readonly #entries = new Map<string, Entry>()
  readonly #unknown = new Map<string, Entry>()
  readonly #pending = new Map<string, Promise<TenantKeys>>()
  #owner: string | undefined

  constructor (options: SecretCacheOptions = {}) {
    const { max = 10_000, maxUnknown = 1000, ttl = 300, timeout = 5 } = options
    for (const [name, value] of Object.entries({ max, maxUnknown, ttl, timeout })) {
      if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
        throw new TypeError(`SecretCache: option "${name}" must be a positive number`)
      }
    }
    this.#max = max
    this.#maxUnknown = maxUnknown
    this.#ttlMs = ttl * 1000
    this.#timeout = timeout
  }

  /** How many tenants are kept (unknown names not counted). */
  get size (): number {
    return this.#entries.size
  }

  /** How many unknown names are kept. */
  get unknownSize (): number {
    return this.#unknown.size
  }

  /** Forgets one tenant: its next delivery looks its secret up again (after a rotation, or a new tenant). */
  invalidate (tenant: string): void {
    this.#entries.delete(tenant)
    this.#unknown.delete(tenant)
    this.#pending.delete(tenant)
  }

  /** Forgets every tenant, and every unknown name. */
  clear (): void {
    this.#entries.clear()
    this.#unknown.clear()
    this.#pending.clear()
  }

  /**
   * Keys of one scheme live here, so one cache serves one registration: a second one would read keys
   * parsed for another scheme. Throws when another registration holds it.
   */
  claim (owner: string): void {
    if (this.#owner !== undefined && this.#owner !== owner) {
      throw new TypeError(`this SecretCache is already used by ${this.#owner}: give each registration its own`)
    }
    this.#owner = owner
  }

  /**
   * The tenant's keys: at once (no promise) when kept, else from `load` (one call for concurrent deliveries
   * of the same tenant). A `load` that throws or outlasts the timeout rejects, and nothing is kept.
   */
  keysOf (tenant: string, load: () => Promise<TenantKeys>): TenantKeys | Promise<TenantKeys> {
    const now = Date.now()
    const entry = fresh(this.#entries, tenant, now) ?? fresh(this.#unknown, tenant, now)
    if (entry !== undefined) return entry.keys
    const waiting = this.#pending.get(tenant)
    if (waiting !== undefined) return waiting
    const pending: Promise<TenantKeys> = this.#withTimeout(load).then(keys => {
      // Kept only if not invalidated meanwhile: a rotation during the lookup must not bring the old keys back.
      if (this.#pending.get(tenant) === pending) this.#keep(tenant, keys)
      return keys
    }).finally(() => {
      if (this.#pending.get(tenant) === pending) this.#pending.delete(tenant)
    })
    this.#pending.set(tenant, pending)
    return pending
  }

  // Neither cache holds the tenant here: `keysOf` looked in both (and dropped what had expired) before the lookup.
  #keep (tenant: string, keys: TenantKeys): void {
    const [entries, max] = keys === null ? [this.#unknown, this.#maxUnknown] : [this.#entries, this.#max]
    if (entries.size >= max) entries.delete(entries.keys().next().value as string)
    entries.set(tenant, { keys, expires: Date.now() + this.#ttlMs })
  }

  // Async, so that a `load` that throws at once rejects as one that rejects later does.
  async #withTimeout (load: () => Promise<TenantKeys>): Promise<TenantKeys> {
    return await withTimeout(load(), this.#timeout * 1000, () => new SecretCacheTimeoutError(this.#timeout))
  }
}

/** The entry while it has not expired, moved to the end (the Map's order stays least recently used first). */
function fresh (entries: Map<string, Entry>, tenant: string, now: number): Entry | undefined {
  const entry = entries.get(tenant)
  if (entry === undefined) return undefined
  entries.delete(tenant)
  if (entry.expires <= now) return undefined
  entries.set(tenant, entry)
  return entry
}
