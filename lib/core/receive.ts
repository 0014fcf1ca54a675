/**
 * One delivery in, one outcome out: verify the exact bytes with the keys resolved for it, then parse, then
 * validate, then read the type and the id. No Fastify here; the plugin and any other adapter call it.
 */
import { createHash } from 'node:crypto'
import type { Validator } from 'typebox/compile'
import { formatOf, type ParseOptions } from './body-format.js'
import { loadCompiler } from './compiler.js'
import {
  WebhookEmptyBodyError, WebhookInvalidPayloadError, WebhookMissingTypeError, WebhookUnreadablePayloadError,
  rejectionErrors
} from './errors.js'
import type { DeliveryContext, HandshakeAnswer, ProviderSpec, WebhookEventData } from './provider.js'
import {
  reject, type BodyVerification, type Headers, type Rejection, type Verification, type VerifyContext
} from '../schemes/scheme.js'
import { schemaFailure, type SchemaFailure } from './schema-failure.js'

export type { ParseOptions } from './body-format.js'

/** A provider with its schemas compiled. */
export interface CompiledProvider {
  spec: ProviderSpec
  validators: ReadonlyMap<string, Validator>
  /** the validator of a type `events` does not list, when the spec takes any type */
  anyType: Validator | undefined
}

const compiled = new WeakMap<ProviderSpec, Promise<CompiledProvider>>()

/**
 * A provider with its schemas compiled, once per provider however often it is registered. The compiler is loaded
 * here, when a provider is first registered (or received by the kit, or replayed), not when it is imported.
 */
export async function compileProvider (spec: ProviderSpec): Promise<CompiledProvider> {
  let provider = compiled.get(spec)
  if (provider === undefined) compiled.set(spec, provider = compile(spec))
  return await provider
}

async function compile (spec: ProviderSpec): Promise<CompiledProvider> {
  const { Compile } = await loadCompiler()
  return {
    spec,
    validators: new Map(Object.entries(spec.events).map(([type, schema]) => [type, Compile(schema)])),
    anyType: spec.anyType === true ? Compile({}) : undefined
  }
}

/** The keys one delivery is verified against, and whose they are: an adapter resolves them before `receive`. */
export interface DeliveryKeys {
  /** null only when unsigned deliveries were allowed explicitly */
  keys: readonly unknown[] | null
  /** with many tenants: the tenant named by the request */
  tenant?: string | undefined
  /** false for a tenant no lookup knows: its keys are a dummy, and a match is refused all the same */
  known: boolean
}

export interface Delivery {
  /** the request's method */
  method: string
  /** the whole URL as the sender saw it, for a scheme that signs it (`signsUrl`); else undefined */
  url: string | undefined
  headers: Headers
  body: Buffer
  keys: DeliveryKeys
  receivedAt: Date
  /** seconds a signed timestamp may be off, both ways */
  tolerance: number
  parse: ParseOptions
  /** the plugin's options, for the provider's `extend` */
  options: object
  /** whether a verified event whose payload fails its schema is kept as invalid (by a store), not refused */
  keepsInvalid: boolean
  /**
   * The verdict on the body's signature when it was checked as the body arrived (`beginVerify`), for these `keys`:
   * the body is then not hashed again. Absent: `receive` verifies it.
   */
  verified?: Extract<Verification<object>, { ok: true }> | undefined
}

/** A refusal: the error to answer with, and the one log line that says why (never a secret, signature or payload). */
export interface Refusal {
  ok: false
  error: Error
  message: string
  log: Record<string, unknown>
}

/** A verified event to dispatch. */
export interface EventToDispatch {
  ok: true
  kind: 'event'
  event: WebhookEventData
  /** whether a schema knows its type */
  known: boolean
}

/** What becomes of a delivery that is not refused: events to dispatch, an invalid one to keep, or an answer. */
export type Accepted =
  | EventToDispatch
  /** verified, but its payload fails its schema: kept for a replay after a schema fix, refused with `refusal` */
  | { ok: true, kind: 'invalid', event: WebhookEventData, failure: SchemaFailure, refusal: Refusal }
  /** a delivery of several events (`ProviderSpec.eventsOf`), each dispatched on its own */
  | { ok: true, kind: 'batch', events: readonly EventToDispatch[], payload: unknown }
  /** a handshake (`ProviderSpec.handshake`): answered as the provider asks, no event */
  | { ok: true, kind: 'handshake', answer: HandshakeAnswer, payload: unknown }

