/** Small measuring tools: batches timed with hrtime, contenders interleaved, medians and spreads. */

export interface Stat {
  /** median of the rounds */
  median: number
  min: number
  max: number
  rounds: number[]
}

export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export function stat (rounds: number[]): Stat {
  return { median: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), rounds }
}

/** The value at quantile q (0..1) of sorted values, nearest rank. */
export function quantile (sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/** Spread of a stat as ±% of its median: half the min-max range. */
export function spread (s: Stat): string {
  return `±${((s.max - s.min) / 2 / s.median * 100).toFixed(1)}%`
}

/** Keeps results alive so the optimiser cannot drop the work being measured. */
let sink: unknown
export function sunk (): unknown {
  return sink
}

function timeBatch (fn: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < iterations; i++) sink = fn()
  return Number(process.hrtime.bigint() - start)
}

/**
 * Nanoseconds per call of each contender: calibrated to batches of about `batchMs`, then `rounds` batches each,
 * contenders interleaved within a round (order rotated) so drift on a shared machine hits all alike.
 */
export function compareSync (
  contenders: Record<string, () => unknown>,
  options: { rounds: number; batchMs: number }
): Record<string, Stat> {
  const names = Object.keys(contenders)
  const iterations: Record<string, number> = {}
  for (const name of names) {
    const fn = contenders[name]!
    let n = 1
    // Warm up and calibrate: double until a batch takes a tenth of the target, then scale.
    for (;;) {
      const ns = timeBatch(fn, n)
      if (ns > options.batchMs * 1e5 || n > 1e8) {
        iterations[name] = Math.max(1, Math.round(n * options.batchMs * 1e6 / ns))
        break
      }
      n *= 2
    }
    timeBatch(fn, iterations[name]!)
  }
  const perRound: Record<string, number[]> = Object.fromEntries(names.map(n => [n, []]))
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]!
      perRound[name]!.push(timeBatch(contenders[name]!, iterations[name]!) / iterations[name]!)
    }
  }
  return Object.fromEntries(names.map(n => [n, stat(perRound[n]!)]))
}

/** The same for async work (one request at a time): milliseconds per call. */
export async function compareAsync (
  contenders: Record<string, () => Promise<unknown>>,
  options: { rounds: number; batchMs: number }
): Promise<Record<string, Stat>> {
  const names = Object.keys(contenders)
  const iterations: Record<string, number> = {}
  async function batch (fn: () => Promise<unknown>, n: number): Promise<number> {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) sink = await fn()
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  for (const name of names) {
    const fn = contenders[name]!
    // Warm up and calibrate as compareSync does: a count from a few cold calls would make a fast call's batch tiny.
    let n = 1
    for (;;) {
      const ms = await batch(fn, n)
      if (ms > options.batchMs / 10 || n > 1e7) {
        iterations[name] = Math.max(2, Math.round(n * options.batchMs / ms))
        break
      }
      n *= 2
    }
    await batch(fn, iterations[name]!)
  }
  const perRound: Record<string, number[]> = Object.fromEntries(names.map(n => [n, []]))
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]!
      perRound[name]!.push(await batch(contenders[name]!, iterations[name]!) / iterations[name]!)
    }
  }
  return Object.fromEntries(names.map(n => [n, stat(perRound[n]!)]))
}

/** A plain text table, columns padded, for the terminal. */
export function textTable (rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '(no rows)'
  const columns = Object.keys(rows[0]!)
  const cells = [columns, ...rows.map(r => columns.map(c => String(r[c] ?? '')))]
  const widths = columns.map((_, i) => Math.max(...cells.map(row => row[i]!.length)))
  return cells.map((row, j) => {
    const line = row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')
    return j === 0 ? `${line}\n${widths.map(w => '-'.repeat(w)).join('  ')}` : line
  }).join('\n')
}

/** The same rows as a Markdown table. */
export function markdownTable (rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '(no rows)'
  const columns = Object.keys(rows[0]!)
  return [
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map(r => `| ${columns.map(c => String(r[c] ?? '')).join(' | ')} |`)
  ].join('\n')
}
