import { describe, expect, it } from 'vitest';
import { ParsedDocs } from './parsed-docs.js';

describe('ParsedDocs', () => {
  it('reuses a parse for the same key and text, parses again when the text changed', () => {
    const docs = new ParsedDocs(10);
    const a = docs.parse('k', '{"n":1}');
    expect(docs.parse('k', '{"n":1}')).toBe(a);
    const b = docs.parse('k', '{"n":2}');
    expect(b).toEqual({ n: 2 });
    expect(b).not.toBe(a);
    expect(docs.parse('other', '{"n":2}')).not.toBe(b); // the key is part of the identity
    expect(docs.size).toBe(2);
  });

  it('freezes what it returns, nested objects and arrays included', () => {
    const d = new ParsedDocs(10).parse('k', '{"a":{"b":[{"c":"1"}]},"__proto__":{"x":1}}');
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen((d.a as { b: object[] }).b[0])).toBe(true);
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype); // "__proto__" stays an own key, as JSON.parse makes it
    expect(() => ((d.a as { b: unknown[] }).b as unknown[]).push(1)).toThrow(TypeError);
  });

  it('keeps at most `max` parses, the oldest going first; 0 keeps none', () => {
    const docs = new ParsedDocs(2);
    const first = docs.parse('1', '{}');
    docs.parse('2', '{}');
    docs.parse('3', '{}');
    expect(docs.size).toBe(2);
    expect(docs.parse('1', '{}')).not.toBe(first);
    const none = new ParsedDocs(0);
    expect(none.parse('k', '[1]')).not.toBe(none.parse('k', '[1]'));
    expect(none.size).toBe(0);
  });

  it('a text that is not JSON throws and keeps nothing', () => {
    const docs = new ParsedDocs(2);
    expect(() => docs.parse('k', '{')).toThrow(SyntaxError);
    expect(docs.size).toBe(0);
  });
});