export type Received = Accepted | Refusal

type Verified = Extract<Verification<object>, { ok: true }> | null

export function receive (provider: CompiledProvider, delivery: Delivery): Received {
  const { spec } = provider
  const { headers, body, keys: { keys, known: knownTenant } } = delivery
  const verification = keys === null
    ? null
    : delivery.verified ?? spec.scheme.verify(keys, headers, body, verifyContext(delivery))
  if (verification !== null && !verification.ok) return rejected(verification)
  // Only a dummy key can have matched: none ever should, but fail closed.
  if (!knownTenant) return unknownTenant()

  // No body is no event, whatever the content type said (Fastify hands a declared one to the parser even empty).
  if (body.length === 0) return refuse(new WebhookEmptyBodyError(), 'webhook request has no body', {})
  const format = formatOf(spec, headers)
  let payload: unknown
  try {
    payload = format.parse(body, delivery.parse)
  } catch {
    return refuse(format.malformed.error(), format.malformed.message, {})
  }

  const context = { headers, signedId: verification?.id }
  let members: readonly unknown[] | undefined
  try {
    const answer = spec.handshake?.(payload, context)
    if (answer !== undefined) return { ok: true, kind: 'handshake', answer, payload }
    if (spec.eventsOf === undefined) {
      return eventOf(provider, delivery, payload, context, verification, undefined, delivery.keepsInvalid)
    }
    members = spec.eventsOf(payload, context)
  } catch (err) {
    // A provider's reader that assumed a shape the signed body does not have.
    return unreadable({ err })
  }
  if (!Array.isArray(members) || members.length === 0) return unreadable({ detail: 'no events in the delivery' })
  // The delivery's own id, which an event without one of its own is numbered from: the body hashed once at most.
  let deliveryId: string | undefined
  const idOfDelivery = (): string => (deliveryId ??= context.signedId ?? sha256(body))
  const events: EventToDispatch[] = []
  for (const [index, member] of members.entries()) {
    const one = eventOf(provider, delivery, member, context, verification, { index, idOfDelivery }, false)
    // One bad event refuses the whole delivery: the sender's retry sends them all again, and the good ones dedupe.
    if (!one.ok) return one
    // Not kept as invalid (keepsInvalid false above): an invalid one is a refusal.
    events.push(one as EventToDispatch)
  }
  return { ok: true, kind: 'batch', events, payload }
}

/**
 * An event's place in a batch: without an id of its own, its id is the delivery's (the signed id, or the body's
 * hash) followed by `#` and its index.
 */
interface BatchPlace { index: number, idOfDelivery: () => string }

/**
 * One event of a verified delivery: `place` is its place in a batch (its default id then differs from the next's);
 * kept as invalid only where the delivery is one event (a batch is refused whole).
 */
function eventOf (
  provider: CompiledProvider,
  delivery: Delivery,
  payload: unknown,
  context: DeliveryContext,
  verification: Verified,
  place: BatchPlace | undefined,
  keepsInvalid: boolean
): EventToDispatch | Extract<Accepted, { kind: 'invalid' }> | Refusal {
  const { spec } = provider
  let type: string | undefined
  let id: string
  try {
    type = spec.typeOf(payload, context)
    id = spec.idOf?.(payload, context) ??
      (place === undefined ? context.signedId ?? sha256(delivery.body) : `${place.idOfDelivery()}#${place.index}`)
  } catch (err) {
    return unreadable({ err })
  }
  // An object without a type is an event of a type no schema knows; null, a number or a list without one is no event
  // (even where every delivery must say its type: such a body is no event to ask it of).
  if (type === undefined && !isObject(payload)) {
    return unreadable({ id })
  }
  if (spec.requiresType === true && (type === undefined || type === '')) {
    return refuse(new WebhookMissingTypeError(), 'webhook delivery has no event type', { id })
  }

  const event: WebhookEventData = {
    provider: spec.name,
    id,
    type: type ?? '',
    payload,
    receivedAt: delivery.receivedAt
  }
  // Object.assign rather than a spread in the literal, which takes V8's slow path for every event.
  if (verification !== null) Object.assign(event, verification.meta)
  const { tenant } = delivery.keys
  if (tenant !== undefined) event.tenant = tenant
  const validated = validateEvent(provider, event, delivery.options, type !== undefined)
  return validated.ok || validated.invalid === undefined || !keepsInvalid
    ? validated
    : { ok: true, kind: 'invalid', event, failure: validated.invalid, refusal: validated }
}

