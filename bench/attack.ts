/**
 * The attack run (`npm run soak -- --attack`): valid Retab deliveries at a steady rate, first alone (the quiet
 * run), then while 200 connections send bogus 60 MB bodies (half with no signature, half with a forged one that
 * looks right) and 200 more trickle bodies in a byte a second, then alone again. Reports the server's peak RSS, the
 * valid deliveries' p50/p99 and their success share. `--flood` is the cheap reproduction: N concurrent 60 MB POSTs
 * once.
 */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { spawnNode, stopChild } from '../support/child-process.js'
import { rawPost } from '../support/raw-http.js'
import { forgedSignature, validDelivery } from './attack-payloads.js'
import type { Section } from './report.js'

const SIXTY_MB = Buffer.alloc(60 * 1024 * 1024, 0x20)
const PATH = '/webhooks/retab'

interface Server { child: ChildProcess, port: number, url: string }

async function startServer (plugin: string | undefined): Promise<Server> {
  const script = fileURLToPath(new URL('./attack-server.js', import.meta.url))
  const child = spawnNode(script, plugin === undefined ? [] : [plugin])
  const [message] = await once(child, 'message') as [{ port: number }]
  return { child, port: message.port, url: `http://127.0.0.1:${message.port}${PATH}` }
}

async function stopServer (server: Server): Promise<void> {
  await stopChild(server.child)
}

/** The process's resident memory now and at its peak (VmRSS, VmHWM), MiB. */
function memory (pid: number): { rss: number, peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)![1])
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 }
}

/** One bogus upload: the whole 60 MB offered at once; resolves with the status (0: the connection died first). */
export async function bogus (port: number, signed: boolean): Promise<number> {
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': SIXTY_MB.length
  }
  if (signed) headers['retab-signature'] = forgedSignature()
  const request = await rawPost(port, PATH, headers)
  request.socket.write(SIXTY_MB, () => {})
  return (await request.answer).status
}

/** The cheap reproduction: `count` concurrent 60 MB bodies, signed (forged) or not; the server's peak RSS. */
export async function runFlood (options: {
  plugin?: string
  count: number
  signed: boolean
}): Promise<Record<string, unknown>> {
  const server = await startServer(options.plugin)
  const before = memory(server.child.pid!)
  const statuses: Record<string, number> = {}
  await Promise.all(Array.from({ length: options.count }, async () => {
    const status = await bogus(server.port, options.signed)
    statuses[status] = (statuses[status] ?? 0) + 1
  }))
  const after = memory(server.child.pid!)
  await stopServer(server)
  return {
    plugin: options.plugin ?? 'this package',
    bodies: options.count,
    signed: options.signed,
    rssBeforeMiB: Math.round(before.rss),
    peakRssMiB: Math.round(after.peak),
    growthMiB: Math.round(after.peak - before.rss),
    statuses
  }
}

interface Valid { firstStatus: number, firstMs: number, acceptedMs: number, attempts: number, accepted: boolean }

/** A sender: retries what is not 2xx (or a dropped connection) after a short wait, up to 100 times. */
async function deliverValid (url: string, n: number): Promise<Valid> {
  const started = performance.now()
  const result: Valid = { firstStatus: 0, firstMs: 0, acceptedMs: 0, attempts: 0, accepted: false }
  for (let attempt = 0; attempt < 100 && !result.accepted; attempt++) {
    const { headers, body } = validDelivery(n)
    const t0 = performance.now()
    let status = 0
    try {
      const res = await fetch(url, { method: 'POST', headers, body })
      await res.arrayBuffer()
      status = res.status
    } catch {}
    if (attempt === 0) Object.assign(result, { firstStatus: status, firstMs: performance.now() - t0 })
    result.attempts++
    if (status >= 200 && status < 300) {
      Object.assign(result, { accepted: true, acceptedMs: performance.now() - started })
    } else await sleep(100)
  }
  return result
}

