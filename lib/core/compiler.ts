/**
 * TypeBox's compiler, loaded when a provider is first compiled (at registration), not when a provider is imported:
 * it is about half of TypeBox's modules.
 */
type Compiler = typeof import('typebox/compile')

let loaded: Compiler | undefined

export async function loadCompiler (): Promise<Compiler> {
  loaded ??= await import('typebox/compile')
  return loaded
}

/**
 * The compiler, for code that runs only on a provider `loadCompiler` compiled (a provider's `extend`, which
 * `receive` calls with a compiled provider), and so cannot run before it is loaded.
 */
export function compiler (): Compiler {
  return loaded!
}
