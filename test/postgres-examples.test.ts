/**
 * examples/postgres.ts (plain pg), examples/postgres-kysely.ts (a query builder) and examples/replay.ts
 * run as their own processes against a real Postgres, driven over real HTTP as a user would.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { promisify } from 'node:util'
import type pg from 'pg'
import { fixtures } from '../lib/testing/kit.js'
import { runExample } from './helpers/example-process.js'
import { connect, startPostgres } from './helpers/postgres.js'
import { SW_SECRET, postPulse } from './helpers/sign.js'

const run = promisify(execFile)

const completed = (job: string): string =>
  JSON.stringify({ ...fixtures.pulse['job.completed'], data: { ...fixtures.pulse['job.completed'].data, job_id: job } })

async function start (example: string, database: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { child, waitFor } = runExample(example, {
    DATABASE_URL: database,
    PULSE_WEBHOOK_SECRET: SW_SECRET,
    PORT: '0',
    HOST: '127.0.0.1'
  })
  const listening = await waitFor(line => line.msg.startsWith('Server listening at '))
  return {
    url: `${listening.msg.slice('Server listening at '.length)}/webhooks/pulse`,
    stop: async () => { const exited = once(child, 'exit'); child.kill('SIGTERM'); await exited }
  }
}

async function jobs (pool: pg.Pool): Promise<string[]> {
  return (await pool.query<{ job_id: string }>('SELECT job_id FROM pulse_jobs ORDER BY job_id')).rows.map(r => r.job_id)
}

t.test('the Postgres examples', async t => {
  const server = await startPostgres()
  const pool = connect(server)
  t.teardown(async () => { await pool.end(); await server.close() })
  for (const name of ['pg', 'kysely']) await pool.query(`CREATE DATABASE ${name}`)
  const database = (name: string): string => server.connectionString.replace(/\/[^/]*$/, `/${name}`)

  for (const [example, name] of [['postgres', 'pg'], ['postgres-kysely', 'kysely']] as const) {
    t.test(`examples/${example}.ts: an event delivered twice writes once, to two instances at once too`, async t => {
      const db = connect({ ...server, connectionString: database(name) })
      const instances = [await start(example, database(name)), await start(example, database(name))]
      t.teardown(async () => {
        await Promise.all(instances.map(i => i.stop()))
        await db.end()
      })
      t.same(await postPulse(instances[0]!.url, completed('job-a'), 'msg_ex_a'), {
        status: 200,
        body: { received: true }
      })
      t.same((await postPulse(instances[1]!.url, completed('job-a'), 'msg_ex_a')).body, {
        received: true,
        duplicate: true
      })
      const together = await Promise.all(
        instances.map(async i => await postPulse(i.url, completed('job-b'), 'msg_ex_b'))
      )
      t.ok(
        together.every(a => a.status === 200 || a.status === 409),
        'handled, duplicate or in flight'
      )
      t.same(await jobs(db), ['job-a', 'job-b'])
      t.equal(
        (
          await fetch(instances[0]!.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: completed('job-c')
          })
        ).status,
        401,
        'an unsigned one is refused'
      )
      t.same(await jobs(db), ['job-a', 'job-b'])
    })
  }

  t.test('examples/replay.ts: failed events run again once the cause is fixed', async t => {
    const db = connect({ ...server, connectionString: database('pg') })
    const app = await start('postgres', database('pg'))
    t.teardown(async () => { await app.stop(); await db.end() })
    // The cause: a row already there, so the handler's insert fails.
    await db.query("INSERT INTO pulse_jobs (job_id, pages) VALUES ('job-r1', 0), ('job-r2', 0)")
    for (const n of [1, 2]) {
      t.match(await postPulse(app.url, completed(`job-r${n}`), `msg_ex_r${n}`), {
        status: 500,
        body: { code: 'WEBHOOK_HANDLER_FAILED' }
      })
    }
    await db.query("DELETE FROM pulse_jobs WHERE job_id IN ('job-r1', 'job-r2')")
    const replay = async (...args: string[]): Promise<unknown> => {
      const { stdout } = await run(process.execPath, [...process.execArgv, 'examples/replay.ts', ...args], {
        env: { ...process.env, DATABASE_URL: database('pg') }
      })
      return JSON.parse(stdout)
    }
    t.same(
      await replay(
        '--status',
        'failed',
        '--type',
        'job.completed',
        '--since',
        new Date(Date.now() - 60_000).toISOString(),
        '--until',
        new Date(Date.now() + 60_000).toISOString()
      ),
      { handled: 2, failed: 0, invalid: 0, skipped: 0 }
    )
    t.same(await jobs(db), ['job-a', 'job-b', 'job-r1', 'job-r2'])
    t.same(await replay(), { handled: 0, failed: 0, invalid: 0, skipped: 0 }, 'nothing is left to replay')
  })
})