/** A verified event that fails its schema or its provider's checks: the refusal, and the failure for a store. */
type Validated = EventToDispatch | (Refusal & { invalid?: SchemaFailure })

/**
 * Checks a verified event against the schema of its type and the provider's own checks (its `extend`),
 * as a delivery is checked, or a kept event when it is replayed under today's schemas.
 */
export function validateEvent (
  provider: CompiledProvider,
  event: WebhookEventData,
  options: object,
  typed = true
): Validated {
  const { spec } = provider
  const { payload } = event
  // A payload with no readable type stays unknown even where any type is taken.
  const validator = provider.validators.get(event.type) ?? (typed ? provider.anyType : undefined)
  if (validator === undefined) return { ok: true, kind: 'event', event, known: false }

  if (!validator.Check(payload)) return invalid(event, schemaFailure(validator, payload))
  if (spec.extend !== undefined) {
    let extra: object
    try {
      extra = spec.extend(payload, options)
    } catch (err) {
      return unreadable({ id: event.id, type: event.type, err })
    }
    if ('invalid' in extra && typeof extra.invalid === 'string') {
      const reason =
        'reason' in extra && typeof extra.reason === 'string'
          ? extra.reason
          : `fails a check of the ${spec.title ?? spec.name} plugin`
      return invalid(event, { path: extra.invalid, reason })
    }
    Object.assign(event, extra)
  }
  return { ok: true, kind: 'event', event, known: true }
}

/**
 * The refusal `receive` would give that the headers alone decide (the scheme's `precheck`), so that the body
 * need not be read; null when only the body can tell, or when unsigned deliveries were allowed.
 */
export function refuseEarly (
  provider: CompiledProvider,
  delivery: Pick<Delivery, 'method' | 'url' | 'headers' | 'receivedAt' | 'tolerance'>,
  keys: readonly unknown[] | null
): Refusal | null {
  if (keys === null) return null
  const rejection = provider.spec.scheme.precheck?.(delivery.headers, verifyContext(delivery))
  return rejection === undefined ? null : rejected(rejection)
}

/**
 * Starts checking a body's signature as the body arrives (the scheme's `begin`): its verdict, once the whole body was
 * fed, is what `receive` takes as `verified`. Undefined when the scheme verifies the body whole, or when the headers
 * are refused (then `receive` refuses them as `verify` does).
 */
export function beginVerify (
  provider: CompiledProvider,
  delivery: Pick<Delivery, 'method' | 'url' | 'headers' | 'receivedAt' | 'tolerance'>,
  keys: readonly unknown[]
): BodyVerification<object> | undefined {
  const started = provider.spec.scheme.begin?.(keys, delivery.headers, verifyContext(delivery))
  return started === undefined || 'reason' in started ? undefined : started
}

/** The refusal of a signature a body check refused. */
export function refusalOf (rejection: Rejection): Refusal {
  return rejected(rejection)
}

function verifyContext (delivery: Pick<Delivery, 'method' | 'url' | 'receivedAt' | 'tolerance'>): VerifyContext {
  const { method, url, tolerance } = delivery
  return { now: Math.floor(delivery.receivedAt.getTime() / 1000), tolerance, method, url }
}

function rejected ({ reason, detail }: Rejection): Refusal {
  return refuse(new rejectionErrors[reason](), 'webhook rejected', { reason, detail })
}

function invalid (event: WebhookEventData, { path, reason }: SchemaFailure): Refusal & { invalid: SchemaFailure } {
  const log = { id: event.id, type: event.type, path, reason }
  const refusal = refuse(new WebhookInvalidPayloadError(path, reason), 'webhook payload does not match its schema', log)
  return { ...refusal, invalid: { path, reason } }
}

function unknownTenant (): Refusal {
  return rejected(reject('invalid-signature', 'unknown tenant'))
}

function unreadable (log: Record<string, unknown>): Refusal {
  return refuse(new WebhookUnreadablePayloadError(), 'webhook payload has no readable type or id', log)
}

function refuse (error: Error, message: string, log: Record<string, unknown>): Refusal {
  return { ok: false, error, message, log }
}

function isObject (value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function sha256 (body: Buffer): string {
  return createHash('sha256').update(body).digest('hex')
}
