/**
 * Square's event notifications: one envelope (`merchant_id`, `type`, `event_id`, `created_at`, `data`), whose
 * `data.object` holds the object the event is about under its own key (`{ payment: {...} }`). Square adds fields and
 * enum values over time, so objects take extra keys, statuses are strings, and only what every event of the type
 * carries is required.
 */
import Type, { type Static, type TObject, type TProperties } from 'typebox'

const Money = Type.Object({
  /** in the currency's smallest unit: cents */
  amount: Type.Number(),
  currency: Type.String()
})

/** A UUID of its own for each type's example, so that the examples are distinct events. */
function eventId (type: string): string {
  let hash = 5381
  for (const char of type) hash = (hash * 33 + char.charCodeAt(0)) >>> 0
  return `13b867cf-db3d-4b1c-90b6-${hash.toString(16).padStart(12, '0')}`
}

/**
 * The envelope of an event of `type` about an object of kind `key` (`data.type`): `data.object` is `{ [key]: object }`.
 */
function squareEvent<const T extends string, const K extends string, P extends TProperties> (
  type: T,
  key: K,
  object: P,
  example: Record<string, unknown> & { id?: string, order_id?: string }
) {
  return Type.Object({
    /** the seller's id */
    merchant_id: Type.String(),
    /** the seller's location, on events about one */
    location_id: Type.Optional(Type.String()),
    type: Type.Literal(type),
    /** the same on every retry of the notification */
    event_id: Type.String(),
    /** RFC 3339 */
    created_at: Type.String(),
    data: Type.Object({
      /** the kind of object: `payment`, `refund`, `order_created`, ... */
      type: Type.String(),
      /** the object's id */
      id: Type.String(),
      object: Type.Object({ [key]: Type.Object(object) } as { [_ in K]: TObject<P> })
    })
  }, {
    examples: [{
      merchant_id: '6SSW7HV8K2ST5',
      location_id: 'S8GWD5R9QB376',
      type,
      event_id: eventId(type),
      created_at: '2025-01-15T10:30:00.000Z',
      data: { type: key, id: example.id ?? example.order_id, object: { [key]: example } }
    }]
  })
}

const payment = {
  id: Type.String(),
  /** `APPROVED`, `PENDING`, `COMPLETED`, `CANCELED`, `FAILED` */
  status: Type.String(),
  amount_money: Money,
  total_money: Type.Optional(Money),
  order_id: Type.Optional(Type.String()),
  location_id: Type.Optional(Type.String()),
  customer_id: Type.Optional(Type.String()),
  /** `CARD`, `CASH`, `WALLET`, ... */
  source_type: Type.Optional(Type.String()),
  receipt_url: Type.Optional(Type.String()),
  created_at: Type.String(),
  updated_at: Type.Optional(Type.String()),
  /** increases with each change: ignore an update older than the one you have */
  version: Type.Optional(Type.Number())
}
const paymentExample = {
  id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
  status: 'APPROVED',
  amount_money: { amount: 100, currency: 'USD' },
  total_money: { amount: 100, currency: 'USD' },
  order_id: 'Qqy8jbl4fb4xWsWhUtk6Ak6Ss',
  location_id: 'S8GWD5R9QB376',
  source_type: 'CARD',
  receipt_url: 'https://squareup.com/receipt/preview/KkAkhdMsgzn59SM8A89WgKwekxLZY',
  created_at: '2025-01-15T10:30:00.000Z',
  updated_at: '2025-01-15T10:30:00.000Z',
  version: 1
}

const refund = {
  id: Type.String(),
  /** `PENDING`, `COMPLETED`, `REJECTED`, `FAILED` */
  status: Type.String(),
  amount_money: Money,
  payment_id: Type.String(),
  order_id: Type.Optional(Type.String()),
  location_id: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
  created_at: Type.String(),
  updated_at: Type.Optional(Type.String()),
  version: Type.Optional(Type.Number())
}
const refundExample = {
  id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY_ptNG6X0NhlTpzGRJSTxmg5RI',
  status: 'PENDING',
  amount_money: { amount: 100, currency: 'USD' },
  payment_id: 'KkAkhdMsgzn59SM8A89WgKwekxLZY',
  order_id: 'Qqy8jbl4fb4xWsWhUtk6Ak6Ss',
  location_id: 'S8GWD5R9QB376',
  reason: 'Returned item',
  created_at: '2025-01-15T11:00:00.000Z',
  updated_at: '2025-01-15T11:00:00.000Z',
  version: 1
}

