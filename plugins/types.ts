import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Static, TSchema } from 'typebox'
import type { IdempotencyStore } from '../lib/idempotency.js'
import type { QueueOption } from '../lib/queue.js'

/** Event type name → TypeBox schema of the payload. */
export type EventSchemas = Record<string, TSchema>

type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** The verified event of one provider: a union discriminated by `type`, with the payload typed per type. */
export type EventOf<P extends string, M extends EventSchemas, Extra extends object = object> = {
  [T in keyof M & string]: Simplify<{
    /** the provider that sent it */
    provider: P
    /** the event id used for idempotency (the signed message id, or the payload's own id) */
    id: string
    /** the event type, as read from the payload */
    type: T
    /** the payload, validated against the schema of its type */
    payload: Static<M[T]>
    /** when this delivery was received */
    receivedAt: Date
  } & Extra>
}[keyof M & string]

/** A verified event whose type no schema knows: handed to `onUnknown`, never validated. */
export type UnknownEventOf<P extends string, Meta extends object = object> = Simplify<{
  provider: P
  id: string
  /** the type as read from the payload, or '' when it has none */
  type: string
  payload: unknown
  receivedAt: Date
} & Meta>

/**
 * A handler. Return nothing and the plugin answers 200 `{ "received": true }`;
 * or answer yourself with `reply` and return `reply`.
 */
export type WebhookHandler<E> = (event: E, request: FastifyRequest, reply: FastifyReply) => unknown

export interface IdempotencyOptions {
  /** Where claims live. Default: a new in-memory store (one per registration). */
  store?: IdempotencyStore
  /** Seconds an event is remembered as done. Default 259,200 (3 days: longer than Svix's 28 h of retries). */
  ttl?: number
  /** Seconds a claim is held while handlers run; after it a crashed claim expires and a retry runs. Default 60. */
  lease?: number
}

export interface ReceiverOptions<E extends { type: string }, U> {
  /** The signing secret, or several while rotating (any may match). Required unless `allowUnsigned`. */
  secret?: string | readonly string[]
  /** Route path. Default `/webhooks/<provider>`; a `prefix` given to `register` comes before it. */
  path?: string
  /** One handler per event type, typed per type. */
  on?: { [T in E['type']]?: WebhookHandler<Extract<E, { type: T }>> }
  /** Runs for every verified event of a known type, after its handler in `on`. */
  onEvent?: WebhookHandler<E>
  /** Runs for a verified event whose type no schema knows. Default: a warn log line. Answered 200 all the same. */
  onUnknown?: WebhookHandler<U>
  /** Seconds a signed timestamp may be off, both directions (Standard Webhooks providers). Default 300. */
  tolerance?: number
  /** Largest body in bytes; larger ones get 413 before any hashing. Default 1 MiB (Retab: 64 MiB). */
  bodyLimit?: number
  /** `false` to turn deduplication off. Default: in-memory store. */
  idempotency?: false | IdempotencyOptions
  /**
   * A BullMQ `Queue` (or `{ queue, jobOptions, transform, timeout }`): each verified event is added as a job
   * (id from provider and event id, so redeliveries add nothing) and answered 202; `on`, `onEvent` and
   * `onUnknown` then run in a worker (`createWebhookWorker` from `fastify-webhooks/bullmq`), not here.
   */
  queue?: QueueOption<E>
}
