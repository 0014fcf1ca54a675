/**
 * The demo: all five providers in one Fastify app (`npm start`).
 * Secrets come from the environment, or are made up and printed, with a
 * ready command per provider that sends it a correctly signed sample event.
 */
import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import { typicalTypes } from '../lib/fixtures.js'
import { autosana, autotab, cyberdesk, generateStandardSecret, pulse, retab } from '../plugins/index.js'

export type Secrets = Record<'autotab' | 'autosana' | 'cyberdesk' | 'retab' | 'pulse', string>

/** Secrets from the environment, or made up in each provider's format. */
export function devSecrets (env: Record<string, string | undefined> = process.env): Secrets {
  const plain = () => `dev_${randomBytes(16).toString('hex')}`
  return {
    autotab: env.AUTOTAB_WEBHOOK_SECRET ?? plain(),
    autosana: env.AUTOSANA_WEBHOOK_SECRET ?? plain(),
    cyberdesk: env.CYBERDESK_WEBHOOK_SECRET ?? generateStandardSecret(),
    retab: env.RETAB_WEBHOOK_SECRET ?? plain(),
    pulse: env.PULSE_WEBHOOK_SECRET ?? generateStandardSecret()
  }
}

export async function buildServer (secrets: Secrets, logger: boolean | object = true) {
  const app = Fastify({ logger })

  await app.register(autotab, {
    secret: secrets.autotab,
    on: { finish: (event, request) => { request.log.info({ session: event.payload.id }, 'autotab run finished') } }
  })
  await app.register(autosana, {
    secret: secrets.autosana,
    on: { 'batch.completed': (event, request) => { request.log.info({ failed: event.payload.summary.failed_groups }, 'autosana batch completed') } }
  })
  await app.register(cyberdesk, {
    secret: secrets.cyberdesk,
    on: { run_complete: (event, request) => { request.log.info({ run: event.payload.run.id, status: event.payload.run.status }, 'cyberdesk run complete') } }
  })
  await app.register(retab, {
    secret: secrets.retab,
    on: { 'extraction.completed': (event, request) => { request.log.info({ completion: event.payload.completion.id }, 'retab extraction completed') } }
  })
  await app.register(pulse, {
    secret: secrets.pulse,
    on: {
      'job.completed': (event, request) => { request.log.info({ job: event.payload.data.job_id, pages: event.payload.data.pages_processed }, 'pulse job completed') },
      'job.failed': (event, request) => { request.log.warn({ job: event.payload.data.job_id }, 'pulse job failed') }
    }
  })
  app.get('/', async () => ({ providers: Object.keys(secrets).map(name => `/webhooks/${name}`) }))
  return app
}

// The entry point of `npm start`; buildServer above is what the tests load.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const port = Number(process.env.PORT ?? 3000)
  const secrets = devSecrets()
  const app = await buildServer(secrets)
  const address = await app.listen({ host: process.env.HOST ?? '127.0.0.1', port })
  const lines = ['', 'fastify-webhooks demo is listening. Send each provider a signed sample event:', '']
  for (const [name, secret] of Object.entries(secrets)) {
    lines.push(`  node dist/bin/cli.js send ${name} ${typicalTypes[name as keyof typeof typicalTypes]} --url ${address}/webhooks/${name} --secret '${secret}'`)
  }
  lines.push('', '(secrets are made up per start unless AUTOTAB_WEBHOOK_SECRET, AUTOSANA_WEBHOOK_SECRET, CYBERDESK_WEBHOOK_SECRET,', ' RETAB_WEBHOOK_SECRET and PULSE_WEBHOOK_SECRET are set; add --tamper or --stale to see a delivery refused)', '')
  process.stdout.write(lines.join('\n') + '\n')
}