/** Valid deliveries started at `rate` per second for `seconds` (an open loop: a slow answer does not slow the rate). */
async function steadyFlow (url: string, rate: number, seconds: number, first: number): Promise<Valid[]> {
  const pending: Array<Promise<Valid>> = []
  const started = performance.now()
  for (let i = 0; performance.now() - started < seconds * 1000; i++) {
    pending.push(deliverValid(url, first + i))
    const due = started + ((i + 1) * 1000) / rate
    await sleep(Math.max(0, due - performance.now()))
  }
  return await Promise.all(pending)
}

function percentile (values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100
}

function summary (results: Valid[]): Record<string, number> {
  const accepted = results.filter(r => r.accepted)
  return {
    sent: results.length,
    acceptedEventually: accepted.length,
    acceptedFirstTry: results.filter(r => r.firstStatus >= 200 && r.firstStatus < 300).length,
    successShareFirstTry:
      Math.round((results.filter(r => r.firstStatus < 300 && r.firstStatus >= 200).length / results.length) * 10000) /
      10000,
    p50Ms: percentile(
      accepted.map(r => r.acceptedMs),
      50
    ),
    p99Ms: percentile(
      accepted.map(r => r.acceptedMs),
      99
    ),
    firstTryP50Ms: percentile(
      results.map(r => r.firstMs),
      50
    ),
    firstTryP99Ms: percentile(
      results.map(r => r.firstMs),
      99
    ),
    retries: results.reduce((sum, r) => sum + r.attempts - 1, 0)
  }
}

export interface AttackOptions {
  plugin?: string
  rate: number
  quietSeconds: number
  attackSeconds: number
  bogus: number
  trickle: number
  /** no forged signatures: every attacker sends none */ unsigned?: boolean
}

export async function runAttack (o: AttackOptions): Promise<Record<string, unknown>> {
  const server = await startServer(o.plugin)
  const pid = server.child.pid!
  let peakSampled = 0
  const sampler = setInterval(() => { peakSampled = Math.max(peakSampled, memory(pid).rss) }, 50)
  const idle = memory(pid)

  const quiet = summary(await steadyFlow(server.url, o.rate, o.quietSeconds, 0))
  const quietPeak = memory(pid).peak

  // The attackers run in a process of their own, so that the valid sender's clock is not theirs.
  const load = fileURLToPath(new URL('./attack-load.js', import.meta.url))
  const attackers = spawnNode(load, [
    String(server.port),
    String(o.bogus),
    String(o.trickle),
    o.unsigned === true ? 'unsigned' : 'forged'
  ])
  await sleep(1000) // let the attack build up before measuring
  server.child.send('reset')
  const underAttack = summary(await steadyFlow(server.url, o.rate, o.attackSeconds, 1_000_000))
  attackers.send('stop')
  const [{ bogusAnswers, trickle }] = (await once(attackers, 'message')) as [
    { bogusAnswers: Record<string, number>; trickle: Record<string, unknown> }
  ]
  clearInterval(sampler)
  const end = memory(pid)
  server.child.send('handled')
  const [{ handled, eventLoopDelayMs, gc, closes }] = await once(server.child, 'message') as [
    { handled: number, eventLoopDelayMs: unknown, gc: unknown, closes: unknown }
  ]
  await sleep(1000) // let the attackers' last connections close
  const quietAfter = summary(await steadyFlow(server.url, o.rate, o.quietSeconds, 2_000_000))
  await stopServer(server)
  // A neighbour's burst in one quiet run inflates its figures, and with them flatters the ratios: the lower of the
  // two is the server's own.
  const quietest = (figure: 'p50Ms' | 'p99Ms'): number => Math.min(quiet[figure]!, quietAfter[figure]!)
  return {
    plugin: o.plugin ?? 'this package',
    options: o,
    idleRssMiB: Math.round(idle.rss),
    quietPeakRssMiB: Math.round(quietPeak),
    peakRssMiB: Math.round(Math.max(end.peak, peakSampled)),
    quiet,
    underAttack,
    quietAfter,
    p99RatioAttackToQuiet: Math.round((underAttack.p99Ms! / quietest('p99Ms')) * 100) / 100,
    p50RatioAttackToQuiet: Math.round((underAttack.p50Ms! / quietest('p50Ms')) * 100) / 100,
    bogusAnswers,
    trickle,
    validHandledByServer: handled,
    // The server's own event loop, garbage collection and socket closes under attack: where a valid delivery's wait
    // comes from.
    serverUnderAttack: { eventLoopDelayMs, gc, closes }
  }
}

