import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/fixtures.js'
import { providerSuite } from './helpers/provider-suite.js'
import { SW_SECRET, SW_SECRET_2 } from './helpers/sign.js'

providerSuite({
  name: 'pulse',
  plugin: pulse,
  scheme: { kind: 'standard', prefix: 'webhook' },
  secret: SW_SECRET,
  otherSecret: SW_SECRET_2,
  samples: fixtures.pulse,
  invalid: { payload: { ...fixtures.pulse['job.completed'], data: { job_id: 'j1', status: 'completed', pages_processed: 'many', processing_time: 1 } }, path: '/data/pages_processed' },
  unknown: { type: 'job.retrying', timestamp: '2024-01-15T10:30:00Z', data: { job_id: 'j1' } }
})
