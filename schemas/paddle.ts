/**
 * Paddle Billing's notification envelope and the entities of the events most receivers handle (transactions,
 * subscriptions, customers). Paddle adds fields and statuses over time, so every object takes extra keys, statuses
 * are strings, and only what Paddle's API reference marks as always present is required.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { Nullable } from './common.js'

const CustomData = Nullable(Type.Record(Type.String(), Type.Unknown()))
/** RFC 3339, as Paddle writes every date: `2024-10-12T07:20:50.52049Z`. */
const Timestamp = Type.String()

/**
 * The envelope of every notification: `data` is the entity the event is about (`D`). `event_id` is the same on
 * every retry and for every destination; `notification_id` is one destination's delivery of it.
 */
export function paddleEvent<const T extends string, D extends TSchema> (type: T, data: D, example: object) {
  return Type.Object(
    {
      /** `evt_…`: the event, the same on Paddle's retries */
      event_id: Type.String(),
      event_type: Type.Literal(type),
      occurred_at: Timestamp,
      /** `ntf_…`: this destination's notification of the event */
      notification_id: Type.Optional(Type.String()),
      data
    },
    {
      examples: [{
        // one id per type, so that the examples are distinct events
        event_id: `evt_01hv8x2a${type.replaceAll('.', '').slice(0, 16).padEnd(16, '0')}`,
        event_type: type,
        occurred_at: '2024-04-12T10:18:49.621022Z',
        notification_id: `ntf_01hv8x2a${type.replaceAll('.', '').slice(0, 16).padEnd(16, '0')}`,
        data: example
      }]
    }
  )
}

const Money = {
  /** in the lowest denomination of the currency, as a string (`"1099"` is 10.99) */
  subtotal: Type.String(),
  tax: Type.String(),
  total: Type.String()
}

const Price = Type.Object({
  id: Type.String(),
  product_id: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  name: Type.Optional(Nullable(Type.String())),
  unit_price: Type.Optional(Type.Object({ amount: Type.String(), currency_code: Type.String() })),
  billing_cycle: Type.Optional(Nullable(Type.Object({ interval: Type.String(), frequency: Type.Number() })))
})

const BillingPeriod = Nullable(Type.Object({ starts_at: Timestamp, ends_at: Timestamp }))

export const PaddleTransaction = Type.Object({
  /** `txn_…` */
  id: Type.String(),
  /** `draft`, `ready`, `billed`, `paid`, `completed`, `canceled` or `past_due` */
  status: Type.String(),
  customer_id: Nullable(Type.String()),
  address_id: Type.Optional(Nullable(Type.String())),
  business_id: Type.Optional(Nullable(Type.String())),
  /** what your checkout passed as `customData` */
  custom_data: Type.Optional(CustomData),
  currency_code: Type.String(),
  /** `web`, `api`, `subscription_recurring`, `subscription_charge`, ... */
  origin: Type.String(),
  subscription_id: Nullable(Type.String()),
  invoice_id: Type.Optional(Nullable(Type.String())),
  invoice_number: Type.Optional(Nullable(Type.String())),
  /** `automatic` (checkout) or `manual` (invoiced) */
  collection_mode: Type.String(),
  billing_period: Type.Optional(BillingPeriod),
  items: Type.Array(Type.Object({
    price: Type.Optional(Price),
    price_id: Type.Optional(Type.String()),
    quantity: Type.Number()
  })),
  details: Type.Optional(Type.Object({
    totals: Type.Optional(Type.Object({
      ...Money,
      discount: Type.Optional(Type.String()),
      grand_total: Type.Optional(Type.String()),
      currency_code: Type.Optional(Type.String())
    }))
  })),
  payments: Type.Optional(Type.Array(Type.Object({
    status: Type.String(),
    amount: Type.Optional(Type.String()),
    method_details: Type.Optional(Nullable(Type.Object({ type: Type.String() })))
  }))),
  checkout: Type.Optional(Nullable(Type.Object({ url: Nullable(Type.String()) }))),
  created_at: Timestamp,
  updated_at: Timestamp,
  billed_at: Type.Optional(Nullable(Timestamp))
})

