// HTML built from a tagged template that escapes every interpolated value: report text comes from
// the cluster (observations, error messages, versions), so nothing reaches the page unescaped
// unless it is a fragment this module built itself (Html).

/** A fragment of markup this module produced: interpolated as is. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Value = Html | string | number | null | undefined | false | ReadonlyArray<Value>;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute value (both quote kinds escaped). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

function render(value: Value): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** `html\`<td>${text}</td>\``: strings and numbers are escaped, Html fragments and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let markup = strings[0]!;
  values.forEach((value, index) => (markup += render(value) + strings[index + 1]!));
  return new Html(markup);
}
