/**
 * What Twilio posts to a number's webhooks and status callbacks: a form of string fields, typed by the fields it
 * carries (Twilio names no type; see plugins/twilio.ts). Twilio adds parameters freely (`MediaUrl0`, `FromCity`,
 * `AddOns`, ...), so every object takes extra keys and only what Twilio sends on each such request is required. A
 * field sent twice is a list, which these schemas refuse.
 */
import Type, { type Static } from 'typebox'

/** What every request about an account's message or call carries. */
const account = {
  /** `AC…` */
  AccountSid: Type.String(),
  /** `2010-04-01` */
  ApiVersion: Type.Optional(Type.String())
}
/** The two ends, in E.164 (`+15017122661`) or a channel address (`whatsapp:+1…`). */
const ends = {
  From: Type.String(),
  To: Type.String()
}

const ACCOUNT = 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'

export const twilioEvents = {
  /** An SMS, MMS or WhatsApp message to one of your numbers: answer with TwiML (`<Response/>` for no reply). */
  'message.incoming': Type.Object({
    ...account,
    ...ends,
    /** `SM…` or `MM…`: the message's id */
    MessageSid: Type.String(),
    SmsMessageSid: Type.Optional(Type.String()),
    SmsSid: Type.Optional(Type.String()),
    MessagingServiceSid: Type.Optional(Type.String()),
    Body: Type.String(),
    /** how many `MediaUrl<n>` / `MediaContentType<n>` pairs follow, as a string */
    NumMedia: Type.Optional(Type.String()),
    NumSegments: Type.Optional(Type.String()),
    /** `received` */
    SmsStatus: Type.Optional(Type.String())
  }, {
    examples: [{
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      From: '+15017122661',
      To: '+15558675310',
      MessageSid: 'SM1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      SmsMessageSid: 'SM1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      SmsSid: 'SM1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      Body: 'Hello! 👋',
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received'
    }]
  }),
  /** A message you sent changed status (its `StatusCallback`). */
  'message.status': Type.Object({
    ...account,
    From: Type.Optional(Type.String()),
    To: Type.Optional(Type.String()),
    MessageSid: Type.String(),
    /** `queued`, `sent`, `delivered`, `undelivered`, `failed`, `read`, ... */
    MessageStatus: Type.String(),
    SmsSid: Type.Optional(Type.String()),
    SmsStatus: Type.Optional(Type.String()),
    MessagingServiceSid: Type.Optional(Type.String()),
    /** on `failed` and `undelivered`: Twilio's error code, e.g. `30003` */
    ErrorCode: Type.Optional(Type.String())
  }, {
    examples: [{
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      From: '+15558675310',
      To: '+15017122661',
      MessageSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      MessageStatus: 'delivered',
      SmsSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      SmsStatus: 'delivered'
    }]
  }),
  /** A call to one of your numbers (its voice webhook): answer with TwiML. */
  'call.incoming': Type.Object({
    ...account,
    ...ends,
    /** `CA…` */
    CallSid: Type.String(),
    /** `ringing` */
    CallStatus: Type.String(),
    /** `inbound`, `outbound-api`, `outbound-dial` */
    Direction: Type.String(),
    Caller: Type.Optional(Type.String()),
    Called: Type.Optional(Type.String()),
    ForwardedFrom: Type.Optional(Type.String())
  }, {
    examples: [{
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      From: '+15017122661',
      To: '+15558675310',
      CallSid: 'CA1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      CallStatus: 'ringing',
      Direction: 'inbound',
      Caller: '+15017122661',
      Called: '+15558675310'
    }]
  }),
  /** A call's progress (its `StatusCallback`): `initiated`, `ringing`, `answered`, `completed`. */
  'call.status': Type.Object({
    ...account,
    From: Type.Optional(Type.String()),
    To: Type.Optional(Type.String()),
    CallSid: Type.String(),
    /** `queued`, `initiated`, `ringing`, `in-progress`, `completed`, `busy`, `failed`, `no-answer`, `canceled` */
    CallStatus: Type.String(),
    /** `call-progress-events` */
    CallbackSource: Type.String(),
    Direction: Type.Optional(Type.String()),
    /** seconds, as a string, once the call is `completed` */
    CallDuration: Type.Optional(Type.String()),
    /** RFC 2822 */
    Timestamp: Type.Optional(Type.String()),
    /** the order of this call's callbacks, from 0: they may arrive out of order */
    SequenceNumber: Type.Optional(Type.String())
  }, {
    examples: [{
      AccountSid: ACCOUNT,
      ApiVersion: '2010-04-01',
      From: '+15017122661',
      To: '+15558675310',
      CallSid: 'CA1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      CallStatus: 'completed',
      CallbackSource: 'call-progress-events',
      Direction: 'inbound',
      CallDuration: '42',
      Timestamp: 'Wed, 15 Jan 2025 10:30:42 +0000',
      SequenceNumber: '3'
    }]
  }),
  /** A call recording's status (its `RecordingStatusCallback`). */
  'recording.status': Type.Object({
    ...account,
    CallSid: Type.Optional(Type.String()),
    /** `RE…` */
    RecordingSid: Type.String(),
    RecordingUrl: Type.String(),
    /** `in-progress`, `completed`, `absent`, `failed` */
    RecordingStatus: Type.String(),
    /** seconds, as a string */
    RecordingDuration: Type.Optional(Type.String()),
    RecordingChannels: Type.Optional(Type.String()),
    RecordingSource: Type.Optional(Type.String()),
    RecordingStartTime: Type.Optional(Type.String())
  }, {
    examples: [{
      AccountSid: ACCOUNT,
      CallSid: 'CA1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      RecordingSid: 'RE1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/RE1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d`,
      RecordingStatus: 'completed',
      RecordingDuration: '40',
      RecordingChannels: '1',
      RecordingSource: 'RecordVerb',
      RecordingStartTime: 'Wed, 15 Jan 2025 10:30:02 +0000'
    }]
  })
}

export type TwilioEventType = keyof typeof twilioEvents
export type TwilioPayload<T extends TwilioEventType = TwilioEventType> = Static<typeof twilioEvents[T]>
