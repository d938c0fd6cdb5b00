/** A small server-sent-events client over fetch (as the dashboard reads the stream): messages as they arrive. */
export interface SseMessage {
  readonly event: string;
  readonly id?: string;
  readonly data: string;
  /** comment lines (": ping") come as event "comment" */
}

export interface SseConnection {
  readonly status: number;
  readonly headers: Headers;
  readonly messages: SseMessage[];
  /** the body when the answer was not a stream (an error) */
  readonly body?: unknown;
  /** resolves with the first message (already received or later) that matches */
  next(match: (m: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** resolves when the server ended the stream */
  readonly ended: Promise<void>;
  close(): void;
}

export async function openSse(url: string, token: string | null, headers: Record<string, string> = {}): Promise<SseConnection> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  const waiters: { match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];
  const push = (m: SseMessage): void => {
    messages.push(m);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.match(m)) waiters.splice(i, 1)[0]!.resolve(m);
    }
  };
  let body: unknown;
  let ended: Promise<void> = Promise.resolve();
  if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    body = await response.json().catch(() => undefined);
  } else {
    ended = (async () => {
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let event = 'message';
            let id: string | undefined;
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) push({ event: 'comment', data: line.slice(1).trim() });
              else if (line.startsWith('event: ')) event = line.slice(7);
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length > 0) push({ event, ...(id !== undefined ? { id } : {}), data: data.join('\n') });
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  return {
    status: response.status, headers: response.headers, messages, ...(body !== undefined ? { body } : {}), ended,
    next: (match, timeoutMs = 10_000) => {
      const found = messages.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching server-sent event within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-5))}`)), timeoutMs);
        waiters.push({ match, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      });
    },
    close: () => abort.abort(),
  };
}
