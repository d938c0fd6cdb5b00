import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv.js';

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, doubles quotes, ends lines in CRLF', () => {
    expect(csvLine(['a', 'b,c', 'say "hi"', 'two\nlines', undefined, 3, true])).toBe('a,"b,c","say ""hi""","two\nlines",,3,true\r\n');
  });

  it('keeps negative decimals as they are and defuses text a spreadsheet would run as a formula', () => {
    expect(csvCell('-4.5')).toBe('-4.5');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1+2')).toBe("'+1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
