/**
 * `fastify-webhooks/testing`: signed deliveries, sample payloads and handler runs for your tests. Its
 * types speak of the provider plugins your program imports (`FastifyWebhookProviders`), so importing
 * this module alone adds none of them to `request.webhook`.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { checkHandlers, handlerTypes, runHandlers } from '../core/handlers.js'
import type { ProviderSpec, WebhookEventData } from '../core/provider.js'
import { jsonBody } from '../core/body-format.js'
import { compileProvider, receive as receiveDelivery } from '../core/receive.js'
import type { SignOptions } from '../schemes/scheme.js'
import { kitOptions, pluginOptions } from './kit-options.js'
import { providers } from '../../plugins/registry.js'
import type {
  DeepPartial,
  KitEvent,
  KitEventType,
  KitHandlers,
  KitPayload,
  KitReceived,
  KitUnknownEvent,
  Fixtures,
  ProviderRef
} from './types.js'

export type {
  DeepPartial,
  Fixtures,
  KitEvent,
  KitEventType,
  KitHandlers,
  KitPayload,
  KitReceived,
  KitUnknownEvent,
  ProviderRef,
  ShippedProvider
} from './types.js'

const NAME = 'fastify-webhooks/testing'

export interface SignedDelivery {
  headers: Record<string, string>
  /** the exact bytes that were signed, as a string; send it as is */
  body: string
}

export interface KitSignOptions<T extends string = string> extends SignOptions {
  secret: string
  /**
   * The event type, for providers that send it in a header (GitHub's `X-GitHub-Event`). Default: the provider's sample
   * type.
   */
  type?: T | undefined
}

export interface DeliverOptions<T extends string = string> extends KitSignOptions<T> {
  /** The route's path, with any `prefix` it was registered with. Default `/webhooks/<provider>`. */
  path?: string | undefined
  /** Headers sent over the signed ones: to break one of them in a test. */
  headers?: Record<string, string> | undefined
}

/**
 * A delivery signed as the provider would sign it, ready for `app.inject()` or `fetch`. `provider` is a
 * shipped provider's name or any plugin made by `defineProvider`; the payload is typed by it (one of its
 * event types' payloads), or a string sent byte for byte.
 */
export function sign<P extends ProviderRef> (provider: P, body: string, options: KitSignOptions): SignedDelivery
export function sign<P extends ProviderRef> (
  provider: P,
  payload: KitPayload<P>,
  options: KitSignOptions<KitEventType<P>>
): SignedDelivery
export function sign (provider: ProviderRef, payload: unknown, options: KitSignOptions): SignedDelivery {
  const spec = specOf(provider)
  return signed(spec, onTheWire(spec, stamped(spec, payload, options.timestamp)), options)
}

/**
 * A payload with the signed timestamp written in, where the scheme reads it from the body (Linear's
 * `webhookTimestamp`): now, or `timestamp`. A string is the body byte for byte, and is sent as it is.
 */