/** What `order.created` and `order.updated` carry: not the order, its id and state; fetch the order for the rest. */
const orderChange = {
  order_id: Type.String(),
  location_id: Type.String(),
  /** `OPEN`, `COMPLETED`, `CANCELED`, `DRAFT` */
  state: Type.String(),
  version: Type.Number(),
  created_at: Type.String(),
  updated_at: Type.Optional(Type.String())
}
const orderExample = {
  order_id: 'Qqy8jbl4fb4xWsWhUtk6Ak6Ss',
  location_id: 'S8GWD5R9QB376',
  state: 'OPEN',
  version: 1,
  created_at: '2025-01-15T10:30:00.000Z'
}

const invoice = {
  id: Type.String(),
  version: Type.Number(),
  location_id: Type.String(),
  order_id: Type.Optional(Type.String()),
  /** `DRAFT`, `UNPAID`, `SCHEDULED`, `PARTIALLY_PAID`, `PAID`, `CANCELED`, ... */
  status: Type.String(),
  invoice_number: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  public_url: Type.Optional(Type.String()),
  primary_recipient: Type.Optional(Type.Object({ customer_id: Type.Optional(Type.String()) })),
  created_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String())
}
const invoiceExample = {
  id: 'inv:0-ChCHu2mZEabLeeHahQnXDjZQECY',
  version: 1,
  location_id: 'S8GWD5R9QB376',
  order_id: 'Qqy8jbl4fb4xWsWhUtk6Ak6Ss',
  status: 'UNPAID',
  invoice_number: '000001',
  title: 'Event Planning Services',
  public_url: 'https://squareup.com/pay-invoice/invtmp:5e0d8d1e-7c4a-4a0c-8b0f-95fbf1b3e9f6',
  primary_recipient: { customer_id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' },
  created_at: '2025-01-15T10:30:00.000Z',
  updated_at: '2025-01-15T10:30:00.000Z'
}

const customer = {
  id: Type.String(),
  given_name: Type.Optional(Type.String()),
  family_name: Type.Optional(Type.String()),
  email_address: Type.Optional(Type.String()),
  phone_number: Type.Optional(Type.String()),
  created_at: Type.String(),
  updated_at: Type.Optional(Type.String()),
  version: Type.Optional(Type.Number())
}
const customerExample = {
  id: 'JDKYHBWT1D4F8MFH63DBMEN8Y4',
  given_name: 'Amelia',
  family_name: 'Earhart',
  email_address: 'amelia.earhart@example.com',
  phone_number: '+12025550101',
  created_at: '2025-01-15T10:30:00.000Z',
  updated_at: '2025-01-15T10:30:00.000Z',
  version: 0
}

export const squareEvents = {
  'payment.created': squareEvent('payment.created', 'payment', payment, paymentExample),
  'payment.updated': squareEvent('payment.updated', 'payment', payment, {
    ...paymentExample, status: 'COMPLETED', version: 2
  }),
  'refund.created': squareEvent('refund.created', 'refund', refund, refundExample),
  'refund.updated': squareEvent('refund.updated', 'refund', refund, {
    ...refundExample, status: 'COMPLETED', version: 2
  }),
  'order.created': squareEvent('order.created', 'order_created', orderChange, orderExample),
  'order.updated': squareEvent('order.updated', 'order_updated', orderChange, {
    ...orderExample, state: 'COMPLETED', version: 2, updated_at: '2025-01-15T10:45:00.000Z'
  }),
  'invoice.published': squareEvent('invoice.published', 'invoice', invoice, invoiceExample),
  'invoice.payment_made': squareEvent('invoice.payment_made', 'invoice', invoice, {
    ...invoiceExample, status: 'PAID', version: 2
  }),
  'customer.created': squareEvent('customer.created', 'customer', customer, customerExample)
}

export type SquareEventType = keyof typeof squareEvents
export type SquarePayload<T extends SquareEventType = SquareEventType> = Static<typeof squareEvents[T]>
