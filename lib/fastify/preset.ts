import type { EventSchemas, ProviderSpec } from '../core/provider.js'
import { defineProvider } from './define-provider.js'
import type { WebhookPlugin } from './types.js'

/** The options of a shipped sender's `define…` (`defineStripe`, `defineGitHub`, …). */
export interface PresetOptions<N extends string, E extends EventSchemas> {
  /** Default: the sender's name, which makes the path `/webhooks/<name>` and `request.webhook.provider`. */
  name?: N | undefined
  /**
   * Schemas of more event types, or your own for one of ours (yours win), keyed by the type as the sender names it:
   * `{ 'charge.refunded': stripeEvent('charge.refunded', MyCharge, example) }`.
   */
  events?: E | undefined
}

/** A shipped sender's description with another name and more (or other) event schemas. */
export type PresetSpec<S extends ProviderSpec, N extends string, E extends EventSchemas> =
  Omit<S, 'name' | 'events'> & { readonly name: N, readonly events: Omit<S['events'], keyof E> & E }

/**
 * The `define…` of a shipped sender: `preset(spec)` is a function that makes its plugin under another name or with
 * more event schemas, so a second receiver of the same sender (another account, another route) is one call.
 */
export function preset<const S extends ProviderSpec> (spec: S) {
  return function define<const N extends string = S['name'], const E extends EventSchemas = {}> (
    options: PresetOptions<N, E> = {}
  ): PresetSpec<S, N, E> extends infer P extends ProviderSpec ? WebhookPlugin<P> : never {
    const events = options.events === undefined ? spec.events : { ...spec.events, ...options.events }
    return defineProvider({ ...spec, name: options.name ?? spec.name, events }) as never
  }
}
