/**
 * Safe readers of a parsed, not yet validated payload: a signed body may be any JSON value (null, an
 * array, a number), so a provider's `typeOf` and `idOf` read fields through these and never throw.
 */

/** `value[key]` when `value` is a JSON object (or array) that has `key` itself; otherwise undefined. */
export function field (value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined
}

/** `value[key]` when it is a string; otherwise undefined. */
export function stringField (value: unknown, key: string): string | undefined {
  const found = field(value, key)
  return typeof found === 'string' ? found : undefined
}

/** The value at a path of keys (`stringAt(payload, 'completion', 'id')`) when it is a string; otherwise undefined. */
export function stringAt (value: unknown, ...path: [...string[], string]): string | undefined {
  let current = value
  for (const key of path.slice(0, -1)) current = field(current, key)
  return stringField(current, path.at(-1)!)
}
