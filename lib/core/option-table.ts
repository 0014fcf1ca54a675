/**
 * One table of options per surface (the plugin, the worker, replay, the kit): each option's name with its
 * checker. The table refuses names it does not know, lists the known ones (the type tests hold the public
 * option types to them), and words every complaint the same way: `option "name" must be ...`.
 */

/** Throws, with the surface's name in front of the message. */
export type Fail = (message: string) => never

/**
 * What is wrong with one option's value, worded to follow `option "name" ` ("must be a boolean"); undefined
 * when nothing is. It is called for an option not given too (with undefined), so a required one can say so.
 */
export type Checker = (value: unknown) => string | undefined

export interface OptionTable<Name extends string> {
  /** the option names, in the table's order */
  readonly names: readonly Name[]
  /**
   * Refuses a name that is neither the table's nor one of `extra` (`unknown option "name"`), then runs the
   * checkers in the table's order: the first complaint fails.
   */
  check (options: object, fail: Fail, extra?: readonly string[]): void
}

/** `prefix` names a nested object's options in messages: "queue." for `option "queue.timeout"`. */
export function optionTable<const T extends Record<string, Checker>> (
  table: T,
  prefix = ''
): OptionTable<keyof T & string> {
  const names = Object.keys(table) as Array<keyof T & string>
  const known = new Set<string>(names)
  const checkers = Object.entries(table)
  return {
    names,
    check (options, fail, extra = []) {
      for (const name of Object.keys(options)) {
        if (!known.has(name) && !extra.includes(name)) fail(`unknown option "${prefix}${name}"`)
      }
      for (const [name, checker] of checkers) {
        const complaint = checker((options as Record<string, unknown>)[name])
        if (complaint !== undefined) fail(`option "${prefix}${name}" ${complaint}`)
      }
    }
  }
}

/** A known option whose value is checked where it is resolved (with the options it depends on), or not at all. */
export const elsewhere: Checker = () => undefined

/** An option that `test` must hold for, given or not: else the complaint. */
export function rule (test: (value: unknown) => boolean, complaint: string): Checker {
  return value => test(value) ? undefined : complaint
}

/** An option that may be left out; when given, `test` must hold, or it "must be <what>". */
export function optional (test: (value: unknown) => boolean, what: string): Checker {
  return rule(value => value === undefined || test(value), `must be ${what}`)
}

/** The first complaint of several checkers of one option. */
export function both (first: Checker, second: Checker): Checker {
  return value => first(value) ?? second(value)
}

/** An object, not null. */
export function isObject (value: unknown): boolean {
  return typeof value === 'object' && value !== null
}

export function isBoolean (value: unknown): boolean {
  return typeof value === 'boolean'
}

export function isFunction (value: unknown): boolean {
  return typeof value === 'function'
}

/** A finite number above zero. */
export function isPositive (value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
}
