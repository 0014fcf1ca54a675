import Type, { type Static } from 'typebox'
import { Literals, Nullable } from './common.js'

/** Every run status; a completion webhook carries a terminal one (success, error, task_failed, cancelled). */
export const CyberdeskRunStatus = Literals('scheduling', 'running', 'success', 'cancelled', 'error', 'task_failed', 'running_checks')

export const CyberdeskRun = Type.Object({
  id: Type.String(),
  workflow_id: Type.String(),
  machine_id: Nullable(Type.String()),
  status: CyberdeskRunStatus,
  created_at: Type.String(),
  user_id: Type.Optional(Nullable(Type.String())),
  organization_id: Type.Optional(Nullable(Type.String())),
  error: Type.Optional(Nullable(Type.Array(Type.String()))),
  output_data: Type.Optional(Type.Unknown()),
  input_values: Type.Optional(Type.Unknown()),
  input_attachment_ids: Type.Optional(Nullable(Type.Array(Type.String()))),
  output_attachment_ids: Type.Optional(Nullable(Type.Array(Type.String()))),
  pool_ids: Type.Optional(Nullable(Type.Array(Type.String()))),
  sensitive_input_aliases: Type.Optional(Type.Unknown()),
  usage_metadata: Type.Optional(Type.Unknown()),
  session_id: Type.Optional(Nullable(Type.String())),
  session_alias: Type.Optional(Nullable(Type.String())),
  release_session_after: Type.Optional(Nullable(Type.Boolean())),
  started_at: Type.Optional(Nullable(Type.String())),
  ended_at: Type.Optional(Nullable(Type.String()))
})

export const CyberdeskRunComplete = Type.Object({
  event_id: Type.String(),
  event_type: Type.Literal('run_complete'),
  occurred_at: Type.String(),
  run: CyberdeskRun
})

export const cyberdeskEvents = { run_complete: CyberdeskRunComplete }
export type CyberdeskRunCompleteEvent = Static<typeof CyberdeskRunComplete>
export type CyberdeskRunResponse = Static<typeof CyberdeskRun>
