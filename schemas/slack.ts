/**
 * What Slack posts to a request URL: Events API callbacks (JSON, typed by the inner `event.type`), slash commands (a
 * form, typed `slash_command`) and interactivity (a form whose `payload` field holds JSON, typed by its `type`).
 * Slack adds fields freely, so every object takes extra keys and only what Slack documents as always sent is required.
 */
import Type, { type Static, type TProperties } from 'typebox'

/** The wrapper of every Events API event: `event` is the event itself. */
function eventCallback<const T extends string, P extends TProperties> (
  type: T,
  event: P,
  example: Record<string, unknown>
) {
  return Type.Object({
    type: Type.Literal('event_callback'),
    /** `Ev…`: the same on each of Slack's retries (which carry `X-Slack-Retry-Num`) */
    event_id: Type.String(),
    /** seconds since the epoch */
    event_time: Type.Number(),
    team_id: Type.String(),
    api_app_id: Type.String(),
    /** the verification token Slack deprecated in favour of signatures: never check it instead */
    token: Type.Optional(Type.String()),
    event: Type.Object({ type: Type.Literal(type), ...event }),
    authorizations: Type.Optional(Type.Array(Type.Object({
      user_id: Type.Optional(Type.String()),
      team_id: Type.Optional(Type.String()),
      is_bot: Type.Optional(Type.Boolean())
    }))),
    event_context: Type.Optional(Type.String()),
    is_ext_shared_channel: Type.Optional(Type.Boolean())
  }, {
    examples: [{
      type: 'event_callback',
      // one id per type, so that the examples are distinct events
      event_id: `Ev${type.replaceAll('_', '').toUpperCase().slice(0, 10)}`,
      event_time: 1736937600,
      team_id: 'T061EG9R6',
      api_app_id: 'A0MDYCDME',
      token: 'XXYYZZ',
      event: { type, ...example },
      authorizations: [{ user_id: 'U0LAN0Z89', team_id: 'T061EG9R6', is_bot: true }]
    }]
  })
}

const message = {
  /** the author; absent on some subtypes (a bot's message has `bot_id`) */
  user: Type.Optional(Type.String()),
  text: Type.Optional(Type.String()),
  /** the message's timestamp, which is also its id in the channel */
  ts: Type.String(),
  channel: Type.Optional(Type.String()),
  thread_ts: Type.Optional(Type.String()),
  event_ts: Type.Optional(Type.String())
}

/** The fields every interactivity payload carries. */
const interaction = {
  /** the team; null on an org-wide app's deliveries */
  team: Type.Union([Type.Object({ id: Type.String(), domain: Type.Optional(Type.String()) }), Type.Null()]),
  user: Type.Object({ id: Type.String(), username: Type.Optional(Type.String()), name: Type.Optional(Type.String()) }),
  api_app_id: Type.String(),
  token: Type.Optional(Type.String()),
  /** opens a modal within 3 s */
  trigger_id: Type.Optional(Type.String())
}
/** The fields every interaction's example shares; `n` makes its trigger its own. */
function interactionExample (n: number) {
  return {
    team: { id: 'T061EG9R6', domain: 'example' },
    user: { id: 'U0LAN0Z89', username: 'jenny', name: 'jenny' },
    api_app_id: 'A0MDYCDME',
    token: 'XXYYZZ',
    trigger_id: `1334522460${n}.738474920.8088930838d88f008e0`
  }
}

