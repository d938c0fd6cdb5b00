/** RFC 4180 CSV: fields with a comma, quote, CR or LF are quoted and their quotes doubled; lines end in CRLF. */

const NEEDS_QUOTES = /[",\r\n]/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
/** a cell a spreadsheet would run as a formula */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell. Text (never a plain decimal) that a spreadsheet would take for a formula (it starts
 * with = + - @, a tab or CR: an alert's text is the sender's) is prefixed with a quote mark.
 */
export function csvCell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text) && !DECIMAL.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | boolean | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
