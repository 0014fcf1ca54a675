import type { Idempotency } from '../core/dispatch.js'
import { HANDLER_OPTIONS, checkHandlers, handlerTypes, type Handler } from '../core/handlers.js'
import {
  both, elsewhere, isBoolean, isFunction, isObject, isPositive, optionTable, optional, type Fail
} from '../core/option-table.js'
import { MemoryStore, keepsEvents, type IdempotencyStore, type KeepingStore } from '../stores/idempotency.js'
import type { ProviderSpec, WebhookEventData } from '../core/provider.js'
import { queueSink } from '../queue/sink.js'
import { parseSecrets } from '../schemes/secret-list.js'
import { inlineSink, type Sink } from '../core/sinks.js'
import { fixedKeys, resolveTenants, type KeysFor, type Tenants } from '../tenants/resolve-tenants.js'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** What the route's sink is handed besides the event. */
export type RouteArgs = [request: FastifyRequest, reply: FastifyReply]

export interface ResolvedOptions {
  /**
   * the keys the headers are prechecked against: the secrets' (null when unsigned deliveries were allowed),
   * or a dummy
   */
  keys: readonly unknown[] | null
  /** the keys each delivery is verified against: the same `keys`, or a tenant's, looked up per delivery */
  keysFor: KeysFor
  /** set when `secret` is a function: the tenant is read from each request */
  tenants: Tenants | null
  path: string
  /** the route's `config` (Fastify's route option), for plugins that read theirs from it */
  routeConfig: object | undefined
  /** the whole URL of a request as its sender saw it, for a scheme that signs it */
  urlOf: (request: FastifyRequest) => string
  tolerance: number
  bodyLimit: number
  /** the server's budget of buffered body bytes, when this plugin sets it */
  bufferLimit: number | undefined
  idempotency: Idempotency | null
  sink: Sink<RouteArgs>
  /** What becomes of a verified event whose payload fails its schema; null: refused, as any invalid payload */
  invalid: InvalidPolicy | null
}

/**
 * What becomes of an invalid event: a store that keeps events keeps it (`store`), or `onInvalid` does (then `store`
 * is null); `accept` answers it 200 instead of 400.
 */
export interface InvalidPolicy {
  store: KeepingStore | null
  accept: boolean
  onInvalid: InvalidHandler | undefined
}

export type InvalidHandler = (
  event: WebhookEventData,
  failure: { path: string; reason: string },
  ...args: RouteArgs
) => unknown

/** A byte count: a positive integer. */
const bytes = both(optional(isPositive, 'a positive number'), optional(Number.isInteger, 'an integer number of bytes'))

/**
 * Every option of a provider plugin, in the order they are checked: the table that unknown names are refused
 * by and that `UncheckedOptions` is made from. A type test (test-d/types.ts) keeps the public options to the same
 * names. A provider adds its own (`spec.options`). The `elsewhere` ones depend on others: they are checked
 * where they are resolved, below.
 */
export const receiverOptions = optionTable({
  secret: elsewhere,
  allowUnsigned: optional(isBoolean, 'a boolean'),
  tenant: elsewhere,
  secretCache: elsewhere,
  path: optional(value => typeof value === 'string' && value.startsWith('/'), 'a string starting with "/"'),
  routeConfig: optional(value => isObject(value) && !Array.isArray(value), "an object (the route's `config`)"),
  publicUrl: optional(
    value => isFunction(value) || baseUrl(value) !== undefined,
    'a base URL such as "https://example.com" (no query), or a function of the request that gives the whole URL'
  ),
  tolerance: optional(isPositive, 'a positive number'),
  bodyLimit: bytes,
  bufferLimit: bytes,
  queue: elsewhere,
  ...HANDLER_OPTIONS,
  idempotency: elsewhere,
  acceptInvalid: optional(isBoolean, 'a boolean'),
  onInvalid: optional(isFunction, 'a function')
})

/** Fastify's own options of `register`, which reach the plugin too. */
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'] as const

/** The names a provider's plugin takes besides its table's: Fastify's, and the provider's own (`spec.options`). */
export function otherOptions (spec: ProviderSpec): readonly string[] {
  return [...REGISTER_OPTIONS, ...spec.options ?? []]
}

/** The options as the checks see them: not yet trusted to have their declared types. */
export type UncheckedOptions = { [Name in typeof receiverOptions.names[number] | 'prefix']?: unknown }

const DEFAULT_BODY_LIMIT = 1024 * 1024