export const PaddleSubscription = Type.Object({
  /** `sub_…` */
  id: Type.String(),
  /** `active`, `canceled`, `past_due`, `paused` or `trialing` */
  status: Type.String(),
  customer_id: Type.String(),
  address_id: Type.String(),
  business_id: Type.Optional(Nullable(Type.String())),
  currency_code: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
  started_at: Type.Optional(Nullable(Timestamp)),
  first_billed_at: Type.Optional(Nullable(Timestamp)),
  next_billed_at: Type.Optional(Nullable(Timestamp)),
  paused_at: Type.Optional(Nullable(Timestamp)),
  canceled_at: Type.Optional(Nullable(Timestamp)),
  collection_mode: Type.String(),
  current_billing_period: Type.Optional(BillingPeriod),
  billing_cycle: Type.Object({ interval: Type.String(), frequency: Type.Number() }),
  /** a change that takes effect at the end of the period: `{ action: 'cancel', effective_at }` */
  scheduled_change: Type.Optional(Nullable(Type.Object({
    action: Type.String(),
    effective_at: Timestamp,
    resume_at: Type.Optional(Nullable(Timestamp))
  }))),
  items: Type.Array(Type.Object({
    status: Type.Optional(Type.String()),
    quantity: Type.Number(),
    price: Type.Optional(Price)
  })),
  custom_data: Type.Optional(CustomData),
  /** set on `subscription.created` and `subscription.activated`: the transaction that created it */
  transaction_id: Type.Optional(Nullable(Type.String()))
})

export const PaddleCustomer = Type.Object({
  /** `ctm_…` */
  id: Type.String(),
  name: Nullable(Type.String()),
  email: Type.String(),
  marketing_consent: Type.Optional(Type.Boolean()),
  /** `active` or `archived` */
  status: Type.String(),
  custom_data: Type.Optional(CustomData),
  locale: Type.Optional(Type.String()),
  created_at: Timestamp,
  updated_at: Timestamp
})

const price = {
  id: 'pri_01gsz8x8sawmvhz1pv30nge1ke',
  product_id: 'pro_01gsz4t5hdjse780zja8vvr7jg',
  description: 'Monthly',
  name: 'Pro',
  type: 'standard',
  billing_cycle: { interval: 'month', frequency: 1 },
  trial_period: null,
  tax_mode: 'account_setting',
  unit_price: { amount: '3000', currency_code: 'USD' },
  unit_price_overrides: [],
  quantity: { minimum: 1, maximum: 100 },
  status: 'active',
  custom_data: null,
  created_at: '2023-02-23T13:55:22.538367Z',
  updated_at: '2024-04-11T13:54:52.254748Z'
}

