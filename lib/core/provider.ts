/**
 * A provider description: everything that differs between providers, and nothing else.
 * The engine (lib/core/receive.ts, lib/core/dispatch.ts) and the Fastify plugin are made from it.
 */
import type { Static, TSchema } from 'typebox'
import type { Headers, SignatureScheme } from '../schemes/scheme.js'
import type { BodyFormat } from './body-format.js'

/** Event type name → TypeBox schema of the payload. */
export type EventSchemas = Record<string, TSchema>

/** What a provider's `typeOf` and `idOf` may read besides the payload. */
export interface DeliveryContext {
  headers: Headers
  /** the message id the scheme signs, if it signs one */
  signedId: string | undefined
}

export interface ProviderSpec {
  /** Lowercase name: the default path is `/webhooks/<name>`, the plugin is `fastify-webhooks-<name>`. */
  readonly name: string
  /** The name for people, in messages and docs: `Cyberdesk`. Default: the name. */
  readonly title?: string
  readonly scheme: SignatureScheme
  /**
   * Event type → payload schema (with an example payload in `examples`). Types not in here are verified and go to
   * `onUnknown`.
   */
  readonly events: EventSchemas
  /**
   * Every type is one the provider sends: a type `events` does not list is valid with any payload, for `on` and
   * `onEvent`.
   */
  readonly anyType?: boolean
  /**
   * The event type, from a parsed (not yet validated) payload or the headers. Read fields with `field`/`stringField`.
   */
  typeOf (payload: unknown, delivery: DeliveryContext): string | undefined
  /**
   * Every delivery says its type: one for which `typeOf` gives none (or '') is refused, 400 `WEBHOOK_MISSING_TYPE`,
   * instead of going to `onUnknown`. For a type read from a header, which the signature does not cover.
   */
  readonly requiresType?: boolean
  /**
   * The idempotency key. Default: the id the scheme signs; with neither, the SHA-256 of the body (in a batch, either
   * followed by `#` and the event's place in it).
   */
  idOf? (payload: unknown, delivery: DeliveryContext): string | undefined
  /**
   * The events of a delivery that carries several (SendGrid posts a JSON array of them): each is then typed, validated,
   * deduplicated and handled on its own, `typeOf` and `idOf` given its payload. A delivery with an event that would be
   * refused alone is refused whole (the sender's retry sends them all, and those already handled are duplicates).
   * Absent: the payload is one event.
   */
  eventsOf? (payload: unknown, delivery: DeliveryContext): readonly unknown[] | undefined
  /** How the verified bytes become the payload. Default: JSON (`jsonBody`); `formBody` for a form. */
  readonly body?: BodyFormat
  /**
   * A delivery that checks the endpoint instead of reporting an event (Slack's `url_verification`, Discord's
   * PING): the answer it asks for, given once its signature verified; undefined for an event. No handler runs.
   */
  handshake? (payload: unknown, delivery: DeliveryContext): HandshakeAnswer | undefined
  /** Default `bodyLimit` in bytes (1 MiB when absent). */
  readonly bodyLimit?: number
  /** The provider may send unsigned deliveries, accepted only with `allowUnsigned: true` and no secret. */
  readonly unsigned?: boolean
  /** Names of the options `extend` reads (checked at registration, so that a typo throws). */
  readonly options?: readonly string[]
  /**
   * Extra fields of a valid event, computed from its payload and the plugin's options; or the JSON
   * pointer of what fails and, in `reason`, the rule it breaks (answered 400; never a payload value:
   * `schemaFailure` says it so). Runs after the schema check.
   */
  extend? (payload: unknown, options: object): object | { invalid: string, reason?: string }
  /**
   * Headers a sender sends besides the signature (GitHub's `X-GitHub-Event`), for the tools that act as the
   * sender: the testing kit's `sign` and the CLI's `send`.
   */
  senderHeaders? (delivery: { type: string, id: string }): Record<string, string>
  /** The sample a tool sends when no type is named (the CLI's `send`, the demo), and how to make it a new event. */
  readonly sample?: {
    readonly type: string
    /** Changes the fields the event id comes from, so that each `send` is a new event, not a duplicate. */
    fresh? (payload: Record<string, unknown>): Record<string, unknown>
  }
}

/** The answer to a handshake: `body` is sent as it is (an object as JSON). */
export interface HandshakeAnswer {
  /** Default: 200. */
  status?: number
  headers?: Readonly<Record<string, string>>
  body: unknown
}

type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** The signed fields a scheme adds to every event (`timestamp` for Standard Webhooks). */
export type MetaOf<S extends ProviderSpec> = S['scheme'] extends SignatureScheme<infer _Key, infer Meta> ? Meta : object
/** The fields `extend` adds. */
export type ExtraOf<S extends ProviderSpec> = S extends { extend(payload: unknown, options: never): infer R }
  ? Exclude<R, { invalid: string }>
  : object
/** The options `extend` reads. */
export type ExtraOptionsOf<S extends ProviderSpec> = S extends { extend(payload: unknown, options: infer O): unknown }
  ? O
  : object

/** The event type names of a provider: the keys of its `events`. */
export type EventTypeOf<S extends ProviderSpec> = S extends { events: infer E } ? keyof E & string : never

/** One verified event of type `T`. */
export type EventOfType<S extends ProviderSpec, T extends EventTypeOf<S>> = Simplify<{
  /** the provider that sent it */
  provider: S['name']
  /** the tenant whose secret verified it, when `secret` is looked up per delivery (many tenants) */
  tenant?: string
  /** the event id used for idempotency (the signed message id, or the payload's own id) */
  id: string
  /** the event type */
  type: T
  /** the payload, validated against the schema of its type */
  payload: Static<S['events'][T]>
  /** when this delivery was received */
  receivedAt: Date
} & MetaOf<S> & ExtraOf<S>>

/**
 * The verified events of a provider: a union discriminated by `type`, with the payload typed per type;
 * `EventOf<S, 'a' | 'b'>` the events of those types only.
 */
export type EventOf<S extends ProviderSpec, T extends EventTypeOf<S> = EventTypeOf<S>> = {
  [K in T]: EventOfType<S, K>
}[T]

/** A verified event whose type no schema knows: handed to `onUnknown`, never validated. */
export type UnknownEventOf<S extends ProviderSpec> =
  Simplify<{ provider: S['name'] } & Omit<WebhookEventData, 'provider'> & MetaOf<S>>

/**
 * An event as the engine sees it, before types: what `receive` makes (with the scheme's and `extend`'s fields)
 * and a queue stores. The one event shape: the typed events, the unknown ones, the worker's and the kit's
 * are made from it.
 */
export interface WebhookEventData {
  provider: string
  /** the tenant whose secret verified it, when `secret` is looked up per delivery (many tenants) */
  tenant?: string
  id: string
  /** the type as read from the payload, or '' when it has none */
  type: string
  payload: unknown
  receivedAt: Date
}
