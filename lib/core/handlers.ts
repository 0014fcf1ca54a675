/**
 * The handlers of one receiver or worker: checked once, run the same way wherever an event is handled
 * (in the request, in a queue worker, in a replay). The arguments after the event are the caller's:
 * `(request, reply)` in the Fastify route, `(job)` in the BullMQ worker.
 */
import { elsewhere } from './option-table.js'
import type { ProviderSpec, WebhookEventData } from './provider.js'

export type Handler<Args extends unknown[]> = (event: WebhookEventData, ...args: Args) => unknown

export interface Handlers<Args extends unknown[]> {
  on: ReadonlyMap<string, Handler<Args>>
  onEvent: Handler<Args> | undefined
  onUnknown: Handler<Args> | undefined
}

/**
 * The handler options' entries of an option table: known to every surface that runs handlers, checked by
 * `checkHandlers` (against the event types, which the table does not know).
 */
export const HANDLER_OPTIONS = { on: elsewhere, onEvent: elsewhere, onUnknown: elsewhere } as const

export interface HandlerOptions {
  on?: unknown
  onEvent?: unknown
  onUnknown?: unknown
}

/**
 * Checks `on`, `onEvent` and `onUnknown`, failing through `fail` with the option's name.
 * `types`: the event types `on` may name (with `provider` for the message), or null when they are not known here.
 */
export function checkHandlers<Args extends unknown[]> (
  options: HandlerOptions,
  types: { provider: string, names: readonly string[] } | null,
  fail: (message: string) => never
): Handlers<Args> {
  const { on = {} } = options
  if (typeof on !== 'object' || on === null) fail('option "on" must be an object of handlers')
  const handlers = new Map<string, Handler<Args>>()
  for (const [type, handler] of Object.entries(on)) {
    if (types !== null && !types.names.includes(type)) {
      fail(
        `option "on" names "${type}", which is not a ${types.provider} event type (known: ` +
        `${types.names.join(', ')}); use onUnknown for others`
      )
    }
    if (!isHandler<Args>(handler)) return fail(`option "on.${type}" must be a function`)
    handlers.set(type, handler)
  }
  return {
    on: handlers,
    onEvent: optionalHandler(options.onEvent, 'onEvent', fail),
    onUnknown: optionalHandler(options.onUnknown, 'onUnknown', fail)
  }
}

/** The event types `on` may name, for `checkHandlers`: null for a provider that takes any type. */
export function handlerTypes (spec: ProviderSpec): { provider: string, names: readonly string[] } | null {
  return spec.anyType === true ? null : { provider: spec.name, names: Object.keys(spec.events) }
}

/**
 * Runs the handlers of one event: its type's handler in `on`, then `onEvent`; or `onUnknown` for a type no schema
 * knows. Returns what to await: where one handler runs, its own result, so that no frame of ours waits between it
 * and the caller. A handler that throws at once throws here, which an `await` in a `try` takes as a rejection.
 */
export function runHandlers<Args extends unknown[]> (
  handlers: Handlers<Args>,
  event: WebhookEventData,
  known: boolean,
  ...args: Args
): unknown {
  if (!known) return handlers.onUnknown?.(event, ...args)
  const handler = handlers.on.get(event.type)
  const { onEvent } = handlers
  if (handler === undefined) return onEvent?.(event, ...args)
  if (onEvent === undefined) return handler(event, ...args)
  return runBoth(handler, onEvent, event, args)
}

async function runBoth<Args extends unknown[]> (
  first: Handler<Args>,
  then: Handler<Args>,
  event: WebhookEventData,
  args: Args
): Promise<void> {
  await first(event, ...args)
  await then(event, ...args)
}

function optionalHandler<Args extends unknown[]> (
  value: unknown,
  name: string,
  fail: (message: string) => never
): Handler<Args> | undefined {
  if (value === undefined) return undefined
  return isHandler<Args>(value) ? value : fail(`option "${name}" must be a function`)
}

function isHandler<Args extends unknown[]> (value: unknown): value is Handler<Args> {
  return typeof value === 'function'
}
