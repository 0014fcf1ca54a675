/**
 * The events of SendGrid's Event Webhook, each one element of the JSON array a delivery posts, typed by its `event`.
 * One event that fails its schema refuses the whole delivery (and SendGrid retries it all), so only what SendGrid
 * sends on every event is required; the rest is optional and every event takes extra keys (your custom arguments
 * are top-level fields of each event).
 */
import Type, { type Static, type TProperties } from 'typebox'

/** The fields every event carries. */
const common = {
  email: Type.String(),
  /** when it happened, seconds since the epoch */
  timestamp: Type.Number(),
  /** the event's id: the idempotency key, the same on SendGrid's retries */
  sg_event_id: Type.String(),
  /** the message's id: the same on each event of one message to one recipient */
  sg_message_id: Type.Optional(Type.String()),
  'smtp-id': Type.Optional(Type.String()),
  /** one category, or several */
  category: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  /** the unsubscribe group the message was sent with */
  asm_group_id: Type.Optional(Type.Number()),
  marketing_campaign_id: Type.Optional(Type.Union([Type.Number(), Type.String()])),
  marketing_campaign_name: Type.Optional(Type.String())
}

/** An event of type `T`: the common fields and its own. */
function sendgridEvent<const T extends string, P extends TProperties> (type: T, own: P, example: object) {
  return Type.Object({ ...common, event: Type.Literal(type), ...own }, {
    examples: [{
      email: 'sam@example.com',
      timestamp: 1736937600,
      event: type,
      // one id per type, so that the examples are distinct events
      sg_event_id: `${Buffer.from(`${type}-10994919-LRzXl_NHStOGhQ4kofSm_A-0`).toString('base64url')}`,
      sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
      'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
      category: ['receipts'],
      ...example
    }]
  })
}

const where = {
  ip: Type.Optional(Type.String()),
  useragent: Type.Optional(Type.String())
}

export const sendgridEvents = {
  processed: sendgridEvent('processed', {
    /** when a scheduled message is to go out, seconds since the epoch (0: at once) */
    send_at: Type.Optional(Type.Number()),
    pool: Type.Optional(Type.Object({ name: Type.String(), id: Type.Number() }))
  }, { send_at: 0 }),
  delivered: sendgridEvent('delivered', {
    /** the receiving server's answer */
    response: Type.Optional(Type.String()),
    ip: Type.Optional(Type.String()),
    tls: Type.Optional(Type.Number())
  }, { response: '250 OK', ip: '168.1.1.1', tls: 1 }),
  open: sendgridEvent('open', {
    ...where,
    /** true when Apple Mail Privacy Protection opened it, not the recipient */
    sg_machine_open: Type.Optional(Type.Boolean())
  }, { ip: '255.255.255.255', useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', sg_machine_open: false }),
  click: sendgridEvent('click', {
    ...where,
    url: Type.String(),
    url_offset: Type.Optional(Type.Object({ index: Type.Number(), type: Type.String() }))
  }, {
    ip: '255.255.255.255',
    useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
    url: 'https://example.com/orders/1042',
    url_offset: { index: 0, type: 'html' }
  }),
  bounce: sendgridEvent('bounce', {
    reason: Type.Optional(Type.String()),
    /** the SMTP status, `5.1.1` */
    status: Type.Optional(Type.String()),
    /** `bounce` (the address was refused) or `blocked` (the message was) */
    type: Type.Optional(Type.String()),
    /** `Invalid Address`, `Reputation`, `Content`, `Mailbox Unavailable`, ... */
    bounce_classification: Type.Optional(Type.String()),
    ip: Type.Optional(Type.String()),
    tls: Type.Optional(Type.Number())
  }, {
    reason: '550 5.1.1 The email account that you tried to reach does not exist.',
    status: '5.1.1',
    type: 'bounce',
    bounce_classification: 'Invalid Address',
    ip: '168.1.1.1',
    tls: 1
  }),
  dropped: sendgridEvent('dropped', {
    /** `Bounced Address`, `Unsubscribed Address`, `Spam Reporting Address`, `Invalid`, ... */
    reason: Type.Optional(Type.String()),
    status: Type.Optional(Type.String())
  }, { reason: 'Bounced Address', status: '5.0.0' }),
  deferred: sendgridEvent('deferred', {
    response: Type.Optional(Type.String()),
    /** how many times SendGrid has tried, as a string */
    attempt: Type.Optional(Type.String())
  }, { response: '400 try again later', attempt: '5' }),
  spamreport: sendgridEvent('spamreport', {}, {}),
  unsubscribe: sendgridEvent('unsubscribe', where, {}),
  group_unsubscribe: sendgridEvent('group_unsubscribe', {
    ...where,
    asm_group_id: Type.Number(),
    url: Type.Optional(Type.String())
  }, { asm_group_id: 10, ip: '255.255.255.255', useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' }),
  group_resubscribe: sendgridEvent('group_resubscribe', {
    ...where,
    asm_group_id: Type.Number(),
    url: Type.Optional(Type.String())
  }, { asm_group_id: 10, ip: '255.255.255.255', useragent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' })
}

export type SendGridEventType = keyof typeof sendgridEvents
export type SendGridPayload<T extends SendGridEventType = SendGridEventType> = Static<typeof sendgridEvents[T]>
