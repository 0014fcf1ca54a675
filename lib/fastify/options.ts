import type { Idempotency } from '../core/dispatch.js'
import { checkHandlers, handlerTypes, type Handler } from '../core/handlers.js'
import { MemoryStore, keepsEvents, type IdempotencyStore, type KeepingStore } from '../stores/idempotency.js'
import type { ProviderSpec, WebhookEventData } from '../core/provider.js'
import { queueSink } from '../queue/sink.js'
import { inlineSink, type Sink } from '../core/sinks.js'
import { resolveTenants, type Tenants } from '../tenants/resolve-tenants.js'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** What the route's sink is handed besides the event. */
export type RouteArgs = [request: FastifyRequest, reply: FastifyReply]

export interface ResolvedOptions {
  /** null only when unsigned deliveries were allowed explicitly */
  keys: readonly unknown[] | null
  /** set when `secret` is a function: keys looked up per delivery */
  tenants: Tenants | null
  path: string
  tolerance: number
  bodyLimit: number
  /** the server's budget of buffered body bytes, when this plugin sets it */
  bufferLimit: number | undefined
  idempotency: Idempotency | null
  sink: Sink<RouteArgs>
  /** What becomes of a verified event whose payload fails its schema; null: refused, as any invalid payload */
  invalid: KeptInvalid | null
}

/** A store that keeps events keeps the invalid ones too; `accept` answers them 200 instead of 400. */
export interface KeptInvalid {
  store: KeepingStore
  accept: boolean
  onInvalid: InvalidHandler | undefined
}

export type InvalidHandler = (
  event: WebhookEventData,
  failure: { path: string; reason: string },
  ...args: RouteArgs
) => unknown

/** The options as the checks see them: not yet trusted to have their declared types. */
export interface LooseOptions {
  secret?: unknown
  tenant?: unknown
  secretCache?: unknown
  allowUnsigned?: unknown
  path?: unknown
  on?: unknown
  onEvent?: unknown
  onUnknown?: unknown
  tolerance?: unknown
  bodyLimit?: unknown
  bufferLimit?: unknown
  idempotency?: unknown
  queue?: unknown
  prefix?: unknown
  acceptInvalid?: unknown
  onInvalid?: unknown
}

type Fail = (message: string) => never

const KNOWN_OPTIONS = new Set([
  'secret',
  'tenant',
  'secretCache',
  'path',
  'on',
  'onEvent',
  'onUnknown',
  'onInvalid',
  'acceptInvalid',
  'tolerance',
  'bodyLimit',
  'bufferLimit',
  'idempotency',
  'queue',
  'allowUnsigned',
  'prefix',
  'logLevel',
  'logSerializers'
])
const DEFAULT_BODY_LIMIT = 1024 * 1024

/** Checks every option at registration and fails early, naming the plugin and the option. */
export function resolveOptions (spec: ProviderSpec, options: LooseOptions): ResolvedOptions {
  const fail: Fail = message => { throw new TypeError(`fastify-webhooks-${spec.name}: ${message}`) }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name) && !(spec.options ?? []).includes(name)) fail(`unknown option "${name}"`)
  }
  const tenants = resolveTenants(spec, options, fail)
  const keys = tenants === null ? resolveKeys(spec, options, fail) : tenants.dummy
  const path = options.path ?? `/webhooks/${spec.name}`
  if (typeof path !== 'string' || !path.startsWith('/')) return fail('option "path" must be a string starting with "/"')
  const tolerance = positive(options.tolerance, 300, 'tolerance', fail)
  const bodyLimit = positive(options.bodyLimit, spec.bodyLimit ?? DEFAULT_BODY_LIMIT, 'bodyLimit', fail)
  if (!Number.isInteger(bodyLimit)) fail('option "bodyLimit" must be an integer number of bytes')
  const bufferLimit =
    options.bufferLimit === undefined ? undefined : positive(options.bufferLimit, 0, 'bufferLimit', fail)
  if (bufferLimit !== undefined && !Number.isInteger(bufferLimit)) {
    fail('option "bufferLimit" must be an integer number of bytes')
  }
  const sink = resolveSink(spec, options, fail)
  // With a queue the job id deduplicates across instances: no store unless one is asked for.
  const idempotency = resolveIdempotency(options.idempotency ?? (sink.deduplicates ? false : {}), fail)
  return {
    keys,
    tenants,
    path,
    tolerance,
    bodyLimit,
    bufferLimit,
    idempotency,
    sink,
    invalid: resolveInvalid(options, idempotency, fail)
  }
}