export const slackEvents = {
  app_mention: eventCallback('app_mention', {
    ...message,
    user: Type.String(),
    text: Type.String(),
    channel: Type.String()
  }, {
    user: 'U0LAN0Z89',
    text: '<@U0LAZ8BRM> deploy main',
    ts: '1736937600.000200',
    channel: 'C0LAN2Q65',
    event_ts: '1736937600.000200'
  }),
  message: eventCallback('message', {
    ...message,
    /** `bot_message`, `message_changed`, `message_deleted`, …; absent on a plain message */
    subtype: Type.Optional(Type.String()),
    /** `channel`, `group`, `im` or `mpim` */
    channel_type: Type.Optional(Type.String()),
    bot_id: Type.Optional(Type.String())
  }, {
    user: 'U0LAN0Z89',
    text: 'Live long and prospect.',
    ts: '1736937600.000300',
    channel: 'C0LAN2Q65',
    channel_type: 'channel',
    event_ts: '1736937600.000300'
  }),
  reaction_added: eventCallback('reaction_added', {
    user: Type.String(),
    reaction: Type.String(),
    item: Type.Object({ type: Type.String(), channel: Type.Optional(Type.String()), ts: Type.Optional(Type.String()) }),
    item_user: Type.Optional(Type.String()),
    event_ts: Type.String()
  }, {
    user: 'U0LAN0Z89',
    reaction: 'thumbsup',
    item: { type: 'message', channel: 'C0LAN2Q65', ts: '1736937600.000300' },
    item_user: 'U0LAZ8BRM',
    event_ts: '1736937660.000400'
  }),
  app_home_opened: eventCallback('app_home_opened', {
    user: Type.String(),
    channel: Type.String(),
    /** `home` or `messages` */
    tab: Type.String(),
    event_ts: Type.String()
  }, { user: 'U0LAN0Z89', channel: 'D0LAN2Q65', tab: 'home', event_ts: '1736937600.000500' }),

  /** A slash command: a form of strings. Answer within 3 s (the reply's JSON is the message shown), or 200 empty. */
  slash_command: Type.Object({
    /** `/deploy` */
    command: Type.String(),
    /** what follows the command, '' when nothing does */
    text: Type.String(),
    user_id: Type.String(),
    user_name: Type.Optional(Type.String()),
    channel_id: Type.String(),
    channel_name: Type.Optional(Type.String()),
    team_id: Type.String(),
    team_domain: Type.Optional(Type.String()),
    enterprise_id: Type.Optional(Type.String()),
    api_app_id: Type.String(),
    /** post more answers here for 30 minutes */
    response_url: Type.String(),
    trigger_id: Type.String(),
    token: Type.Optional(Type.String())
  }, {
    examples: [{
      command: '/deploy',
      text: 'main',
      user_id: 'U0LAN0Z89',
      user_name: 'jenny',
      channel_id: 'C0LAN2Q65',
      channel_name: 'ops',
      team_id: 'T061EG9R6',
      team_domain: 'example',
      api_app_id: 'A0MDYCDME',
      response_url: 'https://hooks.slack.com/commands/T061EG9R6/1234567890/abcdefghijklmnop',
      trigger_id: '13345224609.738474920.8088930838d88f008e0',
      token: 'XXYYZZ'
    }]
  }),

  /** A button, menu or other block element used. */
  block_actions: Type.Object({
    type: Type.Literal('block_actions'),
    ...interaction,
    actions: Type.Array(Type.Object({
      action_id: Type.String(),
      block_id: Type.Optional(Type.String()),
      /** `button`, `static_select`, … */
      type: Type.String(),
      value: Type.Optional(Type.String()),
      action_ts: Type.Optional(Type.String())
    })),
    response_url: Type.Optional(Type.String()),
    channel: Type.Optional(Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) })),
    container: Type.Optional(Type.Object({ type: Type.String() }))
  }, {
    examples: [{
      type: 'block_actions',
      ...interactionExample(1),
      actions: [{
        action_id: 'approve',
        block_id: 'deploy_request',
        type: 'button',
        value: 'deploy_main',
        action_ts: '1736937600.000600'
      }],
      response_url: 'https://hooks.slack.com/actions/T061EG9R6/1234567890/abcdefghijklmnop',
      channel: { id: 'C0LAN2Q65', name: 'ops' },
      container: { type: 'message' }
    }]
  }),

  /** A modal submitted. Answer 200 empty to close it, or with a `response_action` (`errors`, `update`, …). */
  view_submission: Type.Object({
    type: Type.Literal('view_submission'),
    ...interaction,
    view: Type.Object({
      id: Type.String(),
      callback_id: Type.Optional(Type.String()),
      /** the inputs: block id → action id → value */
      state: Type.Optional(Type.Object({
        values: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()))
      })),
      private_metadata: Type.Optional(Type.String())
    })
  }, {
    examples: [{
      type: 'view_submission',
      ...interactionExample(2),
      view: {
        id: 'V0PKB1ZFV',
        callback_id: 'deploy_modal',
        state: { values: { branch: { branch_input: { type: 'plain_text_input', value: 'main' } } } },
        private_metadata: ''
      }
    }]
  }),

  /** A global shortcut used. */
  shortcut: Type.Object({
    type: Type.Literal('shortcut'),
    ...interaction,
    callback_id: Type.String(),
    action_ts: Type.Optional(Type.String())
  }, {
    examples: [{
      type: 'shortcut', ...interactionExample(3), callback_id: 'new_deploy', action_ts: '1736937600.000700'
    }]
  })
}

export type SlackEventType = keyof typeof slackEvents
export type SlackPayload<T extends SlackEventType = SlackEventType> = Static<typeof slackEvents[T]>
