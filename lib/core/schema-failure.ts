/**
 * Why a payload fails its schema, said as the rule it breaks: the property that is missing, the values
 * or the type allowed. The words come from the keyword and the schema's own parameters, never from the
 * payload, so the 400 and the log line may carry them: no value sent appears, nor a property name the
 * schema does not list (a record's keys read `*` in the path). No Fastify here.
 */
import type { TLocalizedValidationError as SchemaError } from 'typebox/error'

export interface SchemaFailure {
  /** JSON pointer of the failing value; '/' for the whole payload */
  path: string
  /** the rule it breaks: `must be "completed"`, `must have property "job_id"` */
  reason: string
}

/** For a value that failed `validator.Check` (so there is at least one error). */
export function schemaFailure (validator: { Errors (value: unknown): SchemaError[] }, value: unknown): SchemaFailure {
  const errors = validator.Errors(value)
  return describe(errors, errors[0]!)
}

function describe (errors: SchemaError[], error: SchemaError): SchemaFailure {
  const union = outermostUnion(errors, error)
  if (union !== undefined) {
    const branches = errors.filter(e => e !== union && within(e, union))
    // A branch of the right kind that failed further in says more than "none of the branches".
    const deeper = branches.find(e => e.instancePath !== union.instancePath)
    if (deeper !== undefined) return describe(errors, deeper)
    const allowed = alternatives(branches)
    if (allowed !== undefined) return { path: publicPath(error).path, reason: `must be ${orList(allowed)}` }
  }
  return reasonOf(error)
}

/**
 * The widest `anyOf`/`oneOf` at the error's own path that the error is a branch of (Nullable(Literals(...)) nests two).
 */
function outermostUnion (errors: SchemaError[], error: SchemaError): SchemaError | undefined {
  let found: SchemaError | undefined
  for (const e of errors) {
    if ((e.keyword === 'anyOf' || e.keyword === 'oneOf') && e.instancePath === error.instancePath && within(error, e)) {
      if (found === undefined || e.schemaPath.length < found.schemaPath.length) found = e
    }
  }
  return found
}

function within (error: SchemaError, union: SchemaError): boolean {
  return error.schemaPath.startsWith(`${union.schemaPath}/${union.keyword}/`)
}

/** What the branches of a union allow, when each is a constant, an enum or a type; undefined otherwise. */
function alternatives (branches: SchemaError[]): string[] | undefined {
  const allowed = new Set<string>()
  for (const branch of branches) {
    if (branch.keyword === 'const') allowed.add(JSON.stringify(branch.params.allowedValue))
    else if (branch.keyword === 'enum') {
      for (const value of branch.params.allowedValues) allowed.add(JSON.stringify(value))
    } else if (branch.keyword === 'type') {
      for (const type of typesOf(branch.params.type)) allowed.add(type)
    } else if (branch.keyword !== 'anyOf' && branch.keyword !== 'oneOf') return undefined
  }
  return allowed.size === 0 ? undefined : [...allowed]
}

function reasonOf (error: SchemaError): SchemaFailure {
  const { path, ofName } = publicPath(error)
  const parent = path.slice(0, path.lastIndexOf('/')) || '/'
  // Under `propertyNames` the value checked is a name the payload chose: name its object instead.
  if (ofName) return { path: parent, reason: 'must have only the property names its schema allows' }
  switch (error.keyword) {
    case 'required': {
      const names = error.params.requiredProperties
      return {
        path,
        reason: `must have ${names.length === 1 ? 'property' : 'properties'} ` +
          `${names.map(name => JSON.stringify(name)).join(', ')}`
      }
    }
    case 'type':
      return { path, reason: `must be ${orList(typesOf(error.params.type))}` }
    case 'const':
      return { path, reason: `must be ${JSON.stringify(error.params.allowedValue)}` }
    case 'enum':
      return { path, reason: `must be ${orList(error.params.allowedValues.map(value => JSON.stringify(value)))}` }
    // These carry the payload's own property names in their parameters (and in TypeBox's message).
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return { path, reason: 'must have only the properties its schema lists' }
    case 'propertyNames': return { path, reason: 'must have only the property names its schema allows' }
    case 'boolean':
      // `additionalProperties: false` fails at the extra property itself: name its object instead.
      return /\/(additional|unevaluated)Properties$/.test(error.schemaPath)
        ? { path: parent, reason: 'must have only the properties its schema lists' }
        : { path, reason: 'is not allowed by its schema' }
    // The others' messages are made of the schema's parameters alone (a limit, a format, a pattern).
    default: return { path, reason: error.message }
  }
}

/**
 * The error's JSON pointer with `*` for each property name the payload chose (under `additionalProperties`,
 * `patternProperties`, `propertyNames`: a record's keys), found by walking the schema path beside it.
 */
function publicPath (error: SchemaError): {
  path: string
  /** the error is about a property's name, not its value */ ofName: boolean
} {
  const schema = error.schemaPath.split('/').slice(1)
  const instance = error.instancePath.split('/').slice(1)
  let at = 0
  let ofName = false
  for (let i = 0; i < schema.length && at < instance.length; i++) {
    switch (schema[i]) {
      case 'properties': case 'prefixItems': i++; at++; break
      case 'items': case 'contains': case 'unevaluatedItems': at++; break
      case 'patternProperties': i++; instance[at++] = '*'; break
      case 'propertyNames': ofName = true; instance[at++] = '*'; break
      case 'additionalProperties': case 'unevaluatedProperties': instance[at++] = '*'; break
      // anyOf/allOf/oneOf and their index, not, if/then/else: the same value, one step down the schema
    }
  }
  return { path: `/${instance.join('/')}`, ofName }
}

function typesOf (type: string | string[]): string[] {
  return (typeof type === 'string' ? [type] : type).map(name =>
    name === 'null' ? 'null' : `${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`
  )
}

/** `a`, `a or b`, `a, b or c` */
function orList (items: string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} or ${items.at(-1)!}`
}
