/**
 * The Prometheus text exposition format (version 0.0.4), read strictly: samples only (comments and
 * HELP/TYPE lines skipped), every line that is not one refused with its line number, never guessed at.
 */

export interface Sample {
  name: string
  /** a null-prototype object: a label may be called anything, `__proto__` included */
  labels: Record<string, string>
  value: number
}

export class ExpositionError extends Error {}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const TIMESTAMP = /^-?\d+$/
const ESCAPES = new Map([['n', '\n'], ['\\', '\\'], ['"', '"']])
const SPECIAL = new Map([['+Inf', Infinity], ['Inf', Infinity], ['-Inf', -Infinity], ['NaN', NaN]])

export function parseExposition (text: string): Sample[] {
  const samples: Sample[] = []
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue
    samples.push(sampleOf(line, index + 1))
  }
  return samples
}

function sampleOf (line: string, n: number): Sample {
  const fail = (why: string): never => { throw new ExpositionError(`line ${n}: ${why}`) }
  const name = METRIC_NAME.exec(line)?.[0] ?? fail('expected a metric name')
  let rest = line.slice(name.length)
  const labels: Record<string, string> = Object.create(null)
  if (rest.startsWith('{')) {
    rest = rest.slice(1)
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0] ?? fail('expected a label name or }')
      rest = rest.slice(label.length)
      if (!rest.startsWith('="')) fail(`label ${label}: expected ="`)
      rest = rest.slice(2)
      let value = ''
      while (!rest.startsWith('"')) {
        if (rest === '') fail(`label ${label}: the value has no closing quote`)
        if (rest.startsWith('\\')) {
          value += ESCAPES.get(rest.charAt(1)) ?? fail(`label ${label}: unknown escape \\${rest.charAt(1)}`)
          rest = rest.slice(2)
        } else {
          value += rest.charAt(0)
          rest = rest.slice(1)
        }
      }
      rest = rest.slice(1)
      if (Object.hasOwn(labels, label)) fail(`label ${label} given twice`)
      labels[label] = value
      if (rest.startsWith(',')) rest = rest.slice(1)
      else if (!rest.startsWith('}')) fail(`label ${label}: expected , or } after its value`)
    }
    rest = rest.slice(1)
  }
  if (!/^[ \t]/.test(rest)) fail(`${name}: expected a space, then the value`)
  const [value = '', timestamp, ...extra] = rest.trim().split(/[ \t]+/)
  if (timestamp !== undefined && !TIMESTAMP.test(timestamp)) {
    fail(`${name}: the timestamp "${timestamp}" is not an integer`)
  }
  if (extra.length > 0) fail(`${name}: unexpected "${extra.join(' ')}" after the timestamp`)
  return { name, labels, value: numberOf(value) ?? fail(`${name}: "${value}" is not a number`) }
}

function numberOf (text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text)
  return SPECIAL.get(text)
}
