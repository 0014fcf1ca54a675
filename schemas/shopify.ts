/**
 * What Shopify posts to an app's webhook subscriptions, keyed by the topic (the `X-Shopify-Topic` header): the
 * resource itself (an order, a product, a customer, the shop), as the subscription's API version renders it. Shopify
 * adds fields with each version, so objects take extra keys and only what every payload of the topic carries is
 * required. Ids are numbers that can exceed 2^53: use `admin_graphql_api_id` (a string) where exactness matters.
 */
import Type, { type Static } from 'typebox'
import { Nullable } from './common.js'

const Money = Type.String({ description: 'a decimal amount as a string, e.g. "199.00"' })

const Address = Type.Object({
  first_name: Type.Optional(Nullable(Type.String())),
  last_name: Type.Optional(Nullable(Type.String())),
  address1: Type.Optional(Nullable(Type.String())),
  city: Type.Optional(Nullable(Type.String())),
  zip: Type.Optional(Nullable(Type.String())),
  country_code: Type.Optional(Nullable(Type.String()))
})

export const ShopifyCustomer = Type.Object({
  id: Type.Number(),
  email: Type.Optional(Nullable(Type.String())),
  first_name: Type.Optional(Nullable(Type.String())),
  last_name: Type.Optional(Nullable(Type.String())),
  phone: Type.Optional(Nullable(Type.String())),
  state: Type.Optional(Type.String()),
  created_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String()),
  admin_graphql_api_id: Type.Optional(Type.String())
})

const LineItem = Type.Object({
  id: Type.Number(),
  title: Type.String(),
  quantity: Type.Number(),
  price: Money,
  sku: Type.Optional(Nullable(Type.String())),
  product_id: Type.Optional(Nullable(Type.Number())),
  variant_id: Type.Optional(Nullable(Type.Number()))
})

export const ShopifyOrder = Type.Object({
  id: Type.Number(),
  admin_graphql_api_id: Type.String(),
  /** the order's name in the admin, e.g. `#1001` */
  name: Type.String(),
  email: Type.Optional(Nullable(Type.String())),
  created_at: Type.String(),
  updated_at: Type.Optional(Type.String()),
  currency: Type.String(),
  total_price: Money,
  subtotal_price: Type.Optional(Money),
  /** `pending`, `authorized`, `paid`, `partially_refunded`, `refunded`, `voided`, ... */
  financial_status: Type.Optional(Nullable(Type.String())),
  /** null until fulfilled, then `fulfilled`, `partial`, ... */
  fulfillment_status: Type.Optional(Nullable(Type.String())),
  line_items: Type.Array(LineItem),
  customer: Type.Optional(Nullable(ShopifyCustomer)),
  shipping_address: Type.Optional(Nullable(Address)),
  test: Type.Optional(Type.Boolean())
})

export const ShopifyProduct = Type.Object({
  id: Type.Number(),
  admin_graphql_api_id: Type.String(),
  title: Type.String(),
  handle: Type.String(),
  /** `active`, `draft`, `archived` */
  status: Type.Optional(Type.String()),
  vendor: Type.Optional(Type.String()),
  product_type: Type.Optional(Type.String()),
  created_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String()),
  variants: Type.Optional(Type.Array(Type.Object({
    id: Type.Number(),
    title: Type.Optional(Type.String()),
    price: Type.Optional(Money),
    sku: Type.Optional(Nullable(Type.String()))
  })))
})

/** The shop, as `app/uninstalled` sends it. */
export const ShopifyShop = Type.Object({
  id: Type.Number(),
  name: Type.String(),
  /** `example.myshopify.com` */
  myshopify_domain: Type.String(),
  domain: Type.Optional(Nullable(Type.String())),
  email: Type.Optional(Nullable(Type.String())),
  plan_name: Type.Optional(Type.String())
})

/** What every mandatory compliance (GDPR) topic carries. */
const compliance = {
  shop_id: Type.Number(),
  shop_domain: Type.String()
}
const customerRef = Type.Object({
  id: Type.Number(),
  email: Type.Optional(Nullable(Type.String())),
  phone: Type.Optional(Nullable(Type.String()))
})