const transaction = (status: string) => ({
  id: 'txn_01hv8wptq8987qeep44cyrewp9',
  status,
  customer_id: 'ctm_01hv8wt8nffez4p2t6typn4a5j',
  address_id: 'add_01hv8wt8nvmyxr4mgg2e1npsh8',
  business_id: null,
  custom_data: { order: '1042' },
  currency_code: 'USD',
  origin: 'web',
  subscription_id: null,
  invoice_id: status === 'completed' ? 'inv_01hv8x29nsh54c2pgt0hnq0zkx' : null,
  invoice_number: status === 'completed' ? '325-10566' : null,
  collection_mode: 'automatic',
  billing_period: null,
  items: [{ price, quantity: 1 }],
  details: {
    tax_rates_used: [{ tax_rate: '0.2', totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' } }],
    totals: {
      subtotal: '3000',
      tax: '600',
      discount: '0',
      total: '3600',
      grand_total: '3600',
      fee: null,
      earnings: null,
      balance: '0',
      credit: '0',
      credit_to_balance: '0',
      currency_code: 'USD'
    },
    line_items: [{
      id: 'txnitm_01hv8wt98jahpbm1t1tzr06z6n',
      price_id: 'pri_01gsz8x8sawmvhz1pv30nge1ke',
      quantity: 1,
      tax_rate: '0.2',
      unit_totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' },
      totals: { subtotal: '3000', discount: '0', tax: '600', total: '3600' },
      product: null
    }]
  },
  payments: status === 'created' ? [] : [{ status: 'captured', amount: '3600', method_details: { type: 'card' } }],
  checkout: { url: 'https://example.com/pay?_ptxn=txn_01hv8wptq8987qeep44cyrewp9' },
  created_at: '2024-04-12T10:12:33.2014Z',
  updated_at: '2024-04-12T10:18:47.635628Z',
  billed_at: status === 'created' ? null : '2024-04-12T10:18:47.635628Z'
})

const subscription = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 'sub_01hv8x29kz0t586xy6zn1a62ny',
  status,
  customer_id: 'ctm_01hv8wt8nffez4p2t6typn4a5j',
  address_id: 'add_01hv8wt8nvmyxr4mgg2e1npsh8',
  business_id: null,
  currency_code: 'USD',
  created_at: '2024-04-12T10:18:48.294Z',
  updated_at: '2024-04-12T10:18:48.294Z',
  started_at: '2024-04-12T10:18:47.635628Z',
  first_billed_at: '2024-04-12T10:18:47.635628Z',
  next_billed_at: status === 'canceled' ? null : '2024-05-12T10:18:47.635628Z',
  paused_at: null,
  canceled_at: status === 'canceled' ? '2024-05-12T10:18:47.635628Z' : null,
  collection_mode: 'automatic',
  current_billing_period: status === 'canceled'
    ? null
    : { starts_at: '2024-04-12T10:18:47.635628Z', ends_at: '2024-05-12T10:18:47.635628Z' },
  billing_cycle: { interval: 'month', frequency: 1 },
  scheduled_change: null,
  items: [{
    status: 'active',
    quantity: 1,
    recurring: true,
    created_at: '2024-04-12T10:18:48.294Z',
    updated_at: '2024-04-12T10:18:48.294Z',
    previously_billed_at: '2024-04-12T10:18:47.635628Z',
    next_billed_at: status === 'canceled' ? null : '2024-05-12T10:18:47.635628Z',
    price
  }],
  custom_data: null,
  ...extra
})

const customer = {
  id: 'ctm_01hv8wt8nffez4p2t6typn4a5j',
  name: 'Sam Miller',
  email: 'sam@example.com',
  marketing_consent: false,
  status: 'active',
  custom_data: null,
  locale: 'en',
  created_at: '2024-04-12T10:15:57.888Z',
  updated_at: '2024-04-12T10:15:57.888Z'
}

export const paddleEvents = {
  'transaction.completed': paddleEvent('transaction.completed', PaddleTransaction, transaction('completed')),
  'transaction.paid': paddleEvent('transaction.paid', PaddleTransaction, transaction('paid')),
  'transaction.created': paddleEvent('transaction.created', PaddleTransaction, transaction('created')),
  'subscription.created': paddleEvent('subscription.created', PaddleSubscription, subscription('active', {
    transaction_id: 'txn_01hv8wptq8987qeep44cyrewp9'
  })),
  'subscription.updated': paddleEvent('subscription.updated', PaddleSubscription, subscription('active', {
    scheduled_change: { action: 'cancel', effective_at: '2024-05-12T10:18:47.635628Z', resume_at: null }
  })),
  'subscription.canceled': paddleEvent('subscription.canceled', PaddleSubscription, subscription('canceled')),
  'subscription.activated': paddleEvent('subscription.activated', PaddleSubscription, subscription('active', {
    transaction_id: 'txn_01hv8wptq8987qeep44cyrewp9'
  })),
  'customer.created': paddleEvent('customer.created', PaddleCustomer, customer),
  'customer.updated': paddleEvent('customer.updated', PaddleCustomer, { ...customer, name: 'Sam Miller-Jones' })
}

export type PaddleEventType = keyof typeof paddleEvents
export type PaddlePayload<T extends PaddleEventType = PaddleEventType> = Static<typeof paddleEvents[T]>
