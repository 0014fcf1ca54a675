import { readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { markdownTable, textTable } from './measure.js'

/** One goal from the issue, and how this run did against it. */
export interface Target {
  target: string
  value: number
  goal: number
  /** true: value must be ≥ goal; false: ≤ goal */
  higherIsBetter: boolean
}

export interface Section {
  title: string
  note: string
  rows: Array<Record<string, string | number>>
  targets: Target[]
  /** extra Markdown (e.g. a section another module rendered itself) */
  markdown?: string
}

export const met = (t: Target): boolean => t.higherIsBetter ? t.value >= t.goal : t.value <= t.goal

export function machine (): Record<string, string | number> {
  const cores = cpus()
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`
  }
}

function targetRows (sections: Section[]): Array<Record<string, string | number>> {
  return sections.flatMap(s => s.targets).map(t => ({
    target: t.target,
    result: `${t.value.toFixed(2)}x`,
    goal: `${t.higherIsBetter ? '≥' : '≤'} ${t.goal}x`,
    met: met(t) ? 'yes' : 'NO'
  }))
}

export function printSection (section: Section): void {
  console.log(`\n== ${section.title} ==\n${section.note}\n`)
  console.log(textTable(section.rows))
}

export function printTargets (sections: Section[]): void {
  console.log('\n== Targets ==\n')
  console.log(textTable(targetRows(sections)))
}

/**
 * Writes results.json and results.md; the hand-kept log of optimisations (bench/optimizations.md) is appended to the
 * latter.
 */
export function writeResults (
  sections: Section[],
  options: { quick: boolean; seconds: number; json: URL; markdown: URL; optimizations: URL }
): void {
  const date = new Date().toISOString()
  const host = machine()
  writeFileSync(
    options.json,
    JSON.stringify(
      { date, mode: options.quick ? 'quick' : 'full', seconds: options.seconds, machine: host, sections },
      null,
      2
    ) + '\n'
  )

  let log = ''
  try {
    log = readFileSync(options.optimizations, 'utf8')
  } catch {
    log = '(bench/optimizations.md not found)\n'
  }
  const md = [
    '# fastify-webhooks benchmarks',
    '',
    `Run ${date} (${options.quick ? '`--quick`' : 'full'} mode, ${options.seconds.toFixed(0)} s) on ${host.cpu}, ` +
    `${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, ${host.platform}.`,
    'Ratios are the result; absolute numbers are context for this machine only. `npm run bench` regenerates this ' +
    'file (the optimisation log at the end is kept by hand in bench/optimizations.md).',
    '',
    '## Targets',
    '',
    markdownTable(targetRows(sections)),
    '',
    ...sections.flatMap(s => [`## ${s.title}`, '', s.note, '', s.markdown ?? markdownTable(s.rows), '']),
    log
  ].join('\n')
  writeFileSync(options.markdown, md)
}
