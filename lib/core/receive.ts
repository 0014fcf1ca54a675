/**
 * One delivery in, a typed event or a refusal out: verify the exact bytes, then parse, then validate,
 * then read the type and the id. No Fastify here; the plugin and any other adapter call it.
 */
import { createHash } from 'node:crypto'
import sjson from 'secure-json-parse'
import Type from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import {
  WebhookInvalidJsonError, WebhookInvalidPayloadError, WebhookUnreadablePayloadError, rejectionErrors
} from './errors.js'
import type { ProviderSpec, WebhookEventData } from './provider.js'
import type { Headers, Rejection, VerifyContext } from '../schemes/scheme.js'
import { schemaFailure, type SchemaFailure } from './schema-failure.js'

/** A provider with its schemas compiled: made once per provider, not per registration or request. */
export interface CompiledProvider {
  spec: ProviderSpec
  validators: ReadonlyMap<string, Validator>
  /** the validator of a type `events` does not list, when the spec takes any type */
  anyType: Validator | undefined
}

export function compileProvider (spec: ProviderSpec): CompiledProvider {
  return {
    spec,
    validators: new Map(Object.entries(spec.events).map(([type, schema]) => [type, Compile(schema)])),
    anyType: spec.anyType === true ? Compile(Type.Unknown()) : undefined
  }
}

/** How to parse: the poisoning settings of the app (Fastify's `onProtoPoisoning`, `onConstructorPoisoning`). */
export interface ParseOptions {
  protoAction?: 'error' | 'remove' | 'ignore'
  constructorAction?: 'error' | 'remove' | 'ignore'
}

export interface Delivery {
  headers: Headers
  body: Buffer
  /** the keys of the configured secrets; null only when unsigned deliveries were allowed explicitly */
  keys: readonly unknown[] | null
  receivedAt: Date
  /** seconds a signed timestamp may be off, both ways */
  tolerance: number
  parse: ParseOptions
  /** the plugin's options, for the provider's `extend` */
  options: object
}

/** A refusal: the error to answer with, and the one log line that says why (never a secret, signature or payload). */
export interface Refusal {
  ok: false
  error: Error
  message: string
  log: Record<string, unknown>
  /** A verified event whose payload fails its schema: the event and why, for a store that keeps such events. */
  invalid?: { event: WebhookEventData } & SchemaFailure
}

export type Received =
  { ok: true; event: WebhookEventData; /** whether a schema knows its type */ known: boolean } | Refusal

export function receive (provider: CompiledProvider, delivery: Delivery): Received {
  const { spec } = provider
  const { headers, body, keys } = delivery
  const verification = keys === null ? null : spec.scheme.verify(keys, headers, body, verifyContext(delivery))
  if (verification !== null && !verification.ok) return rejected(verification)

  let payload: unknown
  try {
    payload = sjson.parse(body, undefined, delivery.parse)
  } catch {
    return refuse(new WebhookInvalidJsonError(), 'webhook body is not valid JSON', {})
  }

  const context = { headers, signedId: verification?.id }
  let type: string | undefined
  let id: string
  try {
    type = spec.typeOf(payload, context)
    id = spec.idOf?.(payload, context) ?? context.signedId ?? sha256(body)
  } catch (err) {
    // A provider's reader that assumed a shape the signed body does not have.
    return unreadable({ err })
  }
  // An object without a type is an event of a type no schema knows; null, a number or a list without one is no event.
  if (type === undefined && !isObject(payload)) {
    return unreadable({ id })
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
  return check(provider, event, delivery.options, type !== undefined)
}

/**
 * Checks a verified event against the schema of its type and the provider's own checks (its `extend`),
 * as a delivery is checked, or a kept event when it is replayed under today's schemas.
 */
export function check (provider: CompiledProvider, event: WebhookEventData, options: object, typed = true): Received {
  const { spec } = provider
  const { payload } = event
  // A payload with no readable type stays unknown even where any type is taken.
  const validator = provider.validators.get(event.type) ?? (typed ? provider.anyType : undefined)
  if (validator === undefined) return { ok: true, event, known: false }

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
  return { ok: true, event, known: true }
}

/**
 * The refusal `receive` would give that the headers alone decide (the scheme's `precheck`), so that the body
 * need not be read; null when only the body can tell, or when unsigned deliveries were allowed.
 */
export function refuseEarly (
  provider: CompiledProvider,
  delivery: Pick<Delivery, 'headers' | 'keys' | 'receivedAt' | 'tolerance'>
): Refusal | null {
  if (delivery.keys === null) return null
  const rejection = provider.spec.scheme.precheck?.(delivery.headers, verifyContext(delivery))
  return rejection === undefined ? null : rejected(rejection)
}

function verifyContext (delivery: Pick<Delivery, 'receivedAt' | 'tolerance'>): VerifyContext {
  return { now: Math.floor(delivery.receivedAt.getTime() / 1000), tolerance: delivery.tolerance }
}

function rejected ({ reason, detail }: Rejection): Refusal {
  return refuse(new rejectionErrors[reason](), 'webhook rejected', { reason, detail })
}

function invalid (event: WebhookEventData, { path, reason }: SchemaFailure): Refusal {
  const refusal = refuse(new WebhookInvalidPayloadError(path, reason), 'webhook payload does not match its schema', {
    id: event.id,
    type: event.type,
    path,
    reason
  })
  refusal.invalid = { event, path, reason }
  return refusal
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
