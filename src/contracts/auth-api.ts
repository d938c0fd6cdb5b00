import { Type } from 'typebox';

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the tenant id: needed only when the same name and password are used in several tenants' })),
  },
  { additionalProperties: false },
);

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

export const TokenPairDto = Type.Object({
  accessToken: Type.String({ description: 'send as `Authorization: Bearer …`' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds the access token lives' }),
  refreshToken: Type.String({ description: 'single use: exchange it at /auth/refresh for a new pair' }),
});

export const ApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    expiresAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'when the key stops working (ISO time, in the future, at most 2 years ahead); absent: until revoked' })),
  },
  { additionalProperties: false },
);

export const ApiKeyDto = Type.Object({ keyId: Type.String(), name: Type.String(), createdAt: Type.String(), expiresAt: Type.Optional(Type.String()) });

export const NewApiKeyDto = Type.Object({
  keyId: Type.String(), name: Type.String(), createdAt: Type.String(), expiresAt: Type.Optional(Type.String()),
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

const Role = Type.Union([Type.Literal('admin'), Type.Literal('trader'), Type.Literal('viewer')]);

export const UserParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export const UserKeyParams = Type.Object({
  userId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
  keyId: Type.String({ minLength: 1, maxLength: 64 }),
});

export const RoleBody = Type.Object({ role: Role }, { additionalProperties: false });

export const PasswordBody = Type.Object(
  { password: Type.String({ minLength: 12, maxLength: 256, description: 'at least 12 characters; stored as a bcrypt hash; every session of the user ends' }) },
  { additionalProperties: false },
);

/** A user as their tenant's admins see them. */
export const UserAdminDto = Type.Object({
  userId: Type.String(),
  username: Type.Optional(Type.String({ description: 'the login name' })),
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean({ description: 'no credential of the user is accepted' }),
  registeredAt: Type.String(),
});
