import Type, { type Static } from 'typebox'
import { Literals, Nullable } from './common.js'

/**
 * Autotab sends the run session itself; its type is its `state`. Wire values
 * are lowercase (the page's code writes the SDK's enum names, FINISH etc.).
 */
export const autotabStates = ['play', 'pause', 'finish', 'reset', 'cancel', 'timeout', 'editing'] as const
export type AutotabState = typeof autotabStates[number]

/** A realistic run session in `state`, as Autotab sends it. */
function example (state: AutotabState) {
  return {
    id: 'rs_01JH8X3K2M4N5P6Q7R8S9T0V1W',
    skill_id: 'sk_01JH8WZ9Y8X7W6V5U4T3S2R1Q0',
    owner: 'user_2b9c1f',
    created_at: '2025-01-31T12:30:00.000Z',
    environment: 'cloud',
    start_time: '2025-01-31T12:30:01.000Z',
    ...(state === 'play' ? {} : { end_time: '2025-01-31T12:34:56.000Z' }),
    state,
    inputs: { customer_id: 'C-1042' },
    data: { rows_exported: 17 }
  }
}

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
  }, { examples: [example(state)] })
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
