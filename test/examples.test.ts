/**
 * Each file in examples/ runs as it is: started as its own process (under tap's
 * TypeScript loader, so its coverage counts), sent signed deliveries over real
 * HTTP, and its log lines checked. (examples/server.ts has its own test.)
 */
import { type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import t, { type Test } from 'tap'
import { pulse } from '../plugins/pulse.js'
import { fixtures, sign } from '../lib/testing/kit.js'
import type { ProviderName } from '../plugins/registry.js'
import { runExample, type LogLine } from './helpers/example-process.js'
import { HEX_SECRET, SW_SECRET, SW_SECRET_2 } from './helpers/sign.js'

interface Running {
  child: ChildProcess
  base: string
  lines: LogLine[]
  /** resolves with the first log line (seen or to come) with this message */
  waitFor (msg: string): Promise<LogLine>
  post (provider: ProviderName, payload: unknown, secret: string, path?: string): Promise<Response>
}

async function start (example: string, env: Record<string, string>): Promise<Running> {
  const { child, lines, waitFor } = runExample(example, { PORT: '0', HOST: '127.0.0.1', ...env })
  const listening = await new Promise<LogLine>((resolve, reject) => {
    child.once('exit', code => {
      reject(new Error(`${example} exited with ${code} before listening`))
    }) // no-op once listening
    waitFor(l => l.msg.startsWith('Server listening at ')).then(resolve, reject)
  })
  const base = listening.msg.slice('Server listening at '.length)
  const post = (provider: ProviderName, payload: unknown, secret: string, path = `/webhooks/${provider}`) => {
    const { headers, body } = sign(provider, JSON.stringify(payload), { secret })
    return fetch(base + path, { method: 'POST', headers, body })
  }
  return { child, base, lines, waitFor: msg => waitFor(line => line.msg === msg), post }
}

async function stop (running: Running): Promise<void> {
  const exited = once(running.child, 'exit')
  running.child.kill('SIGTERM')
  await exited
}

const cyberdeskRun = (status: string, extra: Record<string, unknown> = {}) =>
  ({ ...fixtures.cyberdesk.run_complete, run: { ...fixtures.cyberdesk.run_complete.run, status, ...extra } })

const cases: Array<{ example: string, env: Record<string, string>, run: (t: Test, app: Running) => Promise<void> }> = [
  {
    example: 'autotab',
    env: { AUTOTAB_WEBHOOK_SECRET: HEX_SECRET },
    run: async (t, app) => {
      for (const [state, msg] of [
        ['finish', 'autotab run finished'],
        ['cancel', 'autotab run cancelled'],
        ['timeout', 'autotab run timed out']
      ] as const) {
        t.equal((await app.post('autotab', fixtures.autotab[state], HEX_SECRET)).status, 200, state)
        t.match(await app.waitFor(msg), { session: fixtures.autotab[state].id })
      }
      t.equal(
        (await app.post('autotab', fixtures.autotab.play, 'not-the-secret')).status,
        401,
        'a forged one is refused'
      )
    }
  },
  {
    example: 'autosana',
    env: { AUTOSANA_WEBHOOK_SECRET: HEX_SECRET },
    run: async (t, app) => {
      t.equal((await app.post('autosana', fixtures.autosana['batch.completed'], HEX_SECRET)).status, 200)
      t.match(await app.waitFor('autosana batch completed'), {
        app: 'My App',
        platform: 'android',
        passed: 2,
        failed: ['Checkout Suite: User can pay with a card']
      })
    }
  },
  {
    example: 'cyberdesk',
    env: { CYBERDESK_WEBHOOK_SECRET: SW_SECRET },
    run: async (t, app) => {
      t.equal((await app.post('cyberdesk', cyberdeskRun('success'), SW_SECRET)).status, 200)
      t.match(await app.waitFor('cyberdesk run succeeded'), { run: fixtures.cyberdesk.run_complete.run.id })
      for (const status of ['error', 'task_failed']) {
        app.lines.length = 0
        t.equal(
          (
            await app.post(
              'cyberdesk',
              cyberdeskRun(status, { error: [`${status}: the form had no Save button`] }),
              SW_SECRET
            )
          ).status,
          200
        )
        t.match(await app.waitFor('cyberdesk run failed'), {
          status,
          errors: [`${status}: the form had no Save button`]
        })
      }
      t.equal((await app.post('cyberdesk', cyberdeskRun('cancelled'), SW_SECRET)).status, 200)
      t.match(await app.waitFor('cyberdesk run ended'), { status: 'cancelled' })
    }
  },
  {
    example: 'retab',
    env: { RETAB_WEBHOOK_SECRET: HEX_SECRET },
    run: async (t, app) => {
      const payload = fixtures.retab['extraction.completed']
      t.equal((await app.post('retab', payload, HEX_SECRET)).status, 200)
      t.match(await app.waitFor('retab extraction completed'), {
        completion: payload.completion.id,
        fields: ['name', 'date']
      })
      const misfit = {
        ...payload,
        completion: {
          ...payload.completion,
          choices: [{ ...payload.completion.choices[0]!, message: { role: 'assistant', content: '{"name":1}' } }]
        }
      }
      t.equal((await app.post('retab', misfit, HEX_SECRET)).status, 400, 'an extraction that does not fit the schema')
      t.notOk(
        app.lines.some(line => JSON.stringify(line).includes('data:application/pdf')),
        'the document is never logged'
      )
    }
  },
  {
    example: 'pulse',
    env: { PULSE_WEBHOOK_SECRET: SW_SECRET },
    run: async (t, app) => {
      t.equal((await app.post('pulse', fixtures.pulse['job.completed'], SW_SECRET)).status, 200)
      t.match(await app.waitFor('pulse job completed'), { pages: 25, seconds: 12.5 })
      t.equal((await app.post('pulse', fixtures.pulse['job.failed'], SW_SECRET)).status, 200)
      t.match(await app.waitFor('pulse job failed'), { error: 'Document processing failed: Invalid PDF structure' })
      t.equal(
        (await app.post('pulse', { type: 'job.archived', timestamp: '2025-01-01T00:00:00Z', data: {} }, SW_SECRET))
          .status,
        200
      )
      t.match(await app.waitFor('pulse event of a new type'), { type: 'job.archived' })
    }
  },
  {
    example: 'any-sender',
    env: { ACME_WEBHOOK_SECRET: SW_SECRET },
    run: async (t, app) => {
      const paid = { type: 'invoice.paid', data: { invoice: 'in_1', cents: 1250 } }
      // Signed by the Standard Webhooks scheme, as any such sender signs.
      const post = async (payload: unknown): Promise<Response> => {
        const body = JSON.stringify(payload)
        return await fetch(`${app.base}/webhooks/acme`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...pulse.provider.scheme.sign(SW_SECRET, body) },
          body
        })
      }
      t.equal((await post(paid)).status, 200)
      t.match(await app.waitFor('invoice paid'), { cents: 1250 })
      t.equal((await post({ ...paid, data: { invoice: 'in_2' } })).status, 400, 'a payload that fails its schema')
    }
  },
  {
    example: 'many-tenants',
    env: { TENANT_SECRETS: JSON.stringify({ acme: SW_SECRET, globex: SW_SECRET_2 }) },
    run: async (t, app) => {
      const completed = fixtures.pulse['job.completed']
      t.equal((await app.post('pulse', completed, SW_SECRET, '/webhooks/pulse/acme')).status, 200)
      t.match(await app.waitFor('tenant job done'), { tenant: 'acme', job: completed.data.job_id })
      t.equal(
        (await app.post('pulse', completed, SW_SECRET_2, '/webhooks/pulse/globex')).status,
        200,
        'each tenant with its own secret'
      )
      t.equal(
        (await app.post('pulse', completed, SW_SECRET, '/webhooks/pulse/globex')).status,
        401,
        "not with another tenant's"
      )
      t.equal(
        (await app.post('pulse', completed, SW_SECRET, '/webhooks/pulse/initech')).status,
        401,
        'an unknown tenant'
      )
      t.equal((await fetch(`${app.base}/admin/rotated/acme`, { method: 'POST' })).status, 200)
      t.equal(
        (await app.post('pulse', completed, SW_SECRET, '/webhooks/pulse/acme')).status,
        200,
        'looked up again after the rotation'
      )
    }
  },
  {
    example: 'queue-recipe',
    env: { PULSE_WEBHOOK_SECRET: SW_SECRET },
    run: async (t, app) => {
      const completed = fixtures.pulse['job.completed']
      const res = await app.post('pulse', completed, SW_SECRET)
      t.equal(res.status, 200)
      t.notOk(app.lines.some(line => line.msg === 'report written'), 'answered before the report was written')
      t.match(await app.waitFor('report written'), { job: completed.data.job_id, pages: 25 })

      const empty = { ...completed, data: { ...completed.data, job_id: 'job_empty', pages_processed: 0 } }
      const second = { ...completed, data: { ...completed.data, job_id: 'job_last' } }
      t.equal(
        (await app.post('pulse', empty, SW_SECRET)).status,
        200,
        'a job whose work will fail is answered 200 all the same'
      )
      t.equal((await app.post('pulse', second, SW_SECRET)).status, 200)
      t.match(await app.waitFor('queued work failed'), { err: { message: 'job job_empty has no pages to report on' } })
      // SIGTERM while job_last may still wait: the recipe finishes it before exiting.
      const exited = once(app.child, 'exit')
      app.child.kill('SIGTERM')
      const [code] = await exited
      t.equal(code, 0, 'a clean exit')
      t.ok(
        app.lines.some(line => line.msg === 'report written' && line.job === 'job_last'),
        'the queued work was done before exiting'
      )
    }
  }
]

// Started all at once: loading TypeScript is most of a start, and they may as well wait together.
const started = cases.map(c => start(c.example, c.env))
for (const [i, c] of cases.entries()) {
  t.test(`examples/${c.example}.ts`, async t => {
    const app = await started[i]!
    t.teardown(() => app.child.exitCode === null && app.child.signalCode === null ? stop(app) : undefined)
    await c.run(t, app)
  })
}
