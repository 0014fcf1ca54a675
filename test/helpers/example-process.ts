/**
 * Runs examples/<name>.ts as its own process under tap's TypeScript loader (so its coverage counts) and
 * reads its JSON log lines, for tests that drive an example the way a user starts it.
 */
import type { ChildProcess } from 'node:child_process'
import { spawnChild } from '../../support/child-process.js'

export type LogLine = Record<string, unknown> & { msg: string }

export interface ExampleProcess {
  child: ChildProcess
  lines: LogLine[]
  /** resolves with the first log line, seen or to come, that matches */
  waitFor (match: (line: LogLine) => boolean): Promise<LogLine>
}

export function runExample (name: string, env: Record<string, string>): ExampleProcess {
  const child = spawnChild(process.execPath, [...process.execArgv, `examples/${name}.ts`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const lines: LogLine[] = []
  const waiting: Array<{ match: (line: LogLine) => boolean, resolve: (line: LogLine) => void }> = []
  let buffered = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    const complete = buffered.split('\n')
    buffered = complete.pop()!
    for (const text of complete) {
      const line = JSON.parse(text) as LogLine
      lines.push(line)
      for (const w of waiting.filter(w => w.match(line))) { waiting.splice(waiting.indexOf(w), 1); w.resolve(line) }
    }
  })
  return {
    child,
    lines,
    waitFor: async match => lines.find(match) ?? await new Promise(resolve => waiting.push({ match, resolve }))
  }
}
