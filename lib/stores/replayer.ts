/**
 * `replay()` of fastify-webhooks/postgres, its options checked once: what the dashboard and the CLI call too, with
 * a narrower selection (one event's key, a tenant) and a progress callback.
 */
import { silentLogger, type Logger } from '../core/dispatch.js'
import { checkHandlers } from '../core/handlers.js'
import type { KeptStatus, PostgresStore } from './postgres.js'
import type { ProviderSpec } from '../core/provider.js'
import { replayKept, type ReplayResult } from './replay.js'
import { replayOptions, toList } from './replay-options.js'
import type { EventFor, EventHandlers, UnknownWebhookEvent } from '../fastify/types.js'

export type Plugins = ReadonlyArray<{ readonly provider: ProviderSpec }>

export interface ReplayOptions<P extends Plugins> {
  /** The plugins whose events to replay: their schemas of today check each payload again, and type the handlers. */
  providers: P
  /** One handler per event type, as in the plugin's `on` (handlers that take the event alone fit both). */
  on?: EventHandlers<EventFor<P[number]>> | undefined
  /** Runs for every event of a known type, after its handler in `on`. */
  onEvent?: ((event: EventFor<P[number]>) => unknown) | undefined
  /** Runs for an event whose type no schema knows. Default: none (it is marked done). */
  onUnknown?: ((event: UnknownWebhookEvent) => unknown) | undefined
  /**
   * The statuses to replay. Default `['failed', 'invalid']`; `'processing'` takes events whose lease ran out (a crash),
   * `'done'` runs handled ones again.
   */
  status?: KeptStatus | readonly KeptStatus[] | undefined
  /** Only events of these types. */
  type?: string | readonly string[] | undefined
  /** Only events of these providers (of `providers`). Default: all of `providers`. */
  provider?: string | readonly string[] | undefined
  /** Only events received at or after this time. */
  since?: Date | undefined
  /** Only events received before this time. */
  until?: Date | undefined
  /** Per provider name, the plugin options its checks read: `{ retab: { extraction } }`. */
  options?: Readonly<Record<string, object>> | undefined
  /** Seconds an event is remembered as done, as in the plugin's `idempotency.ttl`. Default 259,200. */
  ttl?: number | undefined
  /** Seconds a replay's lease on an event is held while its handlers run. Default 60. */
  lease?: number | undefined
  /** Where a line per event goes. Default: nowhere. */
  logger?: Logger | undefined
}

const NAME = 'fastify-webhooks/postgres replay'

/** What narrows a replay further than its options, and hears of each event. */
export interface ReplayExtra {
  /** only these keys */
  keys?: readonly string[] | undefined
  /** only this tenant's events */
  tenant?: string | undefined
  /** after each event, the counts so far */
  progress?: ((result: ReplayResult) => void) | undefined
}

/** Checks `options` (throwing a TypeError naming the option), then gives the function that runs the replay. */
export function replayer<const P extends Plugins> (
  store: PostgresStore,
  options: ReplayOptions<P>
): (extra?: ReplayExtra) => Promise<ReplayResult> {
  const fail = (message: string): never => {
    throw new TypeError(`${NAME}: ${message}`)
  }
  if (!store?.keepsEvents) fail('the store must keep events (a PostgresStore with "inbox")')
  replayOptions.check(options ?? {}, fail)
  const {
    providers,
    status = ['failed', 'invalid'],
    since,
    until,
    options: providerOptions = {},
    ttl = 259_200,
    lease = 60,
    logger = silentLogger
  } = options
  const specs = providers.map(plugin => plugin.provider)
  const names = specs.map(spec => spec.name)
  const handlers = checkHandlers<[]>(
    options,
    { provider: names.join(' or '), names: specs.flatMap(spec => Object.keys(spec.events)) },
    fail
  )
  const chosen = options.provider === undefined ? names : toList(options.provider)
  for (const name of chosen) {
    if (!names.includes(name)) fail(`option "provider" names "${name}", which is not one of "providers"`)
  }
  const selection = {
    statuses: toList(status),
    providers: chosen,
    types: options.type === undefined ? null : toList(options.type),
    since: since ?? null,
    until: until ?? null
  }
  return async (extra = {}) => await replayKept({
    store,
    providers: specs,
    options: providerOptions,
    handlers,
    selection: { ...selection, keys: extra.keys ?? null, tenant: extra.tenant ?? null },
    ttlMs: ttl * 1000,
    leaseMs: lease * 1000,
    log: logger,
    progress: extra.progress
  })
}