const customer = {
  id: 7064055069303,
  email: 'bob@example.com',
  first_name: 'Bob',
  last_name: 'Norman',
  phone: null,
  state: 'disabled',
  created_at: '2025-01-15T10:30:00-05:00',
  updated_at: '2025-01-15T10:30:00-05:00',
  admin_graphql_api_id: 'gid://shopify/Customer/7064055069303'
}
const order = {
  id: 5820982911946,
  admin_graphql_api_id: 'gid://shopify/Order/5820982911946',
  name: '#9999',
  email: 'jon@example.com',
  created_at: '2025-01-15T10:30:00-05:00',
  updated_at: '2025-01-15T10:30:00-05:00',
  currency: 'USD',
  total_price: '403.00',
  subtotal_price: '393.00',
  financial_status: 'voided',
  fulfillment_status: 'pending',
  line_items: [{
    id: 14866550311766,
    title: 'Aviator sunglasses',
    quantity: 1,
    price: '199.00',
    sku: 'SKU2006-001',
    product_id: 8788032119674,
    variant_id: null
  }],
  customer,
  shipping_address: {
    first_name: 'Steve',
    last_name: 'Shipper',
    address1: '123 Shipping Street',
    city: 'Shippington',
    zip: '40003',
    country_code: 'US'
  },
  test: true
}
const product = {
  id: 8788032119674,
  admin_graphql_api_id: 'gid://shopify/Product/8788032119674',
  title: 'Example T-Shirt',
  handle: 'example-t-shirt',
  status: 'active',
  vendor: 'Acme',
  product_type: 'Shirts',
  created_at: '2025-01-15T10:30:00-05:00',
  updated_at: '2025-01-15T10:30:00-05:00',
  variants: [{ id: 46426670414727, title: 'Small', price: '19.99', sku: 'example-shirt-s' }]
}

export const shopifyEvents = {
  'orders/create': Type.Object(ShopifyOrder.properties, { examples: [order] }),
  /** the order is paid in full: `financial_status` is `paid` */
  'orders/paid': Type.Object(ShopifyOrder.properties, {
    examples: [{ ...order, financial_status: 'paid', fulfillment_status: null }]
  }),
  'orders/updated': Type.Object(ShopifyOrder.properties, {
    examples: [{ ...order, updated_at: '2025-01-16T09:00:00-05:00' }]
  }),
  'products/create': Type.Object(ShopifyProduct.properties, { examples: [product] }),
  'products/update': Type.Object(ShopifyProduct.properties, {
    examples: [{ ...product, title: 'Example T-Shirt (new)', updated_at: '2025-01-16T09:00:00-05:00' }]
  }),
  'customers/create': Type.Object(ShopifyCustomer.properties, { examples: [customer] }),
  /** the app was removed from the shop: its access token no longer works */
  'app/uninstalled': Type.Object(ShopifyShop.properties, {
    examples: [{
      id: 548380009,
      name: 'Super Toys',
      myshopify_domain: 'super-toys.myshopify.com',
      domain: 'super-toys.example',
      email: 'super@example.com',
      plan_name: 'basic'
    }]
  }),
  /** compliance: a customer asked for their data; send it to the merchant within 30 days */
  'customers/data_request': Type.Object({
    ...compliance,
    customer: customerRef,
    orders_requested: Type.Array(Type.Number()),
    data_request: Type.Optional(Type.Object({ id: Type.Number() }))
  }, {
    examples: [{
      shop_id: 954889,
      shop_domain: 'snowdevil.myshopify.com',
      orders_requested: [299938, 280263, 220458],
      customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' },
      data_request: { id: 9999 }
    }]
  }),
  /** compliance: erase a customer's data */
  'customers/redact': Type.Object({
    ...compliance,
    customer: customerRef,
    orders_to_redact: Type.Array(Type.Number())
  }, {
    examples: [{
      shop_id: 954889,
      shop_domain: 'snowdevil.myshopify.com',
      customer: { id: 191167, email: 'john@example.com', phone: '555-625-1199' },
      orders_to_redact: [299938, 280263, 220458]
    }]
  }),
  /** compliance: 48 hours after uninstalling, erase the shop's data */
  'shop/redact': Type.Object(compliance, {
    examples: [{ shop_id: 954889, shop_domain: 'snowdevil.myshopify.com' }]
  })
}

export type ShopifyTopic = keyof typeof shopifyEvents
export type ShopifyPayload<T extends ShopifyTopic = ShopifyTopic> = Static<typeof shopifyEvents[T]>
