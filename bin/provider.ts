import { isAbsolute, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ProviderSpec } from '../lib/core/provider.js'
import { providers } from '../plugins/registry.js'
import { UsageError } from './io.js'

/**
 * A shipped provider by name, or a provider of one's own: the path of a module whose default export
 * (or any named export) is a plugin made with `defineProvider`.
 */
export async function resolveProvider (name: string): Promise<ProviderSpec> {
  if (Object.hasOwn(providers, name)) return providers[name as keyof typeof providers].provider
  if (!looksLikePath(name)) {
    throw new UsageError(
      `unknown provider "${name}" (providers: ${Object.keys(providers).join(', ')}, or a path to a module made with ` +
      'defineProvider)'
    )
  }
  let exports: Record<string, unknown>
  try {
    exports = await import(pathToFileURL(resolve(name)).href)
  } catch (err) {
    throw new UsageError(`cannot load provider module ${name}: ${(err as Error).message}`)
  }
  const plugin = [exports.default, ...Object.values(exports)].find(isPlugin)
  if (plugin === undefined) throw new UsageError(`${name} exports no plugin made with defineProvider`)
  return plugin.provider
}

/** A path: `./x.js`, `/abs/x.js`, but also `dist/x.js` or `github.ts`, as a shell's completion writes them. */
function looksLikePath (name: string): boolean {
  return name.startsWith('.') || isAbsolute(name) || name.includes(sep) || name.includes('/') ||
    /\.[cm]?[jt]s$/.test(name)
}

function isPlugin (value: unknown): value is { provider: ProviderSpec } {
  const spec = (value as { provider?: Partial<ProviderSpec> } | null)?.provider
  return typeof value === 'function' && typeof spec?.name === 'string' && typeof spec.scheme?.verify === 'function'
}
