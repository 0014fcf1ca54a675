import { randomBytes } from 'node:crypto'
import type { ClaimResult, IdempotencyStore } from './idempotency.js'

/**
 * The one command this store sends. An `ioredis` client (v5 or v6) has it, so
 * does anything shaped like it; ioredis itself is never imported here, which
 * keeps it an optional peer dependency.
 */
export interface RedisEvalClient {
  eval (script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
}

export interface RedisStoreOptions {
  /**
   * An `ioredis` client you made and own (the store never connects or quits it). See the README for fail-fast settings.
   */
  client: RedisEvalClient
  /** Put before every key (the engine's keys are `<provider>:<event id>`). Default `fastify-webhooks:`. */
  prefix?: string | undefined
}

const DONE = 'done'

// Each script runs atomically in Redis: no other command comes between its read and its write.
// Taking a key sets it only when absent (SET NX), to this lease's token with the lease as its expiry, and otherwise
// reads what holds it.
const TAKE = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'new' end
if redis.call('GET', KEYS[1]) == '${DONE}' then return 'done' end
return 'in-flight'`
const COMPLETE = `redis.call('SET', KEYS[1], '${DONE}', 'PX', ARGV[1])
return 1`
// Only the lease this process holds is dropped: after it ran out, another instance may have taken the key.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

/**
 * An idempotency store in Redis, shared by every instance that uses the same
 * Redis and prefix: taking a key is `SET NX PX <lease>` inside a Lua script, so
 * two instances never both get `new` for one event, and a crashed owner's
 * lease expires. A lease stores a token of its own, so releasing it never
 * drops a newer owner's lease.
 */
export class RedisStore implements IdempotencyStore {
  readonly #client: RedisEvalClient
  readonly #prefix: string
  /** key → token of the lease this store holds on it, until completed or released */
  readonly #tokens = new Map<string, string>()
  readonly #instance = randomBytes(8).toString('hex')
  #counter = 0

  constructor (options: RedisStoreOptions) {
    const { client, prefix = 'fastify-webhooks:' } = (options ?? {}) as Partial<RedisStoreOptions>
    if (typeof client?.eval !== 'function') throw new TypeError('RedisStore: option "client" must be an ioredis client')
    if (typeof prefix !== 'string') throw new TypeError('RedisStore: option "prefix" must be a string')
    this.#client = client as RedisEvalClient
    this.#prefix = prefix
  }

  async claim (key: string, leaseMs: number): Promise<ClaimResult> {
    const token = `in-flight:${this.#instance}:${++this.#counter}`
    const result = await this.#client.eval(TAKE, 1, this.#prefix + key, token, milliseconds(leaseMs)) as ClaimResult
    if (result === 'new') this.#tokens.set(key, token)
    return result
  }

  async complete (key: string, ttlMs: number): Promise<void> {
    this.#tokens.delete(key)
    await this.#client.eval(COMPLETE, 1, this.#prefix + key, milliseconds(ttlMs))
  }

  async release (key: string): Promise<void> {
    const token = this.#tokens.get(key)
    this.#tokens.delete(key)
    if (token !== undefined) await this.#client.eval(RELEASE, 1, this.#prefix + key, token)
  }
}

/** PX takes a positive integer. */
function milliseconds (ms: number): number {
  return Math.max(1, Math.ceil(ms))
}
