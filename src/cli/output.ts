import Table from 'cli-table3'

export type OutputFormat = 'table' | 'json'

/** Prints rows as a plain table for people, or the raw objects as JSON for scripts. */
export function printRows(
  format: OutputFormat,
  raw: unknown,
  columns: readonly string[],
  rows: readonly (readonly (string | undefined)[])[],
) {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(raw, null, 2)}\n`)
    return
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n')
    return
  }
  // Plain style: cli-table3 colours headers and borders even when stdout is not a terminal.
  const table = new Table({ head: [...columns], style: { head: [], border: [] } })
  for (const row of rows) table.push(row.map((cell) => cell ?? '-'))
  process.stdout.write(`${table.toString()}\n`)
}

/** A single record as two columns, field and value. */
export function printRecord(
  format: OutputFormat,
  raw: unknown,
  fields: readonly (readonly [string, string | undefined])[],
) {
  printRows(format, raw, ['Field', 'Value'], fields)
}

export const nameTag = (resource: { tagSet?: { key: string; value: string }[] }) =>
  resource.tagSet?.find((t) => t.key === 'Name')?.value
