/**
 * EC2 XML: one element per member, lists as `<item>` children, no pretty-printing, optional
 * members left out. Values are plain JS: strings, numbers, booleans, Dates, arrays and objects.
 */
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

// Carriage returns and other control characters go out as character references: a raw `\r`
// would be read back as `\n`, and the rest may not appear raw in XML at all.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b-\u001f]/g

export const escapeXml = (text: string) =>
  text.replace(NEEDS_ESCAPE, (ch) => ESCAPES[ch] ?? `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`)

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

/** Timestamps as AWS prints them: UTC with milliseconds. */
export const formatTime = (date: Date) => date.toISOString()

export function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`
    return `<${name}>${value.map((item) => element('item', item)).join('')}</${name}>`
  }
  if (value instanceof Date) return `<${name}>${formatTime(value)}</${name}>`
  if (typeof value === 'object') {
    let inner = ''
    for (const [key, child] of Object.entries(value)) inner += element(key, child)
    return `<${name}>${inner}</${name}>`
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`
}

export function document(root: string, attributes: string, body: Record<string, unknown>): string {
  let inner = ''
  for (const [key, child] of Object.entries(body)) inner += element(key, child)
  return `${XML_DECLARATION}<${root}${attributes}>${inner}</${root}>`
}