/**
 * Section 10 of `npm run bench`: the attack run, shorter (10 s quiet, 30 s attacked, 10 s quiet again; `--quick`: 3,
 * 8 and 3), the valid deliveries' p50 and p99 quiet and attacked, and the server's own event-loop delay, GC and
 * socket closes while attacked.
 */
export async function attackSection (quick: boolean): Promise<Section> {
  const report = await runAttack({
    rate: 100,
    quietSeconds: quick ? 3 : 10,
    attackSeconds: quick ? 8 : 30,
    bogus: 200,
    trickle: 200
  })
  const quiet = report.quiet as { p50Ms: number, p99Ms: number }
  const quietAfter = report.quietAfter as { p50Ms: number, p99Ms: number }
  const attacked = report.underAttack as { p50Ms: number, p99Ms: number, successShareFirstTry: number }
  const server = report.serverUnderAttack as {
    eventLoopDelayMs: { p99: number, max: number }
    gc: { count: number, ms: number, longestMs: number, msByKind: Record<string, number> }
    closes: { count: number, ms: number, longestMs: number }
  }
  const rows = [
    {
      figure: 'valid deliveries p50 / p99, quiet before and after the attack',
      value: `${quiet.p50Ms} / ${quiet.p99Ms} ms; ${quietAfter.p50Ms} / ${quietAfter.p99Ms} ms`
    },
    { figure: 'valid deliveries p50 / p99, attacked', value: `${attacked.p50Ms} / ${attacked.p99Ms} ms` },
    { figure: 'accepted at the first try, attacked', value: `${(attacked.successShareFirstTry * 100).toFixed(1)}%` },
    { figure: 'server peak RSS', value: `${String(report.peakRssMiB)} MiB` },
    {
      figure: "server's event-loop delay while attacked, p99 / max",
      value: `${server.eventLoopDelayMs.p99} / ${server.eventLoopDelayMs.max} ms`
    },
    {
      figure: "server's garbage collection while attacked: pauses, total, longest; ms by kind",
      value: `${server.gc.count}, ${server.gc.ms} ms, ${server.gc.longestMs} ms; ` +
        Object.entries(server.gc.msByKind).map(([kind, ms]) => `${kind} ${ms}`).join(', ')
    },
    {
      figure: "server's socket closes while attacked (the close call itself): count, total, longest",
      value: `${server.closes.count}, ${server.closes.ms} ms, ${server.closes.longestMs} ms`
    }
  ]
  return {
    title: '10. Valid deliveries under attack',
    note:
      'A Retab receiver (requestTimeout 30 s, headersTimeout 10 s) takes 100 valid deliveries a second, first alone, ' +
      'then while another process keeps 200 connections sending 60 MB bodies (half unsigned, half with a forged ' +
      'signature) and 200 trickling a byte a second, then alone again; everything shares the 2 cores. ' +
      '`npm run soak -- --attack` is the longer run.',
    rows,
    targets: [{
      target: 'valid deliveries p99 under attack ≤3x the quiet run (the lower of the two quiet p99s)',
      value: report.p99RatioAttackToQuiet as number,
      goal: 3,
      higherIsBetter: false
    }]
  }
}
