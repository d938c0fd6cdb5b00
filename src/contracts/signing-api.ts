import { Type } from 'typebox';

/** A strategy's signing setting for signed alerts (never the key). */
export const SigningStatusDto = Type.Object({
  configured: Type.Boolean({ description: 'the strategy has a signing key: signed alerts are checked' }),
  required: Type.Boolean({ description: 'alerts without a valid signature are refused (401 SIGNATURE_REQUIRED / INVALID_SIGNATURE)' }),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const NewSigningKeyBody = Type.Object(
  { required: Type.Optional(Type.Boolean({ description: 'require signed alerts from now on (default: as before; false for a first key)' })) },
  { additionalProperties: false },
);

export const NewSigningKeyDto = Type.Object({
  key: Type.String({ description: 'shown once: 64 hex characters, used as the HMAC-SHA256 key as written; stored sealed' }),
  required: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  header: Type.String({ description: 'the header to send: X-Patriot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">' }),
  toleranceSeconds: Type.Integer({ description: 'how far t may be from the server\'s clock' }),
});

export const SigningRequiredBody = Type.Object({ required: Type.Boolean() }, { additionalProperties: false });
