/**
 * The shipped schemas as plain JSON Schema modules (schemas/plain/): a provider imports those, so that importing it
 * does not load TypeBox's builder, most of an import's time. The TypeBox files in schemas/ stay the source and
 * give the types; `npm run schemas` writes the plain modules from them, and test/plain-schemas.test.ts fails when
 * one differs from its source.
 */
import { readdir } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const SOURCES = fileURLToPath(new URL('../schemas/', import.meta.url))
export const PLAIN = fileURLToPath(new URL('../schemas/plain/', import.meta.url))

/** The source files: every schemas/<provider>.ts but the shared helpers. */
export async function schemaSources (): Promise<string[]> {
  const files = await readdir(SOURCES)
  return files.filter(file => file.endsWith('.ts') && file !== 'common.ts').sort()
}

/**
 * The text of schemas/plain/<file>: each `…Events` export of the source (and an `…Envelope`, a schema a provider's
 * own helper completes), as a literal of the same type.
 */
export async function plainModule (file: string): Promise<string> {
  const source = await import(pathToFileURL(SOURCES + file).href) as Record<string, unknown>
  const names = Object.keys(source).filter(name => name.endsWith('Events') || name.endsWith('Envelope')).sort()
  if (names.length === 0) throw new Error(`schemas/${file} exports no …Events`)
  const module = `../${file.replace(/\.ts$/, '.js')}`
  const lines = [
    `// Written by \`npm run schemas\` from schemas/${file}: edit that file, not this one.`,
    `import type * as source from '${module}'`,
    ''
  ]
  for (const name of names) {
    const literal = name.endsWith('Envelope')
      ? JSON.stringify(source[name])
      // One line per event type, so that a change to one schema is a one-line diff.
      : ['{', Object.entries(source[name] as object)
          .map(([type, schema]) => `  ${JSON.stringify(type)}: ${JSON.stringify(schema)}`).join(',\n'), '}'].join('\n')
    lines.push(`export const ${name} = ${literal} as unknown as typeof source.${name}`, '')
  }
  return lines.join('\n')
}
