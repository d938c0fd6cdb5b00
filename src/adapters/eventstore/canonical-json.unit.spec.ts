import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('given objects with keys in any order, then the output sorts keys recursively', () => {
    const a = canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } });
    const b = canonicalJson({ a: { c: 'x', d: [{ y: 2, z: 1 }] }, b: 1 });
    expect(a).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
    expect(b).toBe(a);
  });

  it('given scalars, then they are written as JSON.stringify writes them', () => {
    expect(canonicalJson('a"b\n')).toBe(JSON.stringify('a"b\n'));
    expect(canonicalJson(0.1)).toBe('0.1');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('given undefined values, then object properties are omitted and array items become null', () => {
    expect(canonicalJson({ a: undefined, b: 1, f: () => 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
  });

  it('given a Date, then it is serialised through toJSON', () => {
    expect(canonicalJson({ t: new Date('2024-01-01T00:00:00Z') })).toBe('{"t":"2024-01-01T00:00:00.000Z"}');
  });

  it('given unicode keys, then they sort by UTF-16 code units and round-trip', () => {
    const value = { é: 1, e: 2, Z: 3, '🚀': 4, '': 5 };
    const out = canonicalJson(value);
    expect(out).toBe('{"":5,"Z":3,"e":2,"é":1,"🚀":4}');
    expect(JSON.parse(out)).toEqual(value);
  });

  it('given non-finite numbers or bigints, then it throws instead of losing data', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('given any JSON value, then parsing the output gives a deep-equal value', () => {
    const value = { list: [1, 'two', { three: [3, null] }], nested: { deep: { deeper: { x: '1.000' } } }, n: -12.5 };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});
