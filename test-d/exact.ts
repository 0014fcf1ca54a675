/**
 * Type tests under `exactOptionalPropertyTypes: true` (test-d/tsconfig.exact.json, run by
 * `npm run typecheck`): the README's options compile there too. Checked, never run.
 */
import Fastify from 'fastify'
import { autosana, pulse, retab } from '../plugins/index.js'

const app = Fastify()

// `secret` from the environment is `string | undefined`: the key is required, its value may be undefined
// (the plugin throws at registration, naming the option).
void app.register(pulse, {
  secret: process.env.PULSE_WEBHOOK_SECRET,
  on: { 'job.completed': async (event) => { void event.payload.data.job_id } }
})
void app.register(pulse, pulse.options({ secret: process.env.PULSE_WEBHOOK_SECRET }))
void app.register(retab, { secret: process.env.RETAB_WEBHOOK_SECRET })

// @ts-expect-error the `secret` key is required for a provider that always signs
void app.register(pulse, { on: {} })
// @ts-expect-error the `secret` key is required for a provider that always signs
void app.register(pulse, pulse.options({}))

// Autosana may be unsigned: `secret` or `allowUnsigned: true`, both optional in the type.
void app.register(autosana, { secret: process.env.AUTOSANA_WEBHOOK_SECRET })
void app.register(autosana, { allowUnsigned: true })
