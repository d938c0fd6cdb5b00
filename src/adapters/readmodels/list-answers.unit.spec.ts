import { describe, expect, it } from 'vitest';
import { ListAnswers } from './list-answers.js';
import type { ReadDoc } from '../../application/ports/projection-store.js';

const docs = (n: number): ReadDoc[] => Array.from({ length: n }, (_, i) => ({ collection: 'orders', tenantId: 't', id: `d${i}`, seq: i, data: {} }));

describe('ListAnswers', () => {
  it('answers only at the generation an answer was read at; any change of either count drops every answer', () => {
    const answers = new ListAnswers(100);
    const g = { others: 3, own: 7 };
    const a = docs(2);
    answers.set('q1', g, a);
    answers.set('q2', g, docs(1));
    expect(answers.get('q1', { others: 3, own: 7 })).toBe(a);
    expect(answers.get('q1', { others: 4, own: 7 })).toBeUndefined();
    expect(answers.get('q1', { others: 3, own: 8 })).toBeUndefined();
    answers.set('q3', { others: 3, own: 8 }, docs(1));
    expect(answers.size).toBe(1);
    expect(answers.get('q1', g)).toBeUndefined();
    expect(answers.get('q2', { others: 3, own: 8 })).toBeUndefined();
  });

  it('holds at most maxDocs documents, the oldest answers going first; a larger answer is not kept', () => {
    const answers = new ListAnswers(5);
    const g = { others: 0, own: 0 };
    answers.set('a', g, docs(2));
    answers.set('b', g, docs(2));
    answers.set('c', g, docs(2));
    expect(answers.get('a', g)).toBeUndefined();
    expect(answers.get('b', g)).toBeDefined();
    expect(answers.get('c', g)).toBeDefined();
    answers.set('big', g, docs(6));
    expect(answers.get('big', g)).toBeUndefined();
    answers.set('b', g, docs(3)); // replaced, counted once
    expect(answers.size).toBe(2);
    expect(answers.get('c', g)).toBeDefined();
  });
});
