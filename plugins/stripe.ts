import { randomBytes } from 'node:crypto'
import { stringField } from '../lib/core/fields.js'
import { hmac } from '../lib/schemes/index.js'
import type { TSchema } from 'typebox'
import type { EventSchemas } from '../lib/core/provider.js'
import { stripeEnvelope, stripeEvents } from '../schemas/plain/stripe.js'
import type * as source from '../schemas/stripe.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * The schema of a Stripe event whose `data.object` is `dataObject`, for `defineStripe({ events })`:
 * `stripeEvent('charge.refunded', MyCharge, { object: aCharge })`. The envelope is the shipped events' own.
 */
export function stripeEvent<const T extends string, O extends TSchema> (
  type: T,
  dataObject: O,
  example: { object: Record<string, unknown>, previous_attributes?: Record<string, unknown> }
): ReturnType<typeof source.stripeEvent<T, O>> {
  const { properties } = stripeEnvelope
  const { data } = properties
  const [envelope] = (stripeEnvelope as { examples?: readonly object[] }).examples!
  return {
    ...stripeEnvelope,
    properties: {
      ...properties,
      type: { ...properties.type, const: type },
      data: { ...data, properties: { ...data.properties, object: dataObject } }
    },
    examples: [{ ...envelope, id: `evt_test_${type.replaceAll('.', '_')}`, type, data: example }]
  } as never
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>` over `<t>.<body>`, HMAC-SHA256 keyed with the whole `whsec_…`
 * string as UTF-8 (not base64-decoded, unlike Standard Webhooks). Several `v1` entries come while Stripe rolls a
 * secret. The type and the id (`evt_…`, the same on every retry) are the body's.
 */
export const stripeScheme = hmac({
  name: 'stripe',
  title: 'Stripe',
  signed: '{timestamp}.{body}',
  signature: { header: 'stripe-signature', entries: { separator: ',', assign: '=', signature: 'v1' } },
  timestamp: { entry: 't' },
  secret: { prefix: 'whsec_' }
})

/** `defineStripe`'s options: another name, more (or other) event schemas. */
export type StripeOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Stripe receiver with more (or other) event schemas than the ones shipped: `defineStripe({ events })`. */
export const defineStripe = preset({
  name: 'stripe',
  title: 'Stripe',
  scheme: stripeScheme,
  events: stripeEvents,
  typeOf: payload => stringField(payload, 'type'),
  idOf: payload => stringField(payload, 'id'),
  sample: {
    type: 'checkout.session.completed',
    fresh: event => ({ ...event, id: `evt_${randomBytes(12).toString('hex')}` })
  }
})

export const stripe = defineStripe()

/** A verified Stripe event: the union of all types, or `StripeEvent<'invoice.paid'>` the event of that type. */
export type StripeEvent<T extends EventTypeFor<typeof stripe> = EventTypeFor<typeof stripe>> = EventFor<
  typeof stripe,
  T
>
/** The `on` option: one handler per Stripe event type. */
export type StripeHandlers = HandlersFor<typeof stripe>

declare module 'fastify' {
  interface FastifyWebhookProviders { stripe: StripeEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { stripe: true }
}

export default stripe
