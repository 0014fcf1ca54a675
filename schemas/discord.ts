/**
 * What Discord posts to an app's Interactions Endpoint URL: an interaction, typed by its numeric `type` (2 a command,
 * 3 a component, 4 an autocomplete, 5 a modal; 1, the PING, is a handshake and has no schema). Discord adds fields
 * freely, so every object takes extra keys and only what Discord documents as always sent is required.
 */
import Type, { type Static, type TProperties } from 'typebox'

const Snowflake = Type.String()

const User = Type.Object({
  id: Snowflake,
  username: Type.String(),
  global_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  discriminator: Type.Optional(Type.String()),
  bot: Type.Optional(Type.Boolean())
})

/** A command option as sent: a value, or (a subcommand) options of its own, one level down at most twice. */
const leafOption = {
  name: Type.String(),
  /** 3 string, 4 integer, 5 boolean, 6 user, 7 channel, 8 role, 10 number, 11 attachment, ... */
  type: Type.Number(),
  value: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  /** an autocomplete's option the user is typing */
  focused: Type.Optional(Type.Boolean())
}
const Option = Type.Object({
  ...leafOption,
  options: Type.Optional(Type.Array(Type.Object({
    ...leafOption,
    options: Type.Optional(Type.Array(Type.Object(leafOption)))
  })))
})

/** The fields every interaction but the PING carries; `type` and `data` are each kind's own. */
function interaction<const N extends number, P extends TProperties, X extends TProperties> (
  type: N,
  data: P,
  extra: X,
  example: Record<string, unknown>
) {
  return Type.Object({
    /** the interaction's snowflake: the idempotency key */
    id: Snowflake,
    application_id: Snowflake,
    type: Type.Literal(type),
    data: Type.Object(data),
    /** answers the interaction later (follow-up messages), for 15 minutes */
    token: Type.String(),
    /** always 1 */
    version: Type.Number(),
    guild_id: Type.Optional(Snowflake),
    channel_id: Type.Optional(Snowflake),
    /** in a guild: the member, with `user` inside it */
    member: Type.Optional(Type.Object({
      user: User,
      nick: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      roles: Type.Array(Snowflake),
      permissions: Type.Optional(Type.String())
    })),
    /** in a DM: the user (no `member`) */
    user: Type.Optional(User),
    /** the app's permissions in the channel, as a bit set in a string */
    app_permissions: Type.Optional(Type.String()),
    locale: Type.Optional(Type.String()),
    guild_locale: Type.Optional(Type.String()),
    /** 0 a guild, 1 the bot's DM, 2 a private channel */
    context: Type.Optional(Type.Number()),
    ...extra
  }, {
    examples: [{
      id: example.id,
      application_id: '1141116944239734795',
      type,
      data: example.data,
      token: `aW50ZXJhY3Rpb246${String(example.id)}:tokenX9fQ2k`,
      version: 1,
      guild_id: '1141117233848037406',
      channel_id: '1141117234368139335',
      member: {
        user: { id: '480118349263568907', username: 'jenny', global_name: 'Jenny', discriminator: '0' },
        nick: null,
        roles: ['1141117527398993950'],
        permissions: '2251799813685247'
      },
      app_permissions: '2248473465835073',
      locale: 'en-US',
      guild_locale: 'en-US',
      context: 0,
      ...example.extra as object
    }]
  })
}

const command = {
  /** the command's id */
  id: Snowflake,
  name: Type.String(),
  /** 1 a slash command, 2 a user's context menu, 3 a message's */
  type: Type.Number(),
  options: Type.Optional(Type.Array(Option)),
  guild_id: Type.Optional(Snowflake),
  /** a context menu command's user or message */
  target_id: Type.Optional(Snowflake),
  resolved: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}

export const discordEvents = {
  application_command: interaction(2, command, {}, {
    id: '1141118025813311509',
    data: {
      id: '1141116945418334290',
      name: 'deploy',
      type: 1,
      options: [{ name: 'branch', type: 3, value: 'main' }]
    }
  }),
  message_component: interaction(3, {
    custom_id: Type.String(),
    /** 2 a button, 3 a string select, 5-8 the other selects */
    component_type: Type.Number(),
    /** a select's chosen values */
    values: Type.Optional(Type.Array(Type.String()))
  }, {
    /** the message the component is on */
    message: Type.Object({ id: Snowflake, channel_id: Type.Optional(Snowflake), content: Type.Optional(Type.String()) })
  }, {
    id: '1141118025813311510',
    data: { custom_id: 'approve_deploy', component_type: 2 },
    extra: { message: { id: '1141118011066662912', channel_id: '1141117234368139335', content: 'Deploy main?' } }
  }),
  application_command_autocomplete: interaction(4, command, {}, {
    id: '1141118025813311511',
    data: {
      id: '1141116945418334290',
      name: 'deploy',
      type: 1,
      options: [{ name: 'branch', type: 3, value: 'ma', focused: true }]
    }
  }),
  modal_submit: interaction(5, {
    custom_id: Type.String(),
    /** action rows, each with the text inputs' `custom_id` and `value` */
    components: Type.Array(Type.Object({
      type: Type.Number(),
      components: Type.Optional(Type.Array(Type.Object({
        type: Type.Number(),
        custom_id: Type.String(),
        value: Type.Optional(Type.String())
      })))
    }))
  }, {}, {
    id: '1141118025813311512',
    data: {
      custom_id: 'deploy_reason',
      components: [{ type: 1, components: [{ type: 4, custom_id: 'reason', value: 'hotfix for #1042' }] }]
    }
  })
}

export type DiscordInteractionType = keyof typeof discordEvents
export type DiscordPayload<T extends DiscordInteractionType = DiscordInteractionType> =
  Static<typeof discordEvents[T]>
