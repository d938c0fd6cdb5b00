import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';

/**
 * The live stream's event ids: the log position a client has seen, sealed so that it says nothing
 * (the position counts every tenant's events) and is bound to the tenant. One AES-256 block: 8
 * bytes naming the tenant and 8 of position, encrypted with a key derived from the master key, so
 * an id from any node resumes on any node (Last-Event-ID). An id that does not open, or opens for
 * another tenant, is as if none was sent.
 */
export class StreamCursor {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('patriot:stream-cursor:v1').digest();
  }

  encode(tenantId: string, position: number): string {
    const block = Buffer.alloc(16);
    tenantTag(tenantId).copy(block, 0);
    block.writeBigUInt64BE(BigInt(position), 8);
    const cipher = createCipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('base64url');
  }

  decode(tenantId: string, id: string | string[] | undefined): number | undefined {
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(id.trim())) return undefined;
    const sealed = Buffer.from(id.trim(), 'base64url');
    if (sealed.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-ecb', this.key, null).setAutoPadding(false);
    const block = Buffer.concat([decipher.update(sealed), decipher.final()]);
    if (!block.subarray(0, 8).equals(tenantTag(tenantId))) return undefined;
    const position = block.readBigUInt64BE(8);
    return position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : undefined;
  }
}

const tenantTag = (tenantId: string): Buffer => createHash('sha256').update(`tenant|${tenantId}`).digest().subarray(0, 8);
