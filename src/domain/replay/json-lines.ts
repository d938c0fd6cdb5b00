/**
 * The line (1-based) on which each element of a top-level JSON array starts, so a bad element can be
 * named by its line. `text` must already parse as JSON; strings and nesting are skipped over.
 */
export function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectElement && c !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return lines;
}

/**
 * Where a JSON array that does not parse goes wrong: the line of its first element that does not
 * parse on its own, else (a bracket or comma missing between elements) the last line.
 */
export function badJsonLine(text: string): number {
  let line = 1;
  let depth = 0;
  let inString = false;
  let start = -1;
  let startLine = 1;
  const bad = (end: number) => {
    if (start < 0) return false;
    const element = text.slice(start, end).trim();
    start = -1;
    if (element === '') return false;
    try {
      JSON.parse(element);
      return false;
    } catch {
      return true;
    }
  };
  let needComma = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      else if (c === '\n') line++;
      continue;
    }
    if (c === '\n') line++;
    if (depth === 1 && start < 0 && !/[\s,\]]/.test(c)) {
      if (needComma) return line; // two elements with no comma between them
      start = i;
      startLine = line;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 1) {
        if (bad(i + 1)) return startLine;
        needComma = true;
      } else if (depth === 0 && bad(i)) return startLine;
    } else if (c === ',' && depth === 1) {
      if (bad(i)) return startLine;
      needComma = false;
    }
  }
  if (bad(text.length)) return startLine;
  return line;
}
