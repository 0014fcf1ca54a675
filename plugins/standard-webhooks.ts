/**
 * `fastify-webhooks/standard-webhooks`: a receiver for any sender that follows Standard Webhooks (every
 * Svix-powered sender does), with your own TypeBox schemas per event type, or none. Pulse and Cyberdesk are
 * two uses of it.
 */
import type { KeyObject } from 'node:crypto'
import type { TUnknown } from 'typebox'
import { stringAt } from '../lib/core/fields.js'
import type { EventSchemas, ProviderSpec } from '../lib/core/provider.js'
import { headerValue, type SignatureScheme } from '../lib/schemes/scheme.js'
import { standardWebhooks, type StandardMeta } from '../lib/schemes/standard-webhooks.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import type { WebhookPlugin } from '../lib/fastify/types.js'

export interface StandardWebhooksOptions<N extends string, E extends EventSchemas> {
  /** Lowercase name: the default path is `/webhooks/<name>`, the plugin is `fastify-webhooks-<name>`. */
  name: N
  /** The name for people, in messages and docs. Default: the name. */
  title?: string | undefined
  /**
   * Event type → TypeBox schema of its payload. Without it every verified event goes to `onEvent` with its
   * payload `unknown`; with it, a type it does not list goes to `onUnknown`.
   */
  events?: E | undefined
  /**
   * Where the event type is: a field path of the body (dots between keys), or a header. Default `'type'`. A header is
   * not covered by the signature; `required: true` refuses a delivery without it (400 `WEBHOOK_MISSING_TYPE`) instead
   * of handing it to `onUnknown`.
   */
  type?: string | { header: string, required?: boolean | undefined } | undefined
  /** Header name prefixes, in order: `webhook` (the spec, the default) and/or `svix` (older Svix senders). */
  headerPrefixes?: readonly string[] | undefined
  /** The sample the CLI's `send` and the demo send when no type is named, and how to make it a new event. */
  sample?: ProviderSpec['sample'] | undefined
}

/** The description the plugin is made from; `events` typed by your schemas, or any type with an unknown payload. */
export interface StandardWebhooksSpec<N extends string, E extends EventSchemas> extends ProviderSpec {
  readonly name: N
  readonly scheme: SignatureScheme<KeyObject, StandardMeta>
  readonly events: E
}

/** Events of every type, each payload unknown: what a sender without schemas sends. */
export type AnyEvents = Record<string, TUnknown>

/**
 * A plugin for one Standard Webhooks sender: `defineStandardWebhooks({ name: 'acme', events: { 'invoice.paid': Invoice
 * } })`, then `app.register(acme, { secret, on: { 'invoice.paid': async event => ... } })`.
 */
export function defineStandardWebhooks<const N extends string, const E extends EventSchemas> (
  options: StandardWebhooksOptions<N, E> & { events: E }
): WebhookPlugin<StandardWebhooksSpec<N, E>>
export function defineStandardWebhooks<const N extends string> (
  options: StandardWebhooksOptions<N, never> & { events?: undefined }
): WebhookPlugin<StandardWebhooksSpec<N, AnyEvents>>
export function defineStandardWebhooks (options: StandardWebhooksOptions<string, EventSchemas>): unknown {
  const { name, title, events, type = 'type', headerPrefixes = ['webhook'], sample } = options
  const path = typeof type === 'string' ? type.split('.') as [...string[], string] : undefined
  const header = typeof type === 'string' ? undefined : type.header.toLowerCase()
  return defineProvider({
    name,
    ...(title === undefined ? {} : { title }),
    scheme: standardWebhooks({ headerPrefixes }),
    events: events ?? {},
    // No schemas: every type is one the receiver takes, its payload unknown.
    ...(events === undefined ? { anyType: true } : {}),
    typeOf:
      path === undefined
        ? (_payload, { headers }) => headerValue(headers, header!)
        : payload => stringAt(payload, ...path),
    ...(typeof type !== 'string' && type.required === true ? { requiresType: true } : {}),
    // A type in a header is sent beside the signature: the testing kit's `sign` and the CLI's `send` send it too.
    ...(header === undefined ? {} : { senderHeaders: ({ type }: { type: string }) => ({ [header]: type }) }),
    ...(sample === undefined ? {} : { sample })
  })
}
