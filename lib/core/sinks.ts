/**
 * Where a verified event goes once its key is taken: a sink. Inline handlers are one; a queue (lib/queue/sink.ts)
 * is another; a database inbox would be a third. The route does not know which it has.
 */
import { WebhookHandlerError } from './errors.js'
import { runHandlers, type Handlers } from './handlers.js'
import type { Logger } from './dispatch.js'
import type { DeliveryObserver, TraceContext } from './observer.js'
import type { WebhookEventData } from './provider.js'

export interface Sink<Args extends unknown[]> {
  /** Whether delivering runs the handlers (inline), or hands the event to what runs them later (a queue's worker). */
  readonly runsHandlers: boolean
  /** Once an event is delivered and no handler answered itself: the status answered (200, or 202), and the log line. */
  readonly accepted: { readonly status: number, readonly log: string }
  /** Whether the sink drops repeats by itself (a queue by its job id), so that no store is needed by default. */
  readonly deduplicates: boolean
  /**
   * Hands over one event; resolves false when it was not handled after all (a handler answered an error itself), as
   * `Dispatch.run` does. `trace`: see `Dispatch.run`.
   */
  deliver (event: WebhookEventData, known: boolean, trace: TraceContext | undefined, ...args: Args): Promise<boolean>
  /** The error answered when `deliver` throws; `cause` is what it threw. */
  failure (cause: unknown): Error
  /** Called once at registration with the app's logger and the plugin's observer. */
  start? (log: Logger, observer: DeliveryObserver): void
}

/**
 * Runs the handlers in the request. `handled` tells from the caller's arguments, once they ran, whether they handled
 * the event (not when one answered an error itself).
 */
export function inlineSink<Args extends unknown[]> (
  handlers: Handlers<Args>,
  handled: (...args: Args) => boolean
): Sink<Args> {
  return {
    runsHandlers: true,
    accepted: { status: 200, log: 'webhook event handled' },
    deduplicates: false,
    async deliver (event, known, _trace, ...args) {
      await runHandlers(handlers, event, known, ...args)
      return handled(...args)
    },
    failure: cause => new WebhookHandlerError({ cause })
  }
}
