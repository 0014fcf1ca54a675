/**
 * `fastify-webhooks/testing`: signed deliveries and sample payloads for your tests. Its types speak of
 * the provider plugins your program imports (`FastifyWebhookProviders`), so importing this module alone
 * adds none of them to `request.webhook`.
 */
import { randomBytes } from 'node:crypto'
import type { FastifyWebhookProviders } from 'fastify'
import type { ProviderSpec } from '../lib/provider.js'
import type { SignOptions } from '../lib/scheme.js'
import { providers } from './registry.js'
// Declares FastifyWebhookProviders and request.webhook. An export, not an import: tsc keeps it in the .d.ts.
export type {} from './receiver.js'

export interface SignedDelivery {
  headers: Record<string, string>
  /** the exact bytes that were signed, as a string; send it as is */
  body: string
}

/** Any plugin made by `defineProvider`, or the name of a shipped one. */
export type ProviderRef = keyof FastifyWebhookProviders | { readonly provider: ProviderSpec }

/**
 * A delivery signed as the provider would sign it, ready for `app.inject()` or `fetch`.
 * `provider` is a shipped provider's name, or any plugin made by `defineProvider`.
 */
export function sign (provider: ProviderRef, payload: unknown, options: SignOptions & { secret: string, /** for providers that send the type in a header */ type?: string }): SignedDelivery {
  const spec = specOf(provider)
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload)
  const id = options.id ?? `msg_${randomBytes(12).toString('hex')}`
  const sender = spec.senderHeaders?.({ type: options.type ?? spec.sample?.type ?? '', id })
  return {
    headers: { 'content-type': 'application/json', ...sender, ...spec.scheme.sign(options.secret, body, { ...options, id }) },
    body
  }
}

type PayloadOf<E, T> = E extends { type: T, payload: infer P } ? P : never

/** A sample payload of every event type of the shipped providers you import: the `examples` of their schemas. */
export type Fixtures = {
  readonly [P in keyof FastifyWebhookProviders]: { readonly [T in FastifyWebhookProviders[P]['type']]: PayloadOf<FastifyWebhookProviders[P], T> }
}

/** The first example of each event type's schema, for every provider of a spec. */
export function examplesOf (spec: ProviderSpec): Record<string, unknown> {
  return Object.fromEntries(Object.entries(spec.events).map(([type, schema]) => [type, firstExample(schema)]))
}

// Built from the registry; typed by the plugins the program imports (the examples are checked against their schemas in our tests).
export const fixtures = Object.fromEntries(Object.entries(providers).map(([name, plugin]) => [name, examplesOf(plugin.provider)])) as Fixtures

function firstExample (schema: { examples?: unknown }): unknown {
  return Array.isArray(schema.examples) ? structuredClone(schema.examples[0]) : undefined
}

function specOf (provider: ProviderRef): ProviderSpec {
  if (typeof provider !== 'string') return provider.provider
  if (!Object.hasOwn(providers, provider)) {
    throw new TypeError(`fastify-webhooks/testing: unknown provider "${provider}" (shipped: ${Object.keys(providers).join(', ')}; for your own, pass its plugin)`)
  }
  return providers[provider as keyof typeof providers].provider
}
