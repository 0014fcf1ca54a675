import type {
  FastifyBaseLogger, FastifyContextConfig, FastifyPluginAsync, FastifyRegisterOptions, FastifyReply, FastifyRequest,
  FastifyTypeProvider, FastifyWebhookProviders, RawServerBase, RawServerDefault, RegisterOptions
} from 'fastify'
import type { IdempotencyStore } from '../stores/idempotency.js'
import type {
  EventOf, EventTypeOf, ExtraOptionsOf, ProviderSpec, UnknownEventOf, WebhookEventData
} from '../core/provider.js'
import type { QueueOption } from '../queue/sink.js'
import type { SecretCache } from '../tenants/secret-cache.js'

export type { EventOf, EventOfType, EventSchemas, EventTypeOf, ProviderSpec, UnknownEventOf } from '../core/provider.js'

/**
 * A handler. Return nothing and the plugin answers 200 `{ "received": true }`;
 * or answer yourself with `reply` and return `reply`.
 */
export type WebhookHandler<E> = (event: E, request: FastifyRequest, reply: FastifyReply) => unknown

export interface IdempotencyOptions {
  /** Where leases and done marks live. Default: a new in-memory store (one per registration). */
  store?: IdempotencyStore | undefined
  /** Seconds an event is remembered as done. Default 259,200 (3 days: longer than Svix's 28 h of retries). */
  ttl?: number | undefined
  /**
   * Seconds the lease on an event is held while handlers run; after it a crashed run's lease expires and a retry
   * runs. Default 60.
   */
  lease?: number | undefined
}

/**
 * The plugin's `on`: one handler per event type, each typed by its type. A key that is no event type
 * of the provider is a type error (and throws at registration).
 */
export type WebhookHandlers<E extends { type: string }> = { [T in E['type']]?: WebhookHandler<Extract<E, { type: T }>> }

/**
 * Handlers that take the event alone fit both places: the plugin's `on` (inline) and the worker's `on`.
 * `const on: EventHandlers<MyEvent> = { 'order.paid': async event => { ... } }`
 */
export type EventHandlers<E extends { type: string }> = {
  [T in E['type']]?: (event: Extract<E, { type: T }>) => unknown
}

/** A verified event whose type no schema knew when it was received (in a worker), or knows today (in a replay). */
export interface UnknownWebhookEvent extends WebhookEventData {
  /** the signed timestamp (seconds), for Standard Webhooks providers */
  timestamp?: number
}

/** The signing secret, or several while rotating (any may match). */
export type WebhookSecret = string | readonly string[]

/**
 * A tenant's secret, looked up per delivery (kept in the `secretCache`): its secret, several while rotating,
 * or `undefined` for a tenant you do not know (answered 401, as a wrong signature is).
 */
export type SecretLookup = (
  tenant: string,
  request: FastifyRequest
) => WebhookSecret | undefined | null | Promise<WebhookSecret | undefined | null>

/** Many tenants on one route: with `secret` a SecretLookup. */
export interface TenantOptions {
  /**
   * The tenant of a delivery, e.g. a path parameter: `request => request.params.tenant`. Required with a `secret`
   * function.
   */
  tenant?: ((request: FastifyRequest) => string | undefined | Promise<string | undefined>) | undefined
  /** Where looked-up keys are kept, and `invalidate(tenant)` after a rotation. Default: a new `SecretCache()`. */
  secretCache?: SecretCache | undefined
}

/**
 * `secret`. A provider that always signs requires the key, so that forgetting it is a type error; its value
 * may be `undefined` (`process.env.X`), which throws at registration. One that may send unsigned
 * deliveries (Autosana) takes `secret` or `allowUnsigned: true`.
 */
export type SecretOptions<S extends ProviderSpec> = S extends { unsigned: true }
  ? {
      /**
       * The signing secret, or several while rotating (any may match), or a lookup per tenant. Required unless
       * `allowUnsigned`.
       */
      secret?: WebhookSecret | SecretLookup | undefined
      /** Accept unsigned deliveries; only without `secret`. */
      allowUnsigned?: boolean | undefined
    }
  : {
      /**
       * The signing secret, or several while rotating (any may match), or a lookup per tenant. `undefined` throws at
       * registration.
       */
      secret: WebhookSecret | SecretLookup | undefined
    }

