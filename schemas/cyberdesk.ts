import Type, { type Static } from 'typebox'
import { Literals, Nullable } from './common.js'

/** Every run status; a completion webhook carries a terminal one (success, error, task_failed, cancelled). */
export const CyberdeskRunStatus = Literals(
  'scheduling',
  'running',
  'success',
  'cancelled',
  'error',
  'task_failed',
  'running_checks'
)

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
}, {
  examples: [{
    event_id: '5f0c7a4e-2b1d-4c3e-9f8a-7b6c5d4e3f2a',
    event_type: 'run_complete',
    occurred_at: '2025-03-02T09:15:27.412Z',
    run: {
      id: '8d2f6b1a-3c4e-4f5a-8b9c-0d1e2f3a4b5c',
      workflow_id: 'a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d',
      machine_id: 'f0e1d2c3-b4a5-4968-8776-655443322110',
      status: 'success',
      created_at: '2025-03-02T09:14:02.001Z',
      started_at: '2025-03-02T09:14:05.120Z',
      ended_at: '2025-03-02T09:15:27.300Z',
      error: [],
      output_data: { summary: 'Invoice 1042 entered into the ERP' },
      input_values: { invoice_number: '1042' },
      output_attachment_ids: []
    }
  }]
})

export const cyberdeskEvents = { run_complete: CyberdeskRunComplete }
export type CyberdeskRunCompleteEvent = Static<typeof CyberdeskRunComplete>
export type CyberdeskRunResponse = Static<typeof CyberdeskRun>
