/**
 * Stripe's event envelope and the objects of the events most receivers handle. Stripe adds fields with each API
 * version and its enums are open (its own types end them with `OtherString`), so statuses are strings and only what
 * every API version sends is required; fields Stripe moved between versions (an invoice's `subscription`) are optional.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { Nullable } from './common.js'

const Metadata = Type.Record(Type.String(), Type.String())
/** An id, or the object when expanded (webhooks send ids; a `data.object` fetched again may be expanded). */
const Ref = Nullable(Type.Union([Type.String(), Type.Object({ id: Type.String() })]))

/**
 * The event every webhook delivers: `data.object` is the object the event is about (`T`), and on `*.updated` events
 * `data.previous_attributes` holds the changed fields' old values.
 */
export function stripeEvent<const T extends string, O extends TSchema> (
  type: T,
  dataObject: O,
  example: { object: Record<string, unknown>, previous_attributes?: Record<string, unknown> }
) {
  return Type.Object(
    {
      /** `evt_…`: the same on every retry of the delivery */
      id: Type.String(),
      object: Type.Literal('event'),
      type: Type.Literal(type),
      /** seconds since the epoch */
      created: Type.Number(),
      livemode: Type.Boolean(),
      api_version: Type.Optional(Nullable(Type.String())),
      /** a connected account's id, on events of Connect endpoints */
      account: Type.Optional(Type.String()),
      pending_webhooks: Type.Optional(Type.Number()),
      request: Type.Optional(
        Nullable(Type.Object({ id: Nullable(Type.String()), idempotency_key: Nullable(Type.String()) }))
      ),
      data: Type.Object({
        object: dataObject,
        previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
      })
    },
    {
      examples: [{
        // one id per type, so that the examples are distinct events
        id: `evt_test_${type.replaceAll('.', '_')}`,
        object: 'event',
        type,
        created: 1736937600,
        livemode: false,
        api_version: '2025-03-31.basil',
        pending_webhooks: 1,
        request: { id: 'req_hW8JzbQ0lGyQ2d', idempotency_key: 'b1c4e7a2-3f5d-4e6a-9b8c-7d6e5f4a3b2c' },
        data: example
      }]
    }
  )
}

export const StripeCheckoutSession = Type.Object({
  id: Type.String(),
  object: Type.Literal('checkout.session'),
  /** `payment`, `setup` or `subscription` */
  mode: Type.String(),
  /** `complete`, `expired` or `open` */
  status: Type.Optional(Nullable(Type.String())),
  /** `paid`, `unpaid` or `no_payment_required`: fulfil a `payment` session when `paid` */
  payment_status: Type.String(),
  amount_total: Type.Optional(Nullable(Type.Number())),
  amount_subtotal: Type.Optional(Nullable(Type.Number())),
  currency: Type.Optional(Nullable(Type.String())),
  customer: Type.Optional(Ref),
  customer_email: Type.Optional(Nullable(Type.String())),
  customer_details: Type.Optional(Nullable(Type.Object({
    email: Type.Optional(Nullable(Type.String())),
    name: Type.Optional(Nullable(Type.String()))
  }))),
  client_reference_id: Type.Optional(Nullable(Type.String())),
  payment_intent: Type.Optional(Ref),
  subscription: Type.Optional(Ref),
  invoice: Type.Optional(Ref),
  metadata: Type.Optional(Nullable(Metadata)),
  created: Type.Optional(Type.Number()),
  livemode: Type.Optional(Type.Boolean())
})