export interface ReceiverOptions<E extends { type: string }, U> {
  /** Route path. Default `/webhooks/<provider>`; a `prefix` given to `register` comes before it. */
  path?: string | undefined
  /**
   * The route's `config` (Fastify's route option), for plugins that read their settings per route from it:
   * `@fastify/rate-limit`'s `rateLimit`, `@fastify/otel`'s `otel`. Default: none.
   */
  routeConfig?: FastifyContextConfig | undefined
  /** One handler per event type, typed per type. */
  on?: WebhookHandlers<E> | undefined
  /** Runs for every verified event of a known type, after its handler in `on`. */
  onEvent?: WebhookHandler<E> | undefined
  /** Runs for a verified event whose type no schema knows. Default: a warn log line. Answered 200 all the same. */
  onUnknown?: WebhookHandler<U> | undefined
  /**
   * A verified event whose payload fails its schema is answered 400 `WEBHOOK_INVALID_PAYLOAD` by default (with a
   * store that keeps events, a `PostgresStore` with `inbox`, it is kept as `invalid` all the same). `true` answers
   * it `200 {"received":true,"invalid":true}` instead, so that the sender stops retrying a payload that cannot pass
   * today: kept by that store for a replay after the schema fix, or, without one, by `onInvalid`, which is then
   * required. Default false.
   */
  acceptInvalid?: boolean | undefined
  /**
   * Runs for a verified event that fails its schema, with why (`acceptInvalid: true`). With a store that keeps
   * events it runs after the store kept it. Without one, it is the only keeper: it must store the event durably
   * (a table, a bucket, a queue) before it resolves, as the sender is answered 2xx and the event marked done only
   * then, and never sends it again. If it throws, the sender gets 500 `WEBHOOK_HANDLER_FAILED` and retries (a 400
   * would tell it the payload is at fault, and many senders give such a delivery up). The risk is yours: its
   * payload is NOT the type the schema promises (`event.payload` is `unknown`), no handler in `on` runs for it,
   * and nothing here ever replays it: what `onInvalid` kept is all there is.
   */
  onInvalid?: ((
    event: U,
    failure: { path: string; reason: string },
    request: FastifyRequest,
    reply: FastifyReply
  ) => unknown) | undefined
  /**
   * The URL deliveries are posted to, as the sender sees it, for a provider that signs it (Twilio, Square): a base
   * such as `https://example.com` (the request's path and query are appended), or a function of the request that
   * gives the whole URL. Default: the protocol and host Fastify sees (behind a proxy, with `trustProxy`).
   */
  publicUrl?: string | ((request: FastifyRequest) => string) | undefined
  /** Seconds a signed timestamp may be off, both directions. Default 300, unless the provider's scheme sets another. */
  tolerance?: number | undefined
  /** Largest body in bytes; larger ones get 413 before any hashing. Default 1 MiB, unless the provider sets another. */
  bodyLimit?: number | undefined
  /**
   * Bytes of request bodies all webhook routes of the server may hold at once (one budget per server, whichever
   * plugin sets it); past it a delivery gets 503 with `Retry-After`. Default: 4 times the largest `bodyLimit`.
   */
  bufferLimit?: number | undefined
  /** `false` to turn deduplication off. Default: in-memory store. */
  idempotency?: false | IdempotencyOptions | undefined
  /**
   * A BullMQ `Queue` (or `{ queue, jobOptions, transform, timeout }`): each verified event is added as a job
   * (id from provider and event id, so redeliveries add nothing) and answered 202; `on`, `onEvent` and
   * `onUnknown` then run in a worker (`createWebhookWorker` from `fastify-webhooks/bullmq`), not here.
   */
  queue?: QueueOption<E> | undefined
}

/**
 * The options of one provider's plugin: `secret` (or `allowUnsigned` where it may be unsigned), the common
 * ones, and the ones its `extend` reads.
 */
export type ProviderOptions<S extends ProviderSpec> = SecretOptions<S> &
  TenantOptions &
  ReceiverOptions<EventOf<S>, UnknownEventOf<S>> &
  ExtraOptionsOf<S>

/** The plugin's `on` for a provider description: `HandlersOf<typeof myProvider.provider>`. */
export type HandlersOf<S extends ProviderSpec> = WebhookHandlers<EventOf<S>>

/** A provider plugin: the `fastify-plugin`-wrapped receiver, with the description it was made from. */
export interface WebhookPlugin<S extends ProviderSpec> extends FastifyPluginAsync<ProviderOptions<S>> {
  /** The description the plugin was made from. */
  readonly provider: S
  /**
   * Returns its argument: the options, checked against this provider's types alone. A mistake (a misspelled
   * event type in `on`, a secret that is no string) is then reported as itself, on its first line, rather than
   * as Fastify's "No overload matches this call": `app.register(pulse, pulse.options({ ... }))`.
   */
  options (options: ProviderOptions<S>): ProviderOptions<S>
}

/** The event of type `T` of the provider named `Name`, as `FastifyWebhookProviders` has it. */
type RegisteredEvent<Name extends string, T extends string> =
  Name extends keyof FastifyWebhookProviders ? Extract<FastifyWebhookProviders[Name], { type: T }> : never

/**
 * `on` as `register`'s last overload prints it: the provider's name and its event types, so that the error of a
 * key that is none names them all. Its handlers are found by the name, which the print shows, not the description.
 */
type TypesOf<Name extends string, Types extends string> = {
  [T in Types]?: WebhookHandler<RegisteredEvent<Name, T>>
}

