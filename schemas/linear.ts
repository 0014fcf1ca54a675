/**
 * Linear's data change webhook payloads, keyed by the body's `type` (`Issue`, `Comment`, `Project`, ...), as
 * `@linear/sdk`'s webhook client names them. Every one is an envelope: `action` (`create`, `update`, `remove`), the
 * entity in `data`, and, on an update, its previous values in `updatedFrom`. Linear adds fields as its API grows, so
 * objects take extra keys and only the envelope and each entity's `id` are required. The examples follow Linear's
 * webhook reference.
 */
import Type, { type Static, type TProperties } from 'typebox'

const ORGANIZATION = '1e4b7c58-0b43-4c8e-9c1a-6a9e2d8f3b10'
const WEBHOOK = '7a2b4f6e-3c1d-4e9f-8a7b-5c6d1e2f3a4b'
const CREATED = '2026-11-30T09:12:44.318Z'

const Actor = Type.Object({
  id: Type.String(),
  /** `user`, `OauthClient`, `Integration` */
  type: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  url: Type.Optional(Type.String())
})

/** The envelope of an entity of type `T`, whose `data` has the fields given (and any others). */
function linearEvent<const T extends string, D extends TProperties> (
  type: T,
  data: D,
  example: { action?: string, data: Record<string, unknown>, url?: string }
) {
  const { action = 'create', url } = example
  return Type.Object({
    /** `create`, `update`, `remove` (some entities have more) */
    action: Type.String(),
    type: Type.Literal(type),
    data: Type.Object({ id: Type.String(), ...data }),
    /** the entity in Linear's app */
    url: Type.Optional(Type.String()),
    /** who made the change */
    actor: Type.Optional(Actor),
    /** on `update`: the previous values of the fields that changed */
    updatedFrom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** when the change was made (ISO 8601) */
    createdAt: Type.String(),
    organizationId: Type.String(),
    /** when the delivery was sent, milliseconds since the epoch: signed with the body, checked to ±60 s */
    webhookTimestamp: Type.Number(),
    webhookId: Type.String()
  }, {
    examples: [{
      action,
      type,
      data: example.data,
      ...(url === undefined ? {} : { url }),
      actor: { id: '2a8c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b', type: 'user', name: 'Ada Lovelace' },
      createdAt: CREATED,
      organizationId: ORGANIZATION,
      webhookTimestamp: 1764493964318,
      webhookId: WEBHOOK
    }]
  })
}

const optional = {
  string: () => Type.Optional(Type.String()),
  number: () => Type.Optional(Type.Number())
}

export const LinearIssue = linearEvent('Issue', {
  /** `ENG-123` */
  identifier: optional.string(),
  title: optional.string(),
  description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  priority: optional.number(),
  number: optional.number(),
  teamId: optional.string(),
  stateId: optional.string(),
  state: Type.Optional(Type.Object({ id: Type.String(), name: Type.Optional(Type.String()) })),
  assigneeId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  labelIds: Type.Optional(Type.Array(Type.String())),
  createdAt: optional.string(),
  updatedAt: optional.string()
}, {
  data: {
    id: '9f2c1d7a-4b3e-4f6a-8c9d-0e1f2a3b4c5d',
    identifier: 'ENG-123',
    title: 'Webhook retries double-charge the customer',
    description: null,
    priority: 2,
    number: 123,
    teamId: '4d5e6f70-8192-4a3b-bc4d-5e6f70819203',
    stateId: '6f708192-a3b4-4c5d-9e6f-708192a3b4c5',
    labelIds: [],
    createdAt: CREATED,
    updatedAt: CREATED
  },
  url: 'https://linear.app/acme/issue/ENG-123/webhook-retries-double-charge-the-customer'
})

export const LinearComment = linearEvent('Comment', {
  body: optional.string(),
  issueId: optional.string(),
  userId: optional.string(),
  parentId: optional.string(),
  createdAt: optional.string(),
  updatedAt: optional.string()
}, {
  data: {
    id: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b',
    body: 'Reproduced: the second delivery had a new id.',
    issueId: '9f2c1d7a-4b3e-4f6a-8c9d-0e1f2a3b4c5d',
    userId: '2a8c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b',
    createdAt: CREATED,
    updatedAt: CREATED
  },
  url: 'https://linear.app/acme/issue/ENG-123#comment-0b1c2d3e'
})

export const LinearProject = linearEvent('Project', {
  name: optional.string(),
  description: optional.string(),
  state: optional.string(),
  progress: optional.number(),
  targetDate: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  createdAt: optional.string(),
  updatedAt: optional.string()
}, {
  action: 'update',
  data: {
    id: '3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b',
    name: 'Idempotent billing',
    description: 'Every charge happens once.',
    state: 'started',
    progress: 0.4,
    targetDate: '2027-01-15',
    createdAt: CREATED,
    updatedAt: CREATED
  },
  url: 'https://linear.app/acme/project/idempotent-billing-3c4d5e6f7081'
})

export const LinearIssueLabel = linearEvent('IssueLabel', {
  name: optional.string(),
  color: optional.string(),
  teamId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  createdAt: optional.string()
}, {
  data: { id: '5e6f7081-92a3-4b4c-8d5e-6f708192a3b4', name: 'billing', color: '#eb5757', createdAt: CREATED }
})

export const LinearCycle = linearEvent('Cycle', {
  number: optional.number(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  startsAt: optional.string(),
  endsAt: optional.string(),
  teamId: optional.string()
}, {
  data: {
    id: '708192a3-b4c5-4d6e-9f70-8192a3b4c5d6',
    number: 42,
    name: null,
    startsAt: '2026-11-30T00:00:00.000Z',
    endsAt: '2026-12-14T00:00:00.000Z',
    teamId: '4d5e6f70-8192-4a3b-bc4d-5e6f70819203'
  },
  url: 'https://linear.app/acme/team/ENG/cycle/42'
})

export const LinearReaction = linearEvent('Reaction', {
  /** the emoji's name: `+1`, `eyes` */
  emoji: optional.string(),
  userId: optional.string(),
  commentId: optional.string(),
  issueId: optional.string()
}, {
  data: {
    id: '8192a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7',
    emoji: '+1',
    userId: '2a8c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b',
    commentId: '0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b'
  }
})

export const LinearProjectUpdate = linearEvent('ProjectUpdate', {
  body: optional.string(),
  /** `onTrack`, `atRisk`, `offTrack` */
  health: optional.string(),
  projectId: optional.string(),
  userId: optional.string()
}, {
  data: {
    id: '92a3b4c5-d6e7-4f80-91a2-b3c4d5e6f708',
    body: 'Retries now keep their delivery id.',
    health: 'onTrack',
    projectId: '3c4d5e6f-7081-4923-a4b5-c6d7e8f90a1b',
    userId: '2a8c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b'
  },
  url: 'https://linear.app/acme/project/idempotent-billing-3c4d5e6f7081/updates'
})

export const linearEvents = {
  Issue: LinearIssue,
  Comment: LinearComment,
  Project: LinearProject,
  IssueLabel: LinearIssueLabel,
  Cycle: LinearCycle,
  Reaction: LinearReaction,
  ProjectUpdate: LinearProjectUpdate
}

export type LinearEventType = keyof typeof linearEvents
export type LinearPayload<T extends LinearEventType = LinearEventType> = Static<typeof linearEvents[T]>
