import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import fc from 'fast-check';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { pageItemSchema, pageSerializer } from './page-serializer.js';
import { pageOf } from '../contracts/common.js';
import { FillDto, OrderDto, SignalDto } from '../contracts/read-api.js';
import { deepFreeze } from '../application/shared/deep-freeze.js';

const compilerOf = () => SerializerSelector()({}, {});
const compile = (schema: unknown) => compilerOf()({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never) as (doc: unknown) => string;
const bothWays = (schema: unknown) => {
  const whole = compile(schema);
  const item = pageItemSchema(schema);
  if (!item) throw new Error('not a page');
  return { whole, page: pageSerializer(whole, compile(item)) };
};
const outcome = (f: () => string): { ok: string } | { threw: true } => {
  try {
    return { ok: f() };
  } catch {
    return { threw: true };
  }
};

const ORDERS = Type.Object({ ...pageOf(OrderDto).properties, total: Type.Optional(Type.Integer({ minimum: 0 })) });
const order = (i: number, extra: Record<string, unknown> = {}) => ({
  clientOrderId: i.toString(16).padStart(32, '0'), accountId: 'paper-1', strategyId: 'demo', signalId: `sig "${i}"\n`, symbol: 'BTC/USDT', side: 'buy', type: 'market',
  quantity: '0.0001', referencePrice: '97000.5', reduceOnly: false, status: 'filled', filledQuantity: '0.0001', fees: '0.0097', createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:01.000Z', reasons: [{ code: 'X', message: 'ünïcødé \u2028 "quoted" \\ back' }], priceAgeMs: i, ...extra,
});

describe('pageSerializer', () => {
  it('finds the item schema of page-shaped responses only', () => {
    expect(pageItemSchema(pageOf(OrderDto))).toBe(OrderDto);
    expect(pageItemSchema(ORDERS)).toBe(OrderDto);
    expect(pageItemSchema(Type.Object({ nextBefore: Type.Integer(), items: Type.Array(OrderDto) }))).toBeUndefined(); // items not first
    expect(pageItemSchema(Type.Object({ items: Type.Array(Type.String()) }))).toBeUndefined();
    expect(pageItemSchema(Type.Array(OrderDto))).toBeUndefined();
    expect(pageItemSchema(undefined)).toBeUndefined();
  });

  it('answers byte for byte what the whole page serialiser answers: frozen items (kept), fresh items, extra fields, cursors and totals, repeated', () => {
    const { whole, page } = bothWays(ORDERS);
    const frozen = Array.from({ length: 5 }, (_, i) => deepFreeze(order(i, { secret: 'never shown', limitPrice: i % 2 ? '1.5' : undefined })));
    const pages = [
      { items: frozen, nextBefore: 17 },
      { items: frozen, total: 3 },
      { items: [...frozen.slice(2), order(9), Object.freeze(order(10))], nextBefore: 4, total: 0 },
      { items: [] },
      { items: [], nextBefore: 2 },
    ];
    for (let round = 0; round < 3; round++) for (const p of pages) expect(page(p)).toBe(whole(p));
    expect(page(pages[0])).not.toContain('never shown');
  });

  it('a fresh (not deep-frozen) item is serialised again every time: a change to it shows', () => {
    const { whole, page } = bothWays(ORDERS);
    const fresh = order(1);
    expect(page({ items: [fresh] })).toBe(whole({ items: [fresh] }));
    fresh.status = 'cancelled';
    expect(page({ items: [fresh] })).toContain('"status":"cancelled"');
    expect(page({ items: [fresh] })).toBe(whole({ items: [fresh] }));
  });

  it('any page of any items, valid or not, frozen or not: the same answer or both refuse (fills, signals, orders)', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.record({ code: fc.string(), message: fc.string() }), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.string(), { maxKeys: 3 }));
    for (const schema of [ORDERS, pageOf(FillDto), pageOf(SignalDto)]) {
      const { whole, page } = bothWays(schema);
      const keys = [...Object.keys(pageItemSchema(schema)!.properties as object), 'extra', '__proto__'];
      const item = fc.tuple(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length }), fc.boolean()).map(([o, freeze]) => (freeze ? deepFreeze(o) : o));
      fc.assert(
        fc.property(fc.array(item, { maxLength: 4 }), fc.option(fc.integer({ min: 0 }), { nil: undefined }), (items, nextBefore) => {
          const p = { items, ...(nextBefore !== undefined ? { nextBefore } : {}) };
          expect(outcome(() => page(p))).toEqual(outcome(() => whole(p)));
          expect(outcome(() => page(p))).toEqual(outcome(() => whole(p))); // kept items too
        }),
        { numRuns: 300 },
      );
    }
  });
});