/** `on` of a provider in `FastifyWebhookProviders` (every shipped one) printed short; of another as before. */
type OnFor<S extends ProviderSpec> = S['name'] extends keyof FastifyWebhookProviders
  ? TypesOf<S['name'], EventOf<S>['type']>
  : WebhookHandlers<EventOf<S>>

/** The options but `on`, as Fastify's `register` takes them. */
type OptionsBesideOn<S extends ProviderSpec> = RegisterOptions & Omit<ProviderOptions<S>, 'on'>

/**
 * Whether options `O` have the secret the provider needs (a `secret` key, not an index signature). True while `O`
 * is unknown: when its handlers are left out (the first pass over a call with context-sensitive functions), the
 * options are no mistake yet; and for options given as a function, checked as Fastify checks them.
 */
type HasSecret<S extends ProviderSpec, O> = unknown extends O
  ? true
  : O extends { secret: unknown } | AsFunction
    ? true
    : S extends { unsigned: true } ? true : false

/** Options given as a function of the instance. */
type AsFunction = (...args: never[]) => unknown

/** What a missing secret is reported against: its `on` or first other option is no known property of it. */
interface SecretIsRequired {
  /** The signing secret, or several while rotating, or a lookup per tenant. */
  secret: WebhookSecret | SecretLookup | undefined
}

/**
 * The options `O` checked: each known key against its type; an unknown key is no property; without a secret where
 * one is needed, no key is a property but `secret` of `SecretIsRequired` (what the error then names). `on` is
 * `OnFor`, where a key that is no event type is no property (reported as such), and a mapped part: while `O` is
 * inferred, that part is generic and gives such a key's handler a contextual type (`as never` drops no key then),
 * so that its event is no knock-on implicit any; once `O` is known it has no key. (No alias of its own, so that the
 * error prints `OnFor`'s and `{}`.)
 */
type CheckedOptions<S extends ProviderSpec, O> = {
  [K in keyof O as K extends 'on' | keyof OptionsBesideOn<S> ? (HasSecret<S, O> extends true ? K : never) : never]:
  K extends 'on'
    ? (OnFor<S> & {
      [T in keyof O[K] as never]: T extends EventOf<S>['type'] ? unknown : WebhookHandler<any>
    }) | undefined
    : K extends keyof OptionsBesideOn<S> ? OptionsBesideOn<S>[K] : never
} & (HasSecret<S, O> extends true ? unknown : SecretIsRequired) &
  (O extends AsFunction ? FastifyRegisterOptions<ProviderOptions<S>> : unknown)

/** An inference site for `O` that checks nothing: `unknown` once `O` is known. */
type InferFrom<O> = O extends never ? O : unknown

/**
 * One more overload of `register`, for a provider plugin, which Fastify's overloads cover already: it only changes
 * a mistake's error. A call that matches none reports the last overload's error alone (with more than three
 * candidates), and this one is last (an inherited signature comes after the interface's own): the error is then
 * about this provider's options, printed short, instead of three Fastify overloads printed in full. It is generic
 * in the options given, so that a misspelled event type and a missing secret are each one error of a few words.
 */
interface WebhookRegister<T> {
  <S extends ProviderSpec, const O>(plugin: WebhookPlugin<S>, opts: CheckedOptions<S, O> & InferFrom<O>): T
}

declare module 'fastify' {
  // The type parameters must be Fastify's own, word for word, used or not.
  /* eslint-disable @typescript-eslint/no-unused-vars */
  interface FastifyRegister<
    T = void,
    RawServer extends RawServerBase = RawServerDefault,
    TypeProviderDefault extends FastifyTypeProvider = FastifyTypeProvider,
    LoggerDefault extends FastifyBaseLogger = FastifyBaseLogger
  > extends WebhookRegister<T> {}
  /* eslint-enable @typescript-eslint/no-unused-vars */
}

/** The description a plugin was made from. */
type SpecOf<Plugin> = Plugin extends { readonly provider: infer S extends ProviderSpec } ? S : never

/** The event type names of a plugin made by `defineProvider`. */
export type EventTypeFor<Plugin extends { readonly provider: ProviderSpec }> = EventTypeOf<SpecOf<Plugin>>

/**
 * The event union of a plugin made by `defineProvider`: `EventFor<typeof myProvider>`;
 * `EventFor<typeof myProvider, 'a'>` the event of type `a`.
 */
export type EventFor<
  Plugin extends { readonly provider: ProviderSpec },
  T extends EventTypeFor<Plugin> = EventTypeFor<Plugin>
> = EventOf<SpecOf<Plugin>, T>

/** The plugin's `on` option, for a plugin made by `defineProvider`: `HandlersFor<typeof myProvider>`. */
export type HandlersFor<Plugin extends { readonly provider: ProviderSpec }> = WebhookHandlers<EventFor<Plugin>>
