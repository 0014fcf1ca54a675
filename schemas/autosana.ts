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
}, {
  examples: [{
    event: 'batch.completed',
    timestamp: '2025-01-31T12:34:56.789Z',
    app: {
      id: 'com.example.myapp',
      name: 'My App',
      platform: 'android',
      url: 'https://storage.example.com/app_builds/a1b2c3d4/my_app.apk'
    },
    git: { commit_sha: 'a1b2c3d4e5f6a7b8c9d0', branch: 'main' },
    summary: { total_groups: 3, passed_groups: 2, failed_groups: 1 },
    run_groups: [
      {
        name: 'Login Suite',
        status: 'passed',
        url: 'https://autosana.ai/runs/groups/f1e2d3c4-b5a6-7890-abcd-ef1234567890',
        runs: [{ name: 'User can sign in with email', status: 'passed', url: 'https://autosana.ai/runs/flow/12345678-abcd-ef12-3456-7890abcdef12' }]
      },
      {
        name: 'Checkout Suite',
        status: 'failed',
        url: 'https://autosana.ai/runs/groups/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        runs: [{ name: 'User can pay with a card', status: 'failed', url: 'https://autosana.ai/runs/flow/87654321-dcba-21fe-6543-210fedcba987' }]
      }
    ]
  }]
})

export const autosanaEvents = { 'batch.completed': AutosanaBatchCompleted }
export type AutosanaBatch = Static<typeof AutosanaBatchCompleted>
