import Type, { type Static } from 'typebox'
import { Literals } from './common.js'

/** Statuses seen are `passed` and `failed`; the others are likely and accepted. */
const Status = Literals('passed', 'failed', 'error', 'terminated', 'skipped')

export const AutosanaBatchCompleted = Type.Object({
  event: Type.Literal('batch.completed'),
  /** ISO 8601; inside the signed body, but the scheme has no replay window */
  timestamp: Type.String(),
  app: Type.Object({
    id: Type.String(),
    name: Type.String(),
    /** likely `android`, `ios`, `web`, `chrome-extension` */
    platform: Type.String(),
    url: Type.String()
  }),
  /** present when the build carried git metadata */
  git: Type.Optional(Type.Object({ commit_sha: Type.String(), branch: Type.String() })),
  summary: Type.Object({
    total_groups: Type.Integer(),
    passed_groups: Type.Integer(),
    failed_groups: Type.Integer()
  }),
  run_groups: Type.Array(Type.Object({
    name: Type.String(),
    status: Status,
    url: Type.String(),
    runs: Type.Array(Type.Object({ name: Type.String(), status: Status, url: Type.String() }))
  }))
})

export const autosanaEvents = { 'batch.completed': AutosanaBatchCompleted }
export type AutosanaBatch = Static<typeof AutosanaBatchCompleted>
