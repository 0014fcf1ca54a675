/**
 * The demo: every shipped provider in one Fastify app (`npm start`).
 * Secrets come from the environment, or are made up and printed, with a
 * ready command per provider that sends it a correctly signed sample event.
 */
import Fastify from 'fastify'
import type { ProviderSpec, ReceiverOptions, WebhookPlugin } from '../plugins/index.js'
import type { AutosanaEvent, AutotabEvent, CyberdeskEvent, PulseEvent, RetabEvent } from '../plugins/index.js'
import { providers, type ProviderName } from '../plugins/registry.js'

export type Secrets = Record<ProviderName, string>

/** `<NAME>_WEBHOOK_SECRET` from the environment, or a new secret in the provider's format. */
export function devSecrets (env: Record<string, string | undefined> = process.env): Secrets {
  const entries = Object.entries(providers).map(([name, plugin]) => [
    name,
    env[`${name.toUpperCase()}_WEBHOOK_SECRET`] ?? plugin.provider.scheme.generateSecret()
  ])
  return Object.fromEntries(entries) as Secrets
}

type On<E extends { type: string }> = ReceiverOptions<E, unknown>['on']

/** What the demo does with each provider's events: a log line with a field or two of the typed payload. */
const handlers: {
  autotab: On<AutotabEvent>
  autosana: On<AutosanaEvent>
  cyberdesk: On<CyberdeskEvent>
  retab: On<RetabEvent>
  pulse: On<PulseEvent>
} = {
  autotab: {
    finish: (event, request) => {
      request.log.info({ session: event.payload.id }, 'autotab run finished')
    }
  },
  autosana: {
    'batch.completed': (event, request) => {
      request.log.info({ failed: event.payload.summary.failed_groups }, 'autosana batch completed')
    }
  },
  cyberdesk: {
    run_complete: (event, request) => {
      request.log.info({ run: event.payload.run.id, status: event.payload.run.status }, 'cyberdesk run complete')
    }
  },
  retab: {
    'extraction.completed': (event, request) => {
      request.log.info({ completion: event.payload.completion.id }, 'retab extraction completed')
    }
  },
  pulse: {
    'job.completed': (event, request) => {
      request.log.info(
        { job: event.payload.data.job_id, pages: event.payload.data.pages_processed },
        'pulse job completed'
      )
    },
    'job.failed': (event, request) => {
      request.log.warn({ job: event.payload.data.job_id }, 'pulse job failed')
    }
  }
}

export async function buildServer (secrets: Secrets, logger: boolean | object = true) {
  const app = Fastify({ logger })
  for (const [name, plugin] of Object.entries(providers)) {
    const on: object | undefined = (handlers as Record<string, object | undefined>)[name]
    // Each provider's options are typed by its own plugin; in a loop over all of them, TypeScript sees their union.
    await app.register(plugin as WebhookPlugin<ProviderSpec>, {
      secret: secrets[name as ProviderName],
      ...(on === undefined
        ? {
            onEvent: (event, request) => {
              request.log.info({ provider: name, type: event.type }, 'webhook received')
            }
          }
        : { on })
    })
  }
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
  for (const [name, plugin] of Object.entries(providers)) {
    lines.push(
      `  node dist/bin/cli.js send ${name} ${plugin.provider.sample?.type ?? ''} --url ${address}/webhooks/${name} ` +
      `--secret '${secrets[name as ProviderName]}'`
    )
  }
  const variables = Object.keys(providers)
    .map(name => `${name.toUpperCase()}_WEBHOOK_SECRET`)
    .join(', ')
  lines.push(
    '',
    `(secrets are made up per start unless ${variables} are set;`,
    ' add --tamper or --stale to see a delivery refused)',
    ''
  )
  process.stdout.write(lines.join('\n') + '\n')
}
