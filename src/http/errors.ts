import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** HTTP status for each stable error code an alert refusal can carry. */
const ALERT_STATUS: Record<string, number> = {
  UNKNOWN_STRATEGY: 404,
  MISSING_SECRET: 401,
  INVALID_SECRET: 401,
  INVALID_SIGNATURE: 401,
  SIGNATURE_REQUIRED: 401,
  SOURCE_NOT_ALLOWED: 403,
  MALFORMED_BODY: 400,
  BODY_TOO_DEEP: 400,
  TOO_MANY_FIELDS: 400,
  BODY_TOO_LARGE: 413,
};

export function alertStatus(code: string): number {
  return ALERT_STATUS[code] ?? 422;
}

export function sendError(reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, string> = {}): FastifyReply {
  return reply.code(status).send({ error: { code, message, ...extra } });
}

/** Maps framework errors (validation, body size, parse) to the stable error body; never leaks internals. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendError(reply, 400, 'VALIDATION_FAILED', error.message);
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 413, 'BODY_TOO_LARGE', 'the request body is larger than allowed (64 KiB for alerts)');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendError(reply, 400, 'MALFORMED_BODY', 'the body is not valid JSON');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content type');
      default:
        break;
    }
    if (error.statusCode === 429) return sendError(reply, 429, 'RATE_LIMITED', error.message);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, 'BAD_REQUEST', error.message);
    }
    request.log.error({ err: { message: error.message, code: error.code } }, 'request failed');
    return sendError(reply, 500, 'INTERNAL_ERROR', 'the server could not complete the request');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`));
}