export const StripeInvoice = Type.Object({
  id: Type.String(),
  object: Type.Literal('invoice'),
  /** `draft`, `open`, `paid`, `uncollectible` or `void` */
  status: Type.Optional(Nullable(Type.String())),
  customer: Type.Optional(Ref),
  customer_email: Type.Optional(Nullable(Type.String())),
  currency: Type.String(),
  amount_due: Type.Number(),
  amount_paid: Type.Number(),
  amount_remaining: Type.Number(),
  total: Type.Optional(Type.Number()),
  attempt_count: Type.Optional(Type.Number()),
  billing_reason: Type.Optional(Nullable(Type.String())),
  number: Type.Optional(Nullable(Type.String())),
  hosted_invoice_url: Type.Optional(Nullable(Type.String())),
  next_payment_attempt: Type.Optional(Nullable(Type.Number())),
  /** API versions before 2025-03-31; later ones put it in `parent.subscription_details.subscription` */
  subscription: Type.Optional(Ref),
  parent: Type.Optional(Nullable(Type.Object({
    subscription_details: Type.Optional(Nullable(Type.Object({ subscription: Type.Optional(Ref) })))
  }))),
  period_start: Type.Optional(Type.Number()),
  period_end: Type.Optional(Type.Number()),
  metadata: Type.Optional(Nullable(Metadata)),
  created: Type.Optional(Type.Number()),
  livemode: Type.Optional(Type.Boolean())
})

export const StripeSubscription = Type.Object({
  id: Type.String(),
  object: Type.Literal('subscription'),
  /** `active`, `trialing`, `past_due`, `canceled`, `unpaid`, `incomplete`, `incomplete_expired` or `paused` */
  status: Type.String(),
  customer: Ref,
  cancel_at_period_end: Type.Optional(Type.Boolean()),
  cancel_at: Type.Optional(Nullable(Type.Number())),
  canceled_at: Type.Optional(Nullable(Type.Number())),
  ended_at: Type.Optional(Nullable(Type.Number())),
  trial_end: Type.Optional(Nullable(Type.Number())),
  currency: Type.Optional(Type.String()),
  latest_invoice: Type.Optional(Ref),
  items: Type.Optional(Type.Object({
    data: Type.Array(Type.Object({
      id: Type.String(),
      price: Type.Optional(Type.Object({ id: Type.String(), product: Type.Optional(Ref) })),
      quantity: Type.Optional(Type.Number()),
      /** API versions from 2025-03-31 (before them, on the subscription) */
      current_period_end: Type.Optional(Type.Number())
    }))
  })),
  /** API versions before 2025-03-31 */
  current_period_end: Type.Optional(Type.Number()),
  metadata: Type.Optional(Nullable(Metadata)),
  created: Type.Optional(Type.Number()),
  livemode: Type.Optional(Type.Boolean())
})

export const StripePaymentIntent = Type.Object({
  id: Type.String(),
  object: Type.Literal('payment_intent'),
  amount: Type.Number(),
  amount_received: Type.Optional(Type.Number()),
  currency: Type.String(),
  /** `succeeded`, `requires_payment_method`, `processing`, `requires_action`, `canceled`, … */
  status: Type.String(),
  customer: Type.Optional(Ref),
  description: Type.Optional(Nullable(Type.String())),
  latest_charge: Type.Optional(Ref),
  payment_method: Type.Optional(Ref),
  receipt_email: Type.Optional(Nullable(Type.String())),
  /** why the last attempt failed, on `payment_intent.payment_failed` */
  last_payment_error: Type.Optional(Nullable(Type.Object({
    type: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
    decline_code: Type.Optional(Type.String()),
    message: Type.Optional(Type.String())
  }))),
  metadata: Type.Optional(Nullable(Metadata)),
  created: Type.Optional(Type.Number()),
  livemode: Type.Optional(Type.Boolean())
})

const session = {
  id: 'cs_test_a1b2c3d4e5f6g7h8i9j0',
  object: 'checkout.session',
  mode: 'payment',
  status: 'complete',
  payment_status: 'paid',
  amount_total: 2000,
  amount_subtotal: 2000,
  currency: 'usd',
  customer: 'cus_RaZ3pKx4mN8vQ1',
  customer_email: null,
  customer_details: { email: 'jenny.rosen@example.com', name: 'Jenny Rosen' },
  client_reference_id: 'order_1042',
  payment_intent: 'pi_3QhXcQ2eZvKYlo2C1gKX0n5L',
  subscription: null,
  invoice: null,
  metadata: { order_id: '1042' },
  created: 1736937540,
  livemode: false
}