function resolveInvalid (options: LooseOptions, idempotency: Idempotency | null, fail: Fail): KeptInvalid | null {
  const { acceptInvalid = false, onInvalid } = options
  if (typeof acceptInvalid !== 'boolean') fail('option "acceptInvalid" must be a boolean')
  if (onInvalid !== undefined && typeof onInvalid !== 'function') fail('option "onInvalid" must be a function')
  if (onInvalid !== undefined && acceptInvalid !== true) fail('option "onInvalid" runs only with "acceptInvalid: true"')
  const store = idempotency?.store
  if (store === undefined || !keepsEvents(store)) {
    if (acceptInvalid === true) {
      fail(
        'option "acceptInvalid" needs an idempotency store that keeps events (a PostgresStore with "inbox"), or the ' +
        'event would be lost'
      )
    }
    return null
  }
  return { store, accept: acceptInvalid === true, onInvalid: onInvalid as InvalidHandler | undefined }
}

/** The keys of the configured secrets; null when unsigned deliveries are allowed (only when said explicitly). */
function resolveKeys (spec: ProviderSpec, options: LooseOptions, fail: Fail): unknown[] | null {
  const { secret, allowUnsigned = false } = options
  if (typeof allowUnsigned !== 'boolean') fail('option "allowUnsigned" must be a boolean')
  if (allowUnsigned === true) {
    if (spec.unsigned !== true) {
      fail(`option "allowUnsigned" is not supported: ${spec.name} always signs its deliveries`)
    }
    if (secret !== undefined) fail('give either option "secret" or "allowUnsigned: true", not both')
    return null
  }
  const secrets: unknown = typeof secret === 'string' ? [secret] : secret
  if (!Array.isArray(secrets) || secrets.length === 0) {
    return fail(
      'option "secret" is required (a string, or an array of strings while ' +
      `rotating)${spec.unsigned === true ? ', or set "allowUnsigned: true" to accept unsigned deliveries' : ''}`
    )
  }
  return secrets.map((s: unknown, i) => {
    const name = secrets.length === 1 ? 'option "secret"' : `option "secret[${i}]"`
    if (typeof s !== 'string') return fail(`${name} must be a string`)
    try {
      return spec.scheme.parseSecret(s)
    } catch (err) {
      return fail(`${name} ${(err as Error).message}`)
    }
  })
}

/** The inline handlers, or the queue that a worker takes events from (then handlers belong to the worker). */
function resolveSink (spec: ProviderSpec, options: LooseOptions, fail: Fail): Sink<RouteArgs> {
  const queue = queueSink<RouteArgs>(options.queue, spec.name, fail)
  if (queue !== null) {
    for (const name of ['on', 'onEvent', 'onUnknown'] as const) {
      if (options[name] !== undefined) {
        fail(
          `option "${name}" does not run with option "queue": give it to createWebhookWorker (fastify-webhooks/bullmq)`
        )
      }
    }
    return queue
  }
  const handlers = checkHandlers<RouteArgs>(options, handlerTypes(spec), fail)
  return inlineSink(
    { ...handlers, onUnknown: handlers.onUnknown ?? logUnknown },
    (_request, reply) => reply.sent || reply.raw.headersSent
  )
}

const logUnknown: Handler<RouteArgs> = (event, request) => {
  request.log.warn(
    { provider: event.provider, id: event.id, type: event.type },
    'webhook event of a type no schema knows; answered 200'
  )
}

/** The `idempotency` option, of the plugin or of a worker. */
export function resolveIdempotency (option: unknown, fail: Fail): Idempotency | null {
  if (option === false) return null
  if (typeof option !== 'object' || option === null) return fail('option "idempotency" must be false or an object')
  const { store = new MemoryStore(), ttl, lease } = option as { store?: unknown, ttl?: unknown, lease?: unknown }
  if (!isStore(store)) return fail('option "idempotency.store" must have claim, complete and release methods')
  return {
    store,
    ttlMs: positive(ttl, 259_200, 'idempotency.ttl', fail) * 1000,
    leaseMs: positive(lease, 60, 'idempotency.lease', fail) * 1000
  }
}

function isStore (value: unknown): value is IdempotencyStore {
  const store = value as Partial<IdempotencyStore> | null
  return typeof store === 'object' && store !== null &&
    typeof store.claim === 'function' && typeof store.complete === 'function' && typeof store.release === 'function'
}

function positive (value: unknown, fallback: number, name: string, fail: Fail): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    return fail(`option "${name}" must be a positive number`)
  }
  return value
}
