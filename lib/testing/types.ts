/**
 * The types of the testing kit. A shipped provider is typed through `FastifyWebhookProviders`, which only
 * that provider's own module fills: nothing here imports one, so importing the kit adds no provider
 * to `request.webhook`.
 */
import type { FastifyWebhookProviders } from 'fastify'
import type { EventOf, ProviderSpec, UnknownEventOf, WebhookEventData } from '../core/provider.js'
// Declares FastifyWebhookProviders; an export, because declaration output drops an empty import.
export type {} from '../fastify/define-provider.js'

/**
 * The providers this package ships whose module the program imports: each shipped provider's own file adds
 * itself here (a type test keeps them to plugins/registry.ts), so that nothing here names one.
 */
export interface ShippedProviders {}

/** The name of a shipped provider whose module the program imports. */
export type ShippedProvider = keyof ShippedProviders & keyof FastifyWebhookProviders

/** Any plugin made by `defineProvider`, or the name of a shipped provider whose module the program imports. */
export type ProviderRef = ShippedProvider | { readonly provider: ProviderSpec }

/** The verified events of a provider (a shipped name or a plugin): a union discriminated by `type`. */
export type KitEvent<P> = P extends { readonly provider: infer S extends ProviderSpec }
  ? EventOf<S>
  : P extends keyof FastifyWebhookProviders ? FastifyWebhookProviders[P] : never

/** A provider's event type names. */
export type KitEventType<P> = TypeField<KitEvent<P>>

/** The payload of one event type of a provider (of any of them, without `T`). */
export type KitPayload<P, T extends string = KitEventType<P>> = Extract<KitEvent<P>, { type: T }>['payload']

/** `T` with every property optional, all the way down; arrays are whole (an override replaces them). */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T

/** A sample payload of every event type of the shipped providers you import: the `examples` of their schemas. */
export type Fixtures = {
  readonly [P in ShippedProvider]: { readonly [T in KitEventType<P>]: KitPayload<P, T> }
}

/** Handlers as `receive` runs them: each gets the event alone. */
export interface KitHandlers<E, U> {
  on?: { [T in TypeField<E>]?: (event: Extract<E, { type: T }>) => unknown } | undefined
  onEvent?: ((event: E) => unknown) | undefined
  onUnknown?: ((event: U) => unknown) | undefined
}

/** An event of a type no schema of the provider knows, as `onUnknown` gets it. */
export type KitUnknownEvent<P> = P extends { readonly provider: infer S extends ProviderSpec }
  ? UnknownEventOf<S>
  : { provider: ProviderField<KitEvent<P>> } & Omit<WebhookEventData, 'provider' | 'tenant'> &
    ('timestamp' extends keyof KitEvent<P> ? { /** the signed timestamp, seconds */ timestamp: number } : object)

/** What `receive` resolves with: the event of type `T` the handlers got. */
export type KitReceived<P, T extends string> =
  T extends KitEventType<P> ? Extract<KitEvent<P>, { type: T }> : KitUnknownEvent<P>

type TypeField<E> = E extends { type: infer T extends string } ? T : never
type ProviderField<E> = E extends { provider: infer N extends string } ? N : never
