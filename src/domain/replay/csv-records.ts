import { err, ok, type Result } from '../shared/result.js';
import type { ReplayInputError } from './replay-input-error.js';

/** One CSV record: its cells and the line of the file it starts on (1-based). */
export interface CsvRecord {
  readonly line: number;
  readonly cells: readonly string[];
}

/**
 * RFC 4180 records (quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF).
 * Blank lines are skipped. A quote left open is an error naming the line it opened on.
 */
export function csvRecords(text: string): Result<CsvRecord[], ReplayInputError> {
  const records: CsvRecord[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a spreadsheet's byte-order mark
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let touched = false;
  const endRecord = () => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell !== '') records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    touched = false;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"') {
        if (body[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (cell !== '') return err({ code: 'REPLAY_BAD_CSV', line, message: `line ${line}: a quote inside an unquoted field (quote the whole field and double its quotes)` });
        quoted = true;
        touched = true;
        quoteLine = line;
        break;
      case ',':
        cells.push(cell);
        cell = '';
        touched = true;
        break;
      case '\r':
        break;
      case '\n':
        endRecord();
        line++;
        recordLine = line;
        break;
      default:
        cell += c;
    }
  }
  if (quoted) return err({ code: 'REPLAY_BAD_CSV', line: quoteLine, message: `line ${quoteLine}: a quoted field is never closed` });
  endRecord();
  return ok(records);
}
