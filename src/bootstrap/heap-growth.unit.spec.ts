import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { applyHeapGrowth } from './heap-growth.js';

describe('applyHeapGrowth', () => {
  it("hands V8 the percent as its heap growing flag; refuses what the config could not hold", () => {
    const set: string[] = [];
    applyHeapGrowth(50, (f) => set.push(f));
    applyHeapGrowth(0, (f) => set.push(f));
    expect(set).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=0']);
    for (const bad of [-1, 1001, 1.5, Number.NaN]) expect(() => applyHeapGrowth(bad, () => undefined)).toThrow(RangeError);
  });

  it('is a flag this node knows (V8 ignores unknown ones silently)', () => {
    expect(execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' })).toMatch(/--heap-growing-percent \(/);
  });
});