function stamped (spec: ProviderSpec, payload: unknown, timestamp: number | undefined): unknown {
  const { stamp } = spec.scheme
  if (stamp === undefined || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload
  return stamp(payload as Record<string, unknown>, timestamp ?? Math.floor(Date.now() / 1000))
}

/**
 * What the sender puts on the wire for a payload: the body in the format it sends that payload in (JSON, a form;
 * Slack sends a command as a form), with that format's media type; a string is the body byte for byte.
 */
function onTheWire (spec: ProviderSpec, payload: unknown): { body: string, contentType: string } {
  const format = spec.body ?? jsonBody
  // A format takes at least one type, or no route would take its deliveries.
  if (typeof payload === 'string') return { body: payload, contentType: format.contentTypes[0]! }
  const sent = format.sends?.(payload) ?? format
  return { body: (sent.serialize ?? JSON.stringify)(payload), contentType: sent.contentTypes[0]! }
}

function signed (
  spec: ProviderSpec,
  { body, contentType }: { body: string, contentType: string },
  options: KitSignOptions
): SignedDelivery {
  const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`
  const sender = spec.senderHeaders?.({ type: options.type ?? spec.sample?.type ?? '', id })
  return {
    headers: {
      'content-type': contentType,
      ...sender,
      ...spec.scheme.sign(options.secret, body, { ...options, id })
    },
    body
  }
}

/**
 * The sample payload of one event type (the first `examples` entry of its schema), a new copy each call,
 * deep-merged with `overrides`: objects merge, anything else (arrays too) replaces, `undefined` keeps the sample's.
 */
export function fixture<P extends ProviderRef, T extends KitEventType<P>> (
  provider: P,
  type: T,
  overrides?: DeepPartial<KitPayload<P, T>>
): KitPayload<P, T>
export function fixture (provider: ProviderRef, type: string, overrides?: unknown): unknown {
  const spec = specOf(provider)
  if (!Object.hasOwn(spec.events, type)) {
    throw new TypeError(
      `${NAME}: ${spec.name} has no event type "${type}" (types: ${Object.keys(spec.events).join(', ')})`
    )
  }
  const sample = firstExample(spec.events[type]!)
  if (sample === undefined) {
    throw new TypeError(`${NAME}: the ${spec.name} schema of "${type}" has no example to start from`)
  }
  return merge(sample, overrides)
}

/**
 * Signs the payload and posts it to the provider's route with `app.inject()`: the answer, as the sender would get it.
 */
export async function deliver<P extends ProviderRef> (
  app: Pick<FastifyInstance, 'inject'>,
  provider: P,
  body: string,
  options: DeliverOptions
): Promise<LightMyRequestResponse>
export async function deliver<P extends ProviderRef> (
  app: Pick<FastifyInstance, 'inject'>,
  provider: P,
  payload: KitPayload<P>,
  options: DeliverOptions<KitEventType<P>>
): Promise<LightMyRequestResponse>
export async function deliver (
  app: Pick<FastifyInstance, 'inject'>,
  provider: ProviderRef,
  payload: unknown,
  options: DeliverOptions
): Promise<LightMyRequestResponse> {
  const spec = specOf(provider)
  const { path, headers: extra, ...signing } = options
  const url = path ?? `/webhooks/${spec.name}`
  // The URL the route sees under inject (light-my-request's host), for a scheme that signs it.
  const wire = onTheWire(spec, stamped(spec, payload, signing.timestamp))
  const { headers, body } = signed(spec, wire, { url: `http://localhost:80${url}`, ...signing })
  return await app.inject({
    method: 'POST',
    url,
    headers: { ...headers, ...extra },
    payload: body
  })
}

/**
 * Runs handlers (`on`, `onEvent`, `onUnknown`: the plugin's options, or an object of them) on one event,
 * with no HTTP and no secret: the event is made by the same engine as the route's (schema check, id,
 * signed timestamp, the provider's extra fields) and handed to the same runner. Handlers get the event
 * alone: no `request`, no `reply` (test a handler that needs them with `deliver`). Rejects with a
 * TypeError for an event the route would refuse, and with what a handler threw as it is.
 * Resolves with the event the handlers got.
 */
export async function receive<P extends ProviderRef, const T extends string> (
  handlers: NoInfer<KitHandlers<KitEvent<P>, KitUnknownEvent<P>>> & NoInfer<ExtraOptions<P>>,
  event: {
    /** a shipped provider's name, or your plugin */
    provider: P
    type: T
    payload: T extends KitEventType<P> ? KitPayload<P, T> : unknown
    /** The signed message id. Default: a new `msg_…` (providers that read the id from the payload use that). */
    id?: string | undefined
    /** Default: now. */
    receivedAt?: Date | undefined
  }
): Promise<KitReceived<P, T>>
export async function receive (
  handlers: object,
  event: {
    provider: ProviderRef
    type: string
    payload: unknown
    id?: string | undefined
    receivedAt?: Date | undefined
  }
): Promise<WebhookEventData> {
  const spec = specOf(event.provider)
  const fail = (message: string): never => { throw new TypeError(`${NAME}: ${message}`) }
  kitOptions.check(handlers, fail, pluginOptions(spec))
  const checked = checkHandlers<[]>(handlers, handlerTypes(spec), fail)
  const secret = spec.scheme.generateSecret()
  const receivedAt = event.receivedAt ?? new Date()
  const url = `https://example.com/webhooks/${spec.name}`
  const { headers, body } = signed(spec, onTheWire(spec, event.payload), {
    secret,
    url,
    type: event.type,
    timestamp: Math.floor(receivedAt.getTime() / 1000),
    ...(event.id === undefined ? {} : { id: event.id })
  })
  const received = receiveDelivery(await compileProvider(spec), {
    method: 'POST',
    url,
    headers,
    body: Buffer.from(body),
    keys: { keys: [spec.scheme.parseSecret(secret)], known: true },
    receivedAt,
    tolerance: 300,
    parse: {},
    options: handlers,
    keepsInvalid: false
  })
  if (!received.ok) return fail(`the route would refuse this event: ${received.error.message}`)
  if (received.kind === 'handshake') return fail('the route would answer this payload as a handshake: no handler runs')
  if (received.kind !== 'event') return fail('the route would take this payload as several events: give one of them')
  if (received.event.type !== event.type) fail(`the payload is of type "${received.event.type}", not "${event.type}"`)
  await runHandlers(checked, received.event, received.known)
  return received.event
}

/**
 * The options a plugin made by `defineProvider` reads in its `extend` (Retab's `extraction`); none known for a name.
 */
type ExtraOptions<P> = P extends { readonly provider: { extend(payload: unknown, options: infer O): unknown } }
  ? Partial<O>
  : object

/** The first example of each event type's schema, for every provider of a spec. */
export function examplesOf (spec: ProviderSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec.events).map(([type, schema]) => [type, firstExample(schema)]))
}

// Built from the registry; typed by the plugins the program imports (the examples are checked against their schemas in
// our tests).
export const fixtures = Object.fromEntries(
  Object.entries(providers).map(([name, plugin]) => [name, examplesOf(plugin.provider)])
) as Fixtures

function firstExample (schema: { examples?: unknown }): unknown {
  return Array.isArray(schema.examples) ? structuredClone(schema.examples[0]) : undefined
}

function merge (sample: unknown, overrides: unknown): unknown {
  if (overrides === undefined) return sample
  if (!isRecord(sample) || !isRecord(overrides)) return overrides
  // fromEntries defines each key, so that even `__proto__` is a plain property.
  return Object.fromEntries([
    ...Object.entries(sample),
    ...Object.entries(overrides).map(([key, value]) => [
      key,
      merge(Object.hasOwn(sample, key) ? sample[key] : undefined, value)
    ])
  ])
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function specOf (provider: ProviderRef): ProviderSpec {
  if (typeof provider !== 'string') return provider.provider
  if (!Object.hasOwn(providers, provider)) {
    throw new TypeError(
      `${NAME}: unknown provider "${provider}" (shipped: ${Object.keys(providers).join(', ')}; for your own, pass ` +
      'its plugin)'
    )
  }
  return providers[provider as keyof typeof providers].provider
}
