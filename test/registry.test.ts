/**
 * Every shipped provider is complete, and the package agrees with the registry: a provider that lacks
 * a part, or an export that names a provider the registry does not (or the other way round), fails here.
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { Compile } from 'typebox/compile'
import * as root from '../plugins/index.js'
import { providers } from '../plugins/registry.js'
import { examplesOf } from '../lib/testing/kit.js'
import type { ProviderSpec } from '../plugins/index.js'

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, unknown>
}
const NOT_PROVIDERS = [
  '.',
  './package.json',
  './testing',
  './redis',
  './bullmq',
  './postgres',
  './otel',
  './dashboard',
  './schemes',
  './standard-webhooks'
]

t.test('package.json exports one subpath per registered provider, and none for anything else', async t => {
  const subpaths = Object.keys(pkg.exports).filter(subpath => !NOT_PROVIDERS.includes(subpath))
  t.same(subpaths.sort(), Object.keys(providers).map(name => `./${name}`).sort())
  for (const name of Object.keys(providers)) {
    t.same(
      pkg.exports[`./${name}`],
      { types: `./dist/plugins/${name}.d.ts`, default: `./dist/plugins/${name}.js` },
      name
    )
  }
})

for (const [name, plugin] of Object.entries(providers)) {
  t.test(`${name}: a complete provider`, async t => {
    const spec: ProviderSpec = plugin.provider
    t.equal(spec.name, name, 'registered under its own name')
    const module = await import(`../plugins/${name}.js`) as Record<string, unknown>
    t.equal(module[name], plugin, 'its module exports it by name')
    t.equal(module.default, plugin, 'and as the default export')
    t.equal((root as Record<string, unknown>)[name], plugin, 'the root export has it')
    t.ok(spec.title !== undefined && spec.title.length > 0, 'a title for people')
    t.ok(Object.keys(spec.events).length > 0, 'event schemas')
    for (const [type, example] of Object.entries(examplesOf(spec))) {
      t.ok(Compile(spec.events[type]!).Check(example), `${type}: its schema has an example that passes it`)
      // A type sent in a header (GitHub's X-GitHub-Event) comes as the sender tools send it.
      const headers = spec.senderHeaders?.({ type, id: 'delivery' }) ?? {}
      t.equal(spec.typeOf(example, { headers, signedId: undefined }), type, `${type}: typeOf reads the example's type`)
    }
    t.ok(
      spec.sample !== undefined && Object.hasOwn(spec.events, spec.sample.type),
      'a typical sample type, one of its events'
    )
    const sample = examplesOf(spec)[spec.sample!.type] as Record<string, unknown>
    const fresh = spec.sample!.fresh
    const idOf = (payload: unknown) =>
      spec.idOf?.(payload, { headers: {}, signedId: 'signed' }) ?? JSON.stringify(payload)
    if (fresh !== undefined) {
      t.not(idOf(fresh(sample)), idOf(sample), 'fresh makes a new event')
      t.ok(Compile(spec.events[spec.sample!.type]!).Check(fresh(sample)), 'that still passes its schema')
    } else {
      // The kit and `send` give each delivery a new id: the signed one, or one in a header they send.
      t.ok(
        spec.scheme.signsTimestamp || spec.senderHeaders !== undefined,
        'without fresh, the event id is the signed id or a sent header'
      )
    }
  })
}
