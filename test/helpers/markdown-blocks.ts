/**
 * The fenced code blocks of the README and docs/, with the check each asks for, and the two rewrites between
 * what a user writes (`from 'fastify-webhooks/pulse'`) and what runs in this repository (`from '../plugins/pulse.js'`).
 */
import { readFileSync } from 'node:fs'
import { dirname, posix, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))

export interface Block {
  /** the Markdown file, from the repository's root */
  file: string
  /** the line of the opening fence, from 1 */
  line: number
  lang: string
  /** the marker comment's words (`<!-- check: same-as examples/x.ts -->` → ['same-as', 'examples/x.ts']), or [] */
  check: string[]
  code: string
}

/** Every fenced block, at any indentation, with the `<!-- check: ... -->` comment on the line before its fence. */
export function blocksOf (markdown: string, file: string): Block[] {
  const lines = markdown.split('\n')
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!)
    if (open === null) continue
    const [, indent, lang] = open as unknown as [string, string, string]
    const marker = /^\s*<!-- check: (.+?) -->\s*$/.exec(lines[i - 1] ?? '')
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length && !new RegExp(`^${indent}\`\`\`\\s*$`).test(lines[j]!); j++) {
      body.push(lines[j]!.slice(indent.length))
    }
    if (j === lines.length) throw new Error(`${file}:${i + 1}: a code block that is never closed`)
    blocks.push({
      file,
      line: i + 1,
      lang,
      check: marker === null ? [] : marker[1]!.split(/\s+/),
      code: body.join('\n') + '\n'
    })
    i = j
  }
  return blocks
}

/** The package's entry points: `fastify-webhooks/pulse` → `plugins/pulse.ts`'s path as imported, `plugins/pulse.js`. */
export const entries: ReadonlyMap<string, string> = (() => {
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
    name: string
    exports: Record<string, string | { default: string }>
  }
  const map = new Map<string, string>()
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') continue // ./package.json
    map.set(posix.join(pkg.name, subpath), target.default.replace(/^\.\/dist\//, ''))
  }
  return map
})()

const SPECIFIER = /(['"])(fastify-webhooks(?:\/[a-z-]+)?)\1/g

/** A block's code as a file in `dir` (under the repository) compiles it: package specifiers made relative. */
export function toSourceImports (code: string, dir: string): string {
  return code.replace(SPECIFIER, (whole, quote: string, specifier: string) => {
    const target = entries.get(specifier)
    if (target === undefined) return whole
    const path = relative(dir, resolve(root, target)).split('\\').join('/')
    return `${quote}${path.startsWith('.') ? path : `./${path}`}${quote}`
  })
}

/**
 * A repository file as a user writes it: its leading comment dropped, its relative imports of the package's
 * entry points written as the package's specifiers. `file` is from the repository's root.
 */
export function asUserWrites (source: string, file: string): string {
  const withoutComment = source.startsWith('/*')
    ? source.slice(source.indexOf('*/\n') + 3)
    : source.replace(/^(\/\/[^\n]*\n)+/, '')
  const byTarget = new Map([...entries].map(([specifier, target]) => [target, specifier]))
  return withoutComment.replace(/(['"])(\.\.?\/[^'"]+)\1/g, (whole, quote: string, path: string) => {
    const target = relative(root, resolve(root, dirname(file), path)).split('\\').join('/')
    const specifier = byTarget.get(target)
    return specifier === undefined ? whole : `${quote}${specifier}${quote}`
  })
}

/** Names a fragment uses but does not bind itself, among those given. */
export function unboundNames (code: string, names: readonly string[]): string[] {
  const imported = new Set<string>()
  for (const [, clause] of code.matchAll(/^import\s+(?:type\s+)?([^'"]*?)\s+from\s/gm)) {
    for (const name of clause!.replace(/[{}]/g, ',').split(',')) {
      const local = name.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)!
      if (local !== '') imported.add(local)
    }
  }
  return names.filter(name =>
    new RegExp(`(?<![.\\w'])${name}\\b`).test(code) &&
    !imported.has(name) &&
    !new RegExp(`\\b(?:const|let|var|function|class)\\s+${name}\\b`).test(code))
}

/** tsc's output: file name → its diagnostics, each the `error TSxxxx: ...` line followed by its detail lines. */
export function diagnosticsByFile (output: string): Map<string, string[][]> {
  const byFile = new Map<string, string[][]>()
  let current: string[] | undefined
  for (const line of output.split('\n')) {
    const head = /^(?:.*\/)?([^/(]+)\(\d+,\d+\): (error TS\d+: .*)$/.exec(line)
    if (head !== null) {
      const [, file, first] = head as unknown as [string, string, string]
      byFile.set(file, [...byFile.get(file) ?? [], current = [first]])
    } else if (line.startsWith(' ') && current !== undefined) {
      current.push(line.trim())
    }
  }
  return byFile
}
