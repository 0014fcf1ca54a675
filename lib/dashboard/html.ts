/**
 * HTML made by a tagged template that escapes every value it is given: `html\`<td>${event.type}</td>\``. Only
 * another `html` result goes in as it is, so a value from a payload can never become markup.
 */

/** Markup: made only by `html`, so its text is safe to send as it is. */
export class Html {
  readonly #text: string
  constructor (text: string) {
    this.#text = text
  }

  toString (): string {
    return this.#text
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for an element or a quoted attribute value. */
export function escape (text: string): string {
  return text.replace(/[&<>"']/g, c => ENTITIES[c]!)
}

/** A value's markup: `Html` as it is, a list item by item, nothing for null, undefined and false, else its text. */
function render (value: unknown): string {
  if (value instanceof Html) return value.toString()
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escape(String(value))
}

export function html (strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0]!
  for (let i = 0; i < values.length; i++) text += render(values[i]) + strings[i + 1]!
  return new Html(text)
}
