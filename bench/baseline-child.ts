/** The machine baseline: a bare Fastify app with one POST route that parses a JSON body and answers 202. */
import Fastify from 'fastify';
import { performance } from 'node:perf_hooks';
import { isStop, isUsageRequest, rssSampler, send, usage } from './ipc.js';

const rss = rssSampler(200);

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/webhook', async (request, reply) => {
    const body = request.body as { id?: unknown } | null;
    return reply.code(202).send({ status: 'accepted', id: body && typeof body.id === 'string' ? body.id : null });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await app.close();
    rss.stop();
    await send({ type: 'stopped', peakRssBytes: rss.peak() });
    process.disconnect?.();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on('message', (message) => {
    if (isStop(message)) void stop();
    else if (isUsageRequest(message)) void send(usage());
  });
  process.on('disconnect', () => void stop());
  await send({ type: 'ready', url: `http://127.0.0.1:${port}`, childStartupMs: performance.now() });
}

main().catch(async (error: unknown) => {
  await send({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
