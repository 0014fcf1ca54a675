/**
 * What an import loads, read from the sources' static imports (type-only ones and `import()` left out, as the
 * build leaves them): the CLI's usage loads no provider, no provider loads TypeBox (its schemas are plain JSON
 * Schema, schemas/plain/) nor Fastify, and TypeBox's compiler comes with the first registration. Cold import
 * times themselves are bench/import.ts's.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import ts from 'typescript'
import { providers } from '../plugins/registry.js'
import { shipped } from '../bin/shipped.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The specifiers a file imports at run time: not `import type`, not an import of types only, not `import()`. */
function runtimeImports (file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  const found: string[] = []
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause
      const bindings = clause?.namedBindings
      const typesOnly = clause !== undefined && (clause.isTypeOnly || (
        clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 && bindings.elements.every(element => element.isTypeOnly)))
      if (!typesOnly) found.push((statement.moduleSpecifier as ts.StringLiteral).text)
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined && !statement.isTypeOnly) {
      found.push((statement.moduleSpecifier as ts.StringLiteral).text)
    }
  }
  return found
}

/** Every module `entry` loads: our files by their path from the root, packages by their specifier. */
function loadedBy (entry: string): Set<string> {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    const name = relative(ROOT, file)
    if (seen.has(name)) return
    seen.add(name)
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier).replace(/\.js$/, '.ts'))
      else seen.add(specifier)
    }
  }
  visit(join(ROOT, entry))
  return seen
}

t.test('the CLI loads only its own modules until a command runs: --help loads no provider', async t => {
  const loaded = [...loadedBy('bin/cli.ts')]
  t.same(loaded.filter(name => /^(plugins|schemas|lib)\//.test(name) || name.startsWith('typebox')), [])
  t.ok(loaded.includes('bin/main.ts'))
})

t.test('the CLI\'s list of shipped providers is the registry\'s', async t => {
  const specs = Object.values(providers).map(plugin => plugin.provider)
  const having = (test: (spec: typeof specs[number]) => boolean) => specs.filter(test).map(spec => spec.name)
  t.same(shipped, {
    names: Object.keys(providers),
    timed: having(spec => spec.scheme.signsTimestamp),
    keyPairs: having(spec => spec.scheme.generateKeyPair !== undefined),
    urlSigned: having(spec => spec.scheme.signsUrl === true),
    severalSignatures: having(spec => (spec.scheme.maxSignatures ?? 1) > 1)
  }, 'a provider added to plugins/registry.ts is added to bin/shipped.ts too')
})

t.test('no entry loads TypeBox or Fastify at import: the compiler comes with the first registration', async t => {
  const entries = ['plugins/index.ts', 'lib/testing/kit.ts', ...Object.keys(providers).map(n => `plugins/${n}.ts`)]
  for (const entry of entries) {
    const packages = [...loadedBy(entry)].filter(name => /^(typebox|fastify)($|\/)/.test(name))
    t.same(packages, [], entry)
  }
  t.ok(loadedBy('lib/core/compiler.ts').size === 1, 'the compiler module itself imports it only when asked')
})
