import Type, { type Static } from 'typebox'
import { Literals, Nullable } from './common.js'

/**
 * Autotab sends the run session itself; its type is its `state`. Wire values
 * are lowercase (the page's code writes the SDK's enum names, FINISH etc.).
 */
export const autotabStates = ['play', 'pause', 'finish', 'reset', 'cancel', 'timeout', 'editing'] as const
export type AutotabState = typeof autotabStates[number]

function runSession<S extends AutotabState> (state: S) {
  return Type.Object({
    /** prefixed id, not a UUID */
    id: Type.String(),
    skill_id: Type.String(),
    /** a string; older API versions sent an object */
    owner: Type.Union([Type.String(), Type.Object({})]),
    created_at: Type.String(),
    environment: Nullable(Literals('client', 'cloud')),
    start_time: Nullable(Type.String()),
    end_time: Type.Optional(Nullable(Type.String())),
    state: Type.Literal(state),
    inputs: Type.Optional(Type.Unknown()),
    data: Type.Optional(Type.Unknown())
  })
}

export const autotabEvents = {
  play: runSession('play'),
  pause: runSession('pause'),
  finish: runSession('finish'),
  reset: runSession('reset'),
  cancel: runSession('cancel'),
  timeout: runSession('timeout'),
  editing: runSession('editing')
}

export type AutotabRunSession = Static<typeof autotabEvents[AutotabState]>