/** Checks every option at registration and fails early, naming the plugin and the option. */
export function resolveOptions (spec: ProviderSpec, options: UncheckedOptions): ResolvedOptions {
  const fail: Fail = message => { throw optionError(`fastify-webhooks-${spec.name}: ${message}`) }
  receiverOptions.check(options, fail, otherOptions(spec))
  const tenants = resolveTenants(spec, options, fail)
  const keys = tenants === null ? resolveKeys(spec, options, fail) : tenants.dummy
  // The table has checked the types of these.
  const path = (options.path ?? `/webhooks/${spec.name}`) as string
  const routeConfig = options.routeConfig as object | undefined
  const tolerance = (options.tolerance ?? spec.scheme.tolerance ?? 300) as number
  const urlOf = resolveUrl(options.publicUrl)
  const bodyLimit = (options.bodyLimit ?? spec.bodyLimit ?? DEFAULT_BODY_LIMIT) as number
  const bufferLimit = options.bufferLimit as number | undefined
  const sink = resolveSink(spec, options, fail)
  // With a queue the job id deduplicates across instances: no store unless one is asked for.
  const idempotency = resolveIdempotency(options.idempotency ?? (sink.deduplicates ? false : {}), fail)
  const keysFor = tenants === null ? fixedKeys(keys) : tenants.keysFor
  const invalid = resolveInvalid(options, idempotency, fail)
  return {
    keys, keysFor, tenants, path, routeConfig, urlOf, tolerance, bodyLimit, bufferLimit, idempotency, sink, invalid
  }
}

/** A `publicUrl` string without its trailing slash, when it is an http(s) URL without query or fragment. */
function baseUrl (value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined
  const url = new URL(value)
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') return undefined
  return value.replace(/\/+$/, '')
}

/**
 * How a request's URL as the sender saw it is worked out (for a scheme that signs it): `publicUrl` and the path and
 * query, `publicUrl(request)`, or the protocol and host Fastify sees (its `trustProxy` decides whether
 * `X-Forwarded-*` count).
 */
function resolveUrl (publicUrl: unknown): (request: FastifyRequest) => string {
  if (typeof publicUrl === 'function') return publicUrl as (request: FastifyRequest) => string
  const base = baseUrl(publicUrl)
  if (base !== undefined) return request => base + request.url
  return request => `${request.protocol}://${request.host}${request.url}`
}

/**
 * A TypeError coded WEBHOOK_INVALID_OPTION whose stack is its message alone. A plugin's options are checked as the
 * app boots, not where `register` was called, so every frame would be the library's or Fastify's; the message
 * names the plugin and the option, and is enough.
 */
function optionError (message: string): TypeError {
  const err = new TypeError(message)
  // Not enumerable, so that Node prints it once, in the first line.
  Object.defineProperty(err, 'code', { value: 'WEBHOOK_INVALID_OPTION', writable: true, configurable: true })
  err.stack = `TypeError [WEBHOOK_INVALID_OPTION]: ${message}`
  return err
}

function resolveInvalid (options: UncheckedOptions, idempotency: Idempotency | null, fail: Fail): InvalidPolicy | null {
  const { acceptInvalid = false, onInvalid } = options
  if (onInvalid !== undefined && acceptInvalid !== true) fail('option "onInvalid" runs only with "acceptInvalid: true"')
  const found = idempotency?.store
  const store = found !== undefined && keepsEvents(found) ? found : null
  if (store === null && onInvalid === undefined) {
    if (acceptInvalid === true) {
      fail(
        'option "acceptInvalid" needs an idempotency store that keeps events (a PostgresStore with "inbox"), or an ' +
        '"onInvalid" that keeps each event durably before it resolves, or the event would be lost'
      )
    }
    return null
  }
  return { store, accept: acceptInvalid === true, onInvalid: onInvalid as InvalidHandler | undefined }
}

/** The keys of the configured secrets; null when unsigned deliveries are allowed (only when said explicitly). */
function resolveKeys (spec: ProviderSpec, options: UncheckedOptions, fail: Fail): unknown[] | null {
  const { secret, allowUnsigned = false } = options
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
      `rotating)${spec.unsigned === true ? ', or set "allowUnsigned: true" to accept unsigned deliveries' : ''}` +
      `${secret === undefined ? ' and is undefined (an environment variable not set?)' : ''}${secretHint(spec)}`
    )
  }
  try {
    return parseSecrets(spec.scheme, secrets, i => secrets.length === 1 ? 'option "secret"' : `option "secret[${i}]"`)
  } catch (err) {
    return fail(`${(err as Error).message}${secretHint(spec)}`)
  }
}

/** How to get a secret in the provider's format, for every message about a secret. */
function secretHint (spec: ProviderSpec): string {
  return `; give it as ${spec.name} shows it, or make a test one with \`npx fastify-webhooks secret ${spec.name}\``
}

/** The inline handlers, or the queue that a worker takes events from (then handlers belong to the worker). */
function resolveSink (spec: ProviderSpec, options: UncheckedOptions, fail: Fail): Sink<RouteArgs> {
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
    // A handler that answered an error itself did not handle the event: the sender's retry runs it again.
    (_request, reply) => !(reply.sent || reply.raw.headersSent) || reply.statusCode < 300
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
  return isPositive(value) ? value as number : fail(`option "${name}" must be a positive number`)
}
