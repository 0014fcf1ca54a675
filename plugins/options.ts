import { MemoryStore, type IdempotencyStore } from '../lib/idempotency.js'
import type { SignatureScheme } from '../lib/scheme.js'
import { queueSender, type QueueSender } from '../lib/queue.js'
import type { EventSchemas, IdempotencyOptions } from './types.js'

/** The description of one provider: everything that differs between providers, and nothing else. */
export interface ProviderSpec<P extends string, M extends EventSchemas, Meta extends object, Extra extends object = object, Opts extends object = object> {
  /** Lowercase name: the default path is `/webhooks/<name>`, the plugin is `fastify-webhooks-<name>`. */
  name: P
  scheme: SignatureScheme<unknown, Meta>
  /** Event type → payload schema. Types not in here are verified and go to `onUnknown`. */
  events: M
  /** Reads the event type from a parsed (not yet validated) payload. */
  typeOf (payload: unknown): string | undefined
  /** The idempotency key. Default: the id the scheme signs; with neither, the SHA-256 of the body. */
  idOf? (payload: unknown, signedId: string | undefined): string | undefined
  /** Default `bodyLimit` in bytes (1 MiB when absent). */
  bodyLimit?: number
  /** The provider may send unsigned deliveries, accepted only with `allowUnsigned: true` and no secret. */
  unsigned?: boolean
  /** Option names this provider adds (checked, so that a typo throws). */
  extraOptions?: readonly string[]
  /** Built once per registration: computes extra event fields for a valid payload, or names the path that fails. */
  extend? (options: Opts): (payload: never) => Extra | { invalid: string }
}

export interface ResolvedOptions {
  /** null only when unsigned deliveries were allowed explicitly */
  keys: unknown[] | null
  path: string
  tolerance: number
  bodyLimit: number
  store: IdempotencyStore | null
  ttlMs: number
  leaseMs: number
  /** null unless option `queue` is given: then events are added as jobs instead of handled in the request */
  queue: QueueSender | null
}

/** The options as the checks see them: not yet trusted to have their declared types. */
export interface LooseOptions {
  secret?: unknown
  allowUnsigned?: unknown
  path?: unknown
  on?: unknown
  onEvent?: unknown
  onUnknown?: unknown
  tolerance?: unknown
  bodyLimit?: unknown
  idempotency?: false | IdempotencyOptions
  queue?: unknown
}

const KNOWN_OPTIONS = new Set(['secret', 'path', 'on', 'onEvent', 'onUnknown', 'tolerance', 'bodyLimit', 'idempotency', 'queue', 'allowUnsigned', 'prefix', 'logLevel', 'logSerializers'])
const DEFAULT_BODY_LIMIT = 1024 * 1024

/** Checks every option at registration and fails early, naming the plugin and the option. */
export function resolveOptions (
  spec: ProviderSpec<string, EventSchemas, object, object, object>,
  pluginName: string,
  options: LooseOptions
): ResolvedOptions {
  const fail = (message: string): never => { throw new TypeError(`${pluginName}: ${message}`) }

  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name) && !(spec.extraOptions ?? []).includes(name)) fail(`unknown option "${name}"`)
  }

  const { secret, allowUnsigned = false } = options
  if (typeof allowUnsigned !== 'boolean') fail('option "allowUnsigned" must be a boolean')
  if (allowUnsigned && spec.unsigned !== true) fail(`option "allowUnsigned" is not supported: ${spec.name} always signs its deliveries`)
  if (allowUnsigned && secret !== undefined) fail('give either option "secret" or "allowUnsigned: true", not both')

  let keys: unknown[] | null = null
  if (!allowUnsigned) {
    const secrets: unknown = typeof secret === 'string' ? [secret] : secret
    if (!Array.isArray(secrets) || secrets.length === 0) {
      fail(`option "secret" is required (a string, or an array of strings while rotating)${spec.unsigned === true ? ', or set "allowUnsigned: true" to accept unsigned deliveries' : ''}`)
    }
    const list = secrets as unknown[]
    keys = list.map((s, i) => {
      const name = list.length === 1 ? 'option "secret"' : `option "secret[${i}]"`
      if (typeof s !== 'string') return fail(`${name} must be a string`)
      try {
        return spec.scheme.parseSecret(s)
      } catch (err) {
        return fail(`${name} ${(err as Error).message}`)
      }
    })
  }

  const path = options.path ?? `/webhooks/${spec.name}`
  if (typeof path !== 'string' || !path.startsWith('/')) return fail('option "path" must be a string starting with "/"')

  const tolerance = positive(options.tolerance, 300, 'tolerance', fail)
  const bodyLimit = positive(options.bodyLimit, spec.bodyLimit ?? DEFAULT_BODY_LIMIT, 'bodyLimit', fail)
  if (!Number.isInteger(bodyLimit)) fail('option "bodyLimit" must be an integer number of bytes')

  const on = options.on ?? {}
  if (typeof on !== 'object' || on === null) fail('option "on" must be an object of handlers')
  for (const [type, handler] of Object.entries(on as object)) {
    if (!Object.hasOwn(spec.events, type)) fail(`option "on" names "${type}", which is not a ${spec.name} event type (known: ${Object.keys(spec.events).join(', ')}); use onUnknown for others`)
    if (typeof handler !== 'function') fail(`option "on.${type}" must be a function`)
  }
  for (const name of ['onEvent', 'onUnknown'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') fail(`option "${name}" must be a function`)
  }

  const queue = queueSender(options.queue, spec.name, fail)
  for (const name of ['on', 'onEvent', 'onUnknown'] as const) {
    if (queue !== null && options[name] !== undefined) fail(`option "${name}" does not run with option "queue": give it to createWebhookWorker (fastify-webhooks/bullmq)`)
  }
  // With a queue the job id deduplicates across instances: no store unless one is asked for.
  const idem = options.idempotency ?? (queue === null ? {} : false)
  if (idem !== false && (typeof idem !== 'object' || idem === null)) fail('option "idempotency" must be false or an object')
  let store: IdempotencyStore | null = null
  let ttl = 0
  let lease = 0
  if (idem !== false) {
    store = idem.store ?? new MemoryStore()
    if (typeof store.claim !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function') {
      fail('option "idempotency.store" must have claim, complete and release methods')
    }
    ttl = positive(idem.ttl, 259_200, 'idempotency.ttl', fail)
    lease = positive(idem.lease, 60, 'idempotency.lease', fail)
  }

  return { keys, path, tolerance, bodyLimit, store, ttlMs: ttl * 1000, leaseMs: lease * 1000, queue }
}

function positive (value: unknown, fallback: number, name: string, fail: (m: string) => never): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(`option "${name}" must be a positive number`)
  return value as number
}
