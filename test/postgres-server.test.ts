import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { connect, startPostgres } from './helpers/postgres.js'

t.test('the launcher starts, stops and restarts a real Postgres; its data is gone after a restart', async t => {
  const server = await startPostgres()
  t.teardown(() => server.close())
  const pool = connect(server)
  t.teardown(() => pool.end())
  await pool.query('CREATE TABLE kept (n int)')
  t.same((await pool.query("SELECT current_setting('server_version_num')::int >= 180000 AS v18")).rows, [{ v18: true }])
  await server.stop()
  await server.stop()
  await t.rejects(pool.query('SELECT 1'), /ECONNREFUSED/)
  await server.start()
  await t.rejects(pool.query('SELECT * FROM kept'), /relation "kept" does not exist/)
})

t.test('persistent: the data survives stop and start on the same port; close deletes it', async t => {
  const server = await startPostgres({ persistent: true })
  const pool = connect(server)
  await pool.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)')
  await server.stop()
  await server.start()
  t.same((await pool.query('SELECT n FROM kept')).rows, [{ n: 1 }])
  await pool.end()
  const dir = await dataDirOf(server.connectionString)
  await server.close()
  t.notOk(existsSync(dir), 'the temp dir is gone')
})

t.test('a test process killed with SIGKILL leaves no server behind', async t => {
  // A plain child, killed outright below: what stops its server is the launcher's own watchdog.
  const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', `
    import { startPostgres } from './support/postgres-server.ts'
    const server = await startPostgres()
    console.log(server.connectionString)
    setInterval(() => {}, 1000)`], { stdio: ['ignore', 'pipe', 'pipe'] })
  const [line] = await once(child.stdout, 'data') as [Buffer]
  const pool = connect({ connectionString: line.toString().trim() } as never, { max: 1 })
  t.teardown(() => pool.end())
  const dir = await dataDirOf(line.toString().trim())
  child.kill('SIGKILL')
  // However long the machine takes to stop it: the file's timeout bounds the wait.
  while (await pool.query('SELECT 1').then(() => true, () => false)) await sleep(50)
  t.pass('the server went down with its process')
  while (existsSync(dir)) await sleep(20)
  t.pass('its temp dir is gone')
})

/** The temp dir a running server keeps its data in. */
async function dataDirOf (connectionString: string): Promise<string> {
  const pool = connect({ connectionString } as never, { max: 1 })
  const { rows: [row] } = await pool.query<{ dir: string }>('SELECT current_setting(\'data_directory\') AS dir')
  await pool.end()
  return row!.dir.replace(/\/data$/, '')
}