function invoice (status: 'paid' | 'open', paid: boolean) {
  return {
    id: 'in_1QhXcQ2eZvKYlo2CkR4m7sTu',
    object: 'invoice',
    status,
    customer: 'cus_RaZ3pKx4mN8vQ1',
    customer_email: 'jenny.rosen@example.com',
    currency: 'usd',
    amount_due: 1500,
    amount_paid: paid ? 1500 : 0,
    amount_remaining: paid ? 0 : 1500,
    total: 1500,
    attempt_count: 1,
    billing_reason: 'subscription_cycle',
    number: 'A1B2C3D4-0007',
    hosted_invoice_url: 'https://invoice.stripe.com/i/acct_1Nv0FGQ9RKHgCVdK/test_YWNjdF8x',
    next_payment_attempt: paid ? null : 1737196800,
    parent: { subscription_details: { subscription: 'sub_1QhXcQ2eZvKYlo2CmN3bV8wX' } },
    period_start: 1734259200,
    period_end: 1736937600,
    metadata: {},
    created: 1736937600,
    livemode: false
  }
}

function subscription (status: string) {
  return {
    id: 'sub_1QhXcQ2eZvKYlo2CmN3bV8wX',
    object: 'subscription',
    status,
    customer: 'cus_RaZ3pKx4mN8vQ1',
    cancel_at_period_end: false,
    cancel_at: null,
    canceled_at: status === 'canceled' ? 1736937600 : null,
    ended_at: status === 'canceled' ? 1736937600 : null,
    trial_end: null,
    currency: 'usd',
    latest_invoice: 'in_1QhXcQ2eZvKYlo2CkR4m7sTu',
    items: {
      data: [{
        id: 'si_RaZ3q7wErTyU2i',
        price: { id: 'price_1QhXbX2eZvKYlo2Cz9yXwVu', product: 'prod_RaZ2hG5jK1lM0n' },
        quantity: 1,
        current_period_end: 1739616000
      }]
    },
    metadata: {},
    created: 1734259200,
    livemode: false
  }
}

function paymentIntent (status: string, error: Record<string, string> | null) {
  return {
    id: 'pi_3QhXcQ2eZvKYlo2C1gKX0n5L',
    object: 'payment_intent',
    amount: 2000,
    amount_received: status === 'succeeded' ? 2000 : 0,
    currency: 'usd',
    status,
    customer: 'cus_RaZ3pKx4mN8vQ1',
    description: null,
    latest_charge: 'ch_3QhXcQ2eZvKYlo2C1pLm4nOq',
    payment_method: 'pm_1QhXcP2eZvKYlo2CaB3cD4eF',
    receipt_email: null,
    last_payment_error: error,
    metadata: { order_id: '1042' },
    created: 1736937540,
    livemode: false
  }
}

/** The envelope alone, `data.object` any object: what `stripeEvent` of fastify-webhooks/stripe fills in. */
export const stripeEnvelope = stripeEvent('', Type.Object({}), { object: {} })

export const stripeEvents = {
  'checkout.session.completed': stripeEvent('checkout.session.completed', StripeCheckoutSession, { object: session }),
  'invoice.paid': stripeEvent('invoice.paid', StripeInvoice, { object: invoice('paid', true) }),
  'invoice.payment_failed': stripeEvent('invoice.payment_failed', StripeInvoice, { object: invoice('open', false) }),
  'customer.subscription.created': stripeEvent(
    'customer.subscription.created', StripeSubscription, { object: subscription('active') }
  ),
  'customer.subscription.updated': stripeEvent(
    'customer.subscription.updated',
    StripeSubscription,
    {
      object: { ...subscription('active'), cancel_at_period_end: true },
      previous_attributes: { cancel_at_period_end: false }
    }
  ),
  'customer.subscription.deleted': stripeEvent(
    'customer.subscription.deleted', StripeSubscription, { object: subscription('canceled') }
  ),
  'payment_intent.succeeded': stripeEvent(
    'payment_intent.succeeded', StripePaymentIntent, { object: paymentIntent('succeeded', null) }
  ),
  'payment_intent.payment_failed': stripeEvent(
    'payment_intent.payment_failed',
    StripePaymentIntent,
    {
      object: paymentIntent('requires_payment_method', {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.'
      })
    }
  )
}

export type StripeEventType = keyof typeof stripeEvents
export type StripePayload<T extends StripeEventType = StripeEventType> = Static<typeof stripeEvents[T]>
