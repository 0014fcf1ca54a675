/**
 * Twitch EventSub's webhook payloads for the subscription types most receivers handle, keyed by `subscription.type`
 * (`channel.follow`, `stream.online`, ...), and `revocation`. Each notification is `{ subscription, event }`; Twitch
 * adds fields and versions, so objects take extra keys and only what its reference documents for every event of the
 * type is required. The examples follow Twitch's EventSub reference.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { Nullable } from './common.js'

const Subscription = {
  id: Type.String(),
  /** `enabled` on a notification; on a revocation why it ended: `authorization_revoked`, `user_removed`, ... */
  status: Type.String(),
  /** `1`, `2`, `beta` */
  version: Type.String(),
  /** what the subscription is for: a broadcaster's id, a reward's id, ... */
  condition: Type.Record(Type.String(), Type.String()),
  transport: Type.Object({ method: Type.String(), callback: Type.Optional(Type.String()) }),
  created_at: Type.String(),
  cost: Type.Number()
}

/** The subscription a delivery is about, typed by its own `type`. */
function twitchSubscription<const T extends string> (type: T) {
  return Type.Object({ ...Subscription, type: type === '' ? Type.String() : Type.Literal(type) })
}

const subscription = (type: string, condition: Record<string, string> = { broadcaster_user_id: '1337' }) => ({
  id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
  status: 'enabled',
  type,
  version: type === 'channel.follow' || type === 'channel.update' ? '2' : '1',
  condition,
  transport: { method: 'webhook', callback: 'https://example.com/webhooks/twitch' },
  created_at: '2019-11-16T10:11:12.634234626Z',
  cost: 0
})

/** A notification of subscription type `T`: its `event` is the schema given. */
function twitchNotification<const T extends string, E extends TSchema> (
  type: T,
  event: E,
  example: Record<string, unknown>,
  condition?: Record<string, string>
) {
  return Type.Object(
    { subscription: twitchSubscription(type), event },
    { examples: [{ subscription: subscription(type, condition), event: example }] }
  )
}

const broadcaster = {
  broadcaster_user_id: Type.String(),
  broadcaster_user_login: Type.String(),
  broadcaster_user_name: Type.String()
}
const viewer = { user_id: Type.String(), user_login: Type.String(), user_name: Type.String() }
const broadcasterExample = {
  broadcaster_user_id: '1337', broadcaster_user_login: 'cooler_user', broadcaster_user_name: 'Cooler_User'
}
const viewerExample = { user_id: '1234', user_login: 'cool_user', user_name: 'Cool_User' }

export const TwitchChannelFollow = twitchNotification('channel.follow', Type.Object({
  ...viewer,
  ...broadcaster,
  followed_at: Type.String()
}), { ...viewerExample, ...broadcasterExample, followed_at: '2020-07-15T18:16:11.17106713Z' },
{ broadcaster_user_id: '1337', moderator_user_id: '1337' })

export const TwitchStreamOnline = twitchNotification('stream.online', Type.Object({
  id: Type.String(),
  ...broadcaster,
  /** `live`, `playlist`, `watch_party`, `premiere`, `rerun` */
  type: Type.String(),
  started_at: Type.String()
}), { id: '9001', ...broadcasterExample, type: 'live', started_at: '2020-10-11T10:11:12.123Z' })

export const TwitchStreamOffline = twitchNotification('stream.offline', Type.Object(broadcaster), broadcasterExample)

export const TwitchChannelUpdate = twitchNotification('channel.update', Type.Object({
  ...broadcaster,
  title: Type.String(),
  language: Type.String(),
  category_id: Type.String(),
  category_name: Type.String(),
  content_classification_labels: Type.Optional(Type.Array(Type.String()))
}), {
  ...broadcasterExample,
  title: 'Best Stream Ever',
  language: 'en',
  category_id: '12453',
  category_name: 'Grand Theft Auto',
  content_classification_labels: ['MatureGame']
})

export const TwitchChannelSubscribe = twitchNotification('channel.subscribe', Type.Object({
  ...viewer,
  ...broadcaster,
  /** `1000`, `2000`, `3000` */
  tier: Type.String(),
  is_gift: Type.Boolean()
}), { ...viewerExample, ...broadcasterExample, tier: '1000', is_gift: false })

export const TwitchChannelCheer = twitchNotification('channel.cheer', Type.Object({
  is_anonymous: Type.Boolean(),
  /** null when the cheer is anonymous */
  user_id: Nullable(Type.String()),
  user_login: Nullable(Type.String()),
  user_name: Nullable(Type.String()),
  ...broadcaster,
  message: Type.String(),
  bits: Type.Number()
}), { is_anonymous: false, ...viewerExample, ...broadcasterExample, message: 'pogchamp', bits: 1000 })

export const TwitchChannelRaid = twitchNotification('channel.raid', Type.Object({
  from_broadcaster_user_id: Type.String(),
  from_broadcaster_user_login: Type.String(),
  from_broadcaster_user_name: Type.String(),
  to_broadcaster_user_id: Type.String(),
  to_broadcaster_user_login: Type.String(),
  to_broadcaster_user_name: Type.String(),
  viewers: Type.Number()
}), {
  from_broadcaster_user_id: '1234',
  from_broadcaster_user_login: 'cool_user',
  from_broadcaster_user_name: 'Cool_User',
  to_broadcaster_user_id: '1337',
  to_broadcaster_user_login: 'cooler_user',
  to_broadcaster_user_name: 'Cooler_User',
  viewers: 9001
}, { to_broadcaster_user_id: '1337' })

export const TwitchRewardRedemption = twitchNotification('channel.channel_points_custom_reward_redemption.add',
  Type.Object({
    id: Type.String(),
    ...broadcaster,
    ...viewer,
    user_input: Type.String(),
    /** `unfulfilled`, `fulfilled`, `canceled` */
    status: Type.String(),
    reward: Type.Object({ id: Type.String(), title: Type.String(), cost: Type.Number(), prompt: Type.String() }),
    redeemed_at: Type.String()
  }), {
    id: '17fa2df1-ad76-4804-bfa5-a40ef63efe63',
    ...broadcasterExample,
    ...viewerExample,
    user_input: 'pogchamp',
    status: 'unfulfilled',
    reward: { id: '92af127c-7326-4483-a52b-b0da0be61c01', title: 'title', cost: 100, prompt: 'reward prompt' },
    redeemed_at: '2020-07-15T17:16:03.17106713Z'
  })

/**
 * Twitch ended a subscription (`Twitch-Eventsub-Message-Type: revocation`): `subscription.status` says why
 * (`authorization_revoked`, `user_removed`, `notification_failures_exceeded`, `version_removed`).
 */
export const TwitchRevocation = Type.Object({ subscription: twitchSubscription('') }, {
  examples: [{ subscription: { ...subscription('channel.follow'), status: 'authorization_revoked' } }]
})

export const twitchEvents = {
  'channel.follow': TwitchChannelFollow,
  'stream.online': TwitchStreamOnline,
  'stream.offline': TwitchStreamOffline,
  'channel.update': TwitchChannelUpdate,
  'channel.subscribe': TwitchChannelSubscribe,
  'channel.cheer': TwitchChannelCheer,
  'channel.raid': TwitchChannelRaid,
  'channel.channel_points_custom_reward_redemption.add': TwitchRewardRedemption,
  revocation: TwitchRevocation
}

export type TwitchEventType = keyof typeof twitchEvents
export type TwitchPayload<T extends TwitchEventType = TwitchEventType> = Static<typeof twitchEvents[T]>
