import Type, { type TLiteral, type TNull, type TSchema, type TUnion } from 'typebox'

/** `T | null`. */
export function Nullable<T extends TSchema> (schema: T): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()])
}

/** A union of string literals: `Literals('a', 'b')` is `'a' | 'b'`, and narrows in a `switch`. */
export function Literals<const T extends readonly [string, ...string[]]> (
  ...values: T
): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(values.map(value => Type.Literal(value))) as never
}
