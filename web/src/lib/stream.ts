// A conversation's live events: Server-Sent Events with the token in the
// query (a browser's EventSource cannot send headers). EventSource resumes
// with Last-Event-ID by itself; events are de-duplicated by seq here too.
import { api, enc } from './api';
import { kEventKinds, type ConvEvent } from './types';

export interface StreamHandle {
  close(): void;
}

// Events arrive in batches (a backlog can be hundreds of frames): onEvents
// gets them together, once per few milliseconds, in seq order.
export function openStream(
  conversation: string,
  token: string,
  onEvents: (e: ConvEvent[]) => void,
  onState?: (state: 'open' | 'error' | 'denied') => void,
  afterSeq = 0,
): StreamHandle {
  let closed = false;
  let lastSeq = afterSeq;
  let batch: ConvEvent[] = [];
  let flushTimer: number | undefined;
  const flush = () => {
    flushTimer = undefined;
    const out = batch;
    batch = [];
    if (out.length && !closed) onEvents(out);
  };
  const deliver = (e: ConvEvent) => {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    batch.push(e);
    if (flushTimer === undefined) flushTimer = window.setTimeout(flush, 16);
  };
  const resume = afterSeq > 0 ? `&last_event_id=${afterSeq}` : '';
  const url = `/api/v1/conversations/${enc(conversation)}/stream?access_token=${enc(token)}${resume}`;
  const source = new EventSource(url);
  const handler = (m: MessageEvent<string>) => {
    try {
      deliver(JSON.parse(m.data) as ConvEvent);
    } catch {
      /* a malformed frame is skipped */
    }
  };
  for (const kind of kEventKinds) source.addEventListener(kind, handler as EventListener);
  source.onmessage = handler;
  source.onopen = () => onState?.('open');
  source.onerror = () => {
    if (closed) return;
    // EventSource gives up for good on a non-2xx answer: find out why, then
    // fall back to polling the events so nothing is missed.
    if (source.readyState === EventSource.CLOSED) {
      onState?.('error');
      void poll();
    } else {
      onState?.('error');
    }
  };
  let timer: number | undefined;
  async function poll() {
    if (closed) return;
    try {
      const page = await api<{ events: ConvEvent[] }>(
        'GET',
        `/api/v1/conversations/${enc(conversation)}/events?after=${lastSeq}`,
        token,
      );
      page.events.forEach(deliver);
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 401 || status === 403 || status === 404) {
        onState?.('denied');
        return;
      }
    }
    timer = window.setTimeout(poll, 3000);
  }
  return {
    close() {
      closed = true;
      source.close();
      if (timer) clearTimeout(timer);
      if (flushTimer !== undefined) clearTimeout(flushTimer);
    },
  };
}
