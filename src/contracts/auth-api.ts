import { Type } from 'typebox';

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

export const TokenPairDto = Type.Object({
  accessToken: Type.String({ description: 'send as `Authorization: Bearer …`' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds the access token lives' }),
  refreshToken: Type.String({ description: 'single use: exchange it at /auth/refresh for a new pair' }),
});

export const ApiKeyBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const ApiKeyDto = Type.Object({ keyId: Type.String(), name: Type.String(), createdAt: Type.String() });

export const NewApiKeyDto = Type.Object({
  keyId: Type.String(), name: Type.String(), createdAt: Type.String(),
  key: Type.String({ description: 'shown once: send as `Authorization: Bearer …`; only its hash is kept' }),
});

export const NewUserBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    role: Type.Union([Type.Literal('admin'), Type.Literal('trader'), Type.Literal('viewer')]),
    password: Type.String({ minLength: 12, maxLength: 256, description: 'at least 12 characters; stored as a bcrypt hash' }),
  },
  { additionalProperties: false },
);
