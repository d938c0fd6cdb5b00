import { Type, type Static } from 'typebox';

/** A decimal number as a string: money and quantities never travel as binary floats. */
export const DecimalString = Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: 'decimal number as a string', examples: ['97000.5'] });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'stable machine-readable code', examples: ['INVALID_SECRET'] }),
      message: Type.String(),
      signalId: Type.Optional(Type.String({ description: 'set when the refused alert was kept as an audit record' })),
    }),
  },
  { $id: 'ErrorBody', description: 'Every 4xx/5xx answer has this shape' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const Paging = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'return items older than this cursor (the nextBefore of the previous page)' })),
});

export const pageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), nextBefore: Type.Optional(Type.Integer({ description: 'cursor for the next (older) page' })) });

export const errorResponses = { 400: ErrorBody, 404: ErrorBody, 422: ErrorBody } as const;
