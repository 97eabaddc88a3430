// The customer chat: messages with honest author labels, the live tracker of
// real work steps, "Why?" for every AI answer, and a person one click away.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, enc, optional, safeUrl } from '../lib/api';
import { fill, formatDuration, formatTime, pick, useLang, type Lang } from '../lib/i18n';
import { openStream } from '../lib/stream';
import type { ConvEvent, MessageEv, Promise_, QueueStatus, Why } from '../lib/types';
import { authorLabel, isAi, LangSwitch } from '../lib/ui';
import { strings } from './strings';
import { fold, mergeEvents, type Item, type StepRow } from './tracker';

interface Session {
  id: string;
  token: string;
}
const kSessionKey = 'candor.chat';

function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(kSessionKey);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.id === 'string' && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

function saveSession(s: Session | null) {
  try {
    if (s) sessionStorage.setItem(kSessionKey, JSON.stringify(s));
    else sessionStorage.removeItem(kSessionKey);
  } catch {
    /* ignore */
  }
}

export function Chat({ embed }: { embed: boolean }) {
  const lang = useLang();
  const t = strings[lang];
  const [session, setSession] = useState<Session | null>(loadSession);
  const [events, setEvents] = useState<ConvEvent[]>([]);
  const [queue, setQueue] = useState<QueueStatus | null>(null);
  const [promises, setPromises] = useState<Promise_[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [denied, setDenied] = useState(false);
  const [streamDown, setStreamDown] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const sessionRef = useRef(session);
  sessionRef.current = session;
  // A conversation restored after a reload is not news; one started on this
  // page is, even when its first answer arrives before the stream opens.
  const restoredAtLoad = useRef(session !== null);

  function announceNewest(batch: ConvEvent[]) {
    const m = [...batch].reverse().find((e) => e.type === 'message' && (e as MessageEv).author !== 'customer') as
      | MessageEv
      | undefined;
    if (m) {
      setAnnouncement(`${fill(strings[langNow()].newMessageFrom, { who: authorLabel(m.author, langNow(), m.agent) })}: ${m.text}`);
    }
  }

  const items = useMemo(() => fold(events), [events]);
  const hasAiReply = events.some((e) => e.type === 'message' && isAi((e as MessageEv).author));

  useEffect(() => {
    document.title = t.title;
  }, [lang]);

  // Load what happened so far, then follow the stream.
  useEffect(() => {
    if (!session) return;
    let stop = false;
    let handle: { close(): void } | null = null;
    (async () => {
      try {
        const page = await api<{ events: ConvEvent[]; last_seq: number }>(
          'GET',
          `/api/v1/conversations/${enc(session.id)}/events?after=0&limit=1000`,
          session.token,
        );
        if (stop) return;
        setEvents((list) => mergeEvents(list, page.events));
        if (!restoredAtLoad.current) announceNewest(page.events);
        handle = openStream(
          session.id,
          session.token,
          (batch) => {
            setEvents((list) => mergeEvents(list, batch));
            announceNewest(batch);
          },
          (state) => {
            if (state === 'denied') setDenied(true);
            setStreamDown(state === 'error');
          },
          page.last_seq,
        );
        void refreshQueue(session);
        void refreshPromises(session);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 403 || e.status === 404 || e.status === 401)) setDenied(true);
        else setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      stop = true;
      handle?.close();
    };
  }, [session?.id]);

  // Queue and promises follow their events; the queue place also moves when
  // others are helped, so while waiting it is asked for every few seconds.
  const lastQueueSeq = useMemo(() => {
    let q = 0;
    for (const e of events) if (e.type === 'queue' || e.type === 'commitment') q = e.seq;
    return q;
  }, [events]);
  useEffect(() => {
    if (!session || lastQueueSeq === 0) return;
    void refreshQueue(session);
    void refreshPromises(session);
  }, [lastQueueSeq]);
  useEffect(() => {
    if (!session || !queue?.waiting) return;
    const timer = window.setInterval(() => void refreshQueue(session), 5000);
    return () => clearInterval(timer);
  }, [session?.id, queue?.waiting]);

  async function refreshQueue(s: Session) {
    try {
      setQueue(await api<QueueStatus>('GET', `/api/v1/conversations/${enc(s.id)}/queue`, s.token));
    } catch {
      /* keep the last known state */
    }
  }
  async function refreshPromises(s: Session) {
    try {
      const r = await optional<{ promises: Promise_[] }>('GET', `/api/v1/conversations/${enc(s.id)}/promises`, s.token);
      if (r) setPromises(r.promises);
    } catch {
      /* not available */
    }
  }

  async function ensureSession(): Promise<Session> {
    if (sessionRef.current) return sessionRef.current;
    const created = await api<{ id: string; customer_token: string }>('POST', '/api/v1/conversations', null, {});
    const s = { id: created.id, token: created.customer_token };
    saveSession(s);
    sessionRef.current = s;
    setSession(s);
    return s;
  }

  async function send(text: string): Promise<boolean> {
    setError(null);
    try {
      const s = await ensureSession();
      const sent = await api<{ seq: number; at: string; id: string }>(
        'POST',
        `/api/v1/conversations/${enc(s.id)}/messages`,
        s.token,
        { text },
      );
      // Shown at once as typed; the stream brings the same seq again.
      setEvents((list) =>
        mergeEvents(list, [
          { type: 'message', seq: sent.seq, at: sent.at, id: sent.id, conversation_id: s.id, author: 'customer', text } as MessageEv,
        ]),
      );
      return true;
    } catch (e) {
      setError(fill(t.error, { msg: e instanceof Error ? e.message : String(e) }));
      return false;
    }
  }

  async function askForPerson() {
    setError(null);
    try {
      const s = await ensureSession();
      const status = await api<QueueStatus>('POST', `/api/v1/conversations/${enc(s.id)}/handoff`, s.token, {});
      if (status && typeof status === 'object' && 'waiting' in status) setQueue(status);
      void refreshQueue(s);
    } catch (e) {
      setError(fill(t.error, { msg: e instanceof Error ? e.message : String(e) }));
    }
  }

  function restart() {
    saveSession(null);
    sessionRef.current = null;
    setSession(null);
    setEvents([]);
    setQueue(null);
    setPromises(null);
    setDenied(false);
    setError(null);
  }

  return (
    <div class={embed ? 'chat embed' : 'chat'}>
      <header class="chat-header">
        <h1>{t.title}</h1>
        <div class="header-actions">
          <button type="button" class="person-button" onClick={askForPerson} aria-pressed={!!queue?.with_people}>
            {queue?.with_people ? t.askedForPerson : t.talkToPerson}
          </button>
          <LangSwitch lang={lang} />
        </div>
      </header>

      {!hasAiReply && (
        <p class="ai-notice" role="note" data-testid="ai-notice">
          {t.aiNotice}
        </p>
      )}

      {queue?.with_people && <QueuePanel queue={queue} lang={lang} />}
      {promises && promises.length > 0 && <PromisesPanel promises={promises} lang={lang} />}

      <main class="chat-main">
        {denied ? (
          <div class="denied" role="alert">
            <p>{t.denied}</p>
            <button type="button" onClick={restart}>
              {t.newConversation}
            </button>
          </div>
        ) : (
          <ol class="transcript" aria-label={t.transcript}>
            {items.map((item) => (
              <TranscriptItem key={item.kind + item.seq} item={item} lang={lang} />
            ))}
          </ol>
        )}
        <div class="sr-only" aria-live="polite" aria-atomic="true" data-testid="announcer">
          {announcement}
        </div>
        {streamDown && !denied && <p class="status-line">{t.reconnecting}</p>}
      </main>

      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!denied && <Composer lang={lang} onSend={send} />}
    </div>
  );
}

// The language of the moment, for callbacks that outlive a render.
function langNow(): Lang {
  return (document.documentElement.lang === 'de' ? 'de' : 'en') as Lang;
}

function Composer({ lang, onSend }: { lang: Lang; onSend: (text: string) => Promise<boolean> }) {
  const t = strings[lang];
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  async function submit(e?: Event) {
    e?.preventDefault();
    const value = text.trim();
    if (!value || busy) return;
    setBusy(true);
    const ok = await onSend(value);
    setBusy(false);
    if (ok) setText('');
  }
  return (
    <form class="composer" onSubmit={submit}>
      <label for="chat-input" class="sr-only">
        {t.messageLabel}
      </label>
      <textarea
        id="chat-input"
        rows={2}
        placeholder={t.placeholder}
        value={text}
        maxLength={8000}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <button type="submit" disabled={busy || !text.trim()}>
        {busy ? t.sending : t.send}
      </button>
    </form>
  );
}

function TranscriptItem({ item, lang }: { item: Item; lang: Lang }) {
  if (item.kind === 'message') return <MessageItem message={item.message} steps={item.steps} lang={lang} />;
  if (item.kind === 'steps') {
    return (
      <li class="steps-only">
        <Tracker steps={item.steps} lang={lang} at={item.steps[0]?.started_at} />
      </li>
    );
  }
  const t = strings[lang];
  return (
    <li class={`notice notice-${item.tone}`} data-testid={`notice-${item.tone}`}>
      {item.title && <strong class="notice-title">{pick(item.title, lang)}: </strong>}
      <span>{pick(item.text, lang)}</span> <time dateTime={item.at}>{formatTime(item.at, lang)}</time>
      {item.tone === 'reveal' && <span class="sr-only">{t.viewedData}</span>}
    </li>
  );
}

function MessageItem({ message, steps, lang }: { message: MessageEv; steps: StepRow[]; lang: Lang }) {
  const mine = message.author === 'customer' || message.author === 'customer_assistant';
  return (
    <li class={`msg msg-${message.author}`} data-author={message.author} data-seq={message.seq}>
      <div class="bubble">
        <div class="who">{authorLabel(message.author, lang, message.agent)}</div>
        <p class="text">{message.text}</p>
        <time class="at" dateTime={message.at}>
          {formatTime(message.at, lang)}
        </time>
        {isAi(message.author) && <WhyButton message={message} lang={lang} />}
      </div>
      {mine && steps.length > 0 && <Tracker steps={steps} lang={lang} at={message.at} />}
    </li>
  );
}

function Tracker({ steps, lang, at }: { steps: StepRow[]; lang: Lang; at?: string }) {
  const t = strings[lang];
  return (
    <ol class="tracker" aria-label={fill(t.trackerFor, { time: formatTime(at, lang) })} data-testid="tracker">
      {steps.map((s) => {
        const ms = s.finished_at ? new Date(s.finished_at).getTime() - new Date(s.started_at).getTime() : NaN;
        return (
          <li key={s.key} class={`step step-${s.status}`} data-stage={s.stage} data-status={s.status}>
            <span class="dot" aria-hidden="true" />
            <span class="label">{pick(s.label, lang)}</span>
            {s.status === 'started' && <span class="state"> · {t.inProgress}</span>}
            {s.status === 'failed' && <span class="state"> · {t.failed}</span>}
            <time dateTime={s.finished_at ?? s.started_at}>{formatTime(s.finished_at ?? s.started_at, lang)}</time>
            {Number.isFinite(ms) && ms >= 1000 && <span class="took"> ({formatDuration(ms / 1000, lang)})</span>}
          </li>
        );
      })}
    </ol>
  );
}

export function WhyButton({ message, lang }: { message: MessageEv; lang: Lang }) {
  const t = strings[lang];
  const [open, setOpen] = useState(false);
  const [why, setWhy] = useState<Why | null>(null);
  const [failed, setFailed] = useState(false);
  const panelId = `why-${message.seq}`;
  async function toggle() {
    const next = !open;
    setOpen(next);
    if (next && !why) {
      const token = loadSession()?.token;
      try {
        const r = await api<{ why: Why }>('GET', `/api/v1/messages/${enc(message.id)}/why`, token);
        setWhy(r.why);
      } catch {
        if (message.why) setWhy(message.why);
        else setFailed(true);
      }
    }
  }
  return (
    <div class="why">
      <button type="button" class="why-button" aria-expanded={open} aria-controls={panelId} onClick={toggle}>
        {open ? t.hideWhy : t.why}
      </button>
      {open && (
        <div id={panelId} class="why-panel" role="region" aria-label={t.whyTitle}>
          {failed && <p>{fill(t.error, { msg: '' })}</p>}
          {why && <WhyDetails why={why} lang={lang} />}
        </div>
      )}
    </div>
  );
}

export function WhyDetails({ why, lang }: { why: Why; lang: Lang }) {
  const t = strings[lang];
  const sources = why.sources ?? [];
  return (
    <div class="why-details">
      {why.dont_know && <p class="dont-know">{t.dontKnow}</p>}
      <dl>
        {why.intent && (
          <>
            <dt>{t.intent}</dt>
            <dd>
              {why.intent}
              {typeof why.intent_confidence === 'number' && ` (${Math.round(why.intent_confidence * 100)} %)`}
            </dd>
          </>
        )}
        {why.rule && (
          <>
            <dt>{t.rule}</dt>
            <dd>
              <code>{why.rule}</code>
              {why.reason && pick(why.reason, lang) && <span> — {pick(why.reason, lang)}</span>}
            </dd>
          </>
        )}
        {typeof why.confidence === 'number' && (
          <>
            <dt>{t.confidence}</dt>
            <dd>
              <meter min={0} max={1} value={why.confidence} aria-hidden="true" /> {Math.round(why.confidence * 100)} %
            </dd>
          </>
        )}
      </dl>
      <h3>{t.sources}</h3>
      {sources.length === 0 ? (
        <p>{t.noSources}</p>
      ) : (
        <ol class="sources">
          {sources.map((s) => {
            const href = safeUrl(s.url);
            return (
              <li key={s.number} value={s.number}>
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer">
                    {s.title || href}
                  </a>
                ) : (
                  <span>{s.title}</span>
                )}
                {s.heading && <span class="heading"> — {s.heading}</span>}
                {s.passage && <blockquote>{s.passage}</blockquote>}
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}

function QueuePanel({ queue, lang }: { queue: QueueStatus; lang: Lang }) {
  const t = strings[lang];
  return (
    <section class="queue-panel" aria-label={t.queueTitle} data-testid="queue-panel">
      {queue.waiting ? (
        <div role="status">
          {typeof queue.position === 'number' && <p class="position">{fill(t.position, { n: queue.position })}</p>}
          {typeof queue.expected_wait_seconds === 'number' ? (
            <p>{fill(t.expectedWait, { t: formatDuration(queue.expected_wait_seconds, lang) })}</p>
          ) : queue.agents_online === 0 ? (
            <p>{t.nobodyOnDuty}</p>
          ) : (
            <p>{t.waitUnknown}</p>
          )}
          {typeof queue.likely_within_seconds === 'number' && (
            <p>{fill(t.likelyWithin, { t: formatDuration(queue.likely_within_seconds, lang) })}</p>
          )}
          {typeof queue.agents_online === 'number' && queue.agents_online > 0 && (
            <p>{queue.agents_online === 1 ? t.oneAgentOnline : fill(t.agentsOnline, { n: queue.agents_online })}</p>
          )}
          {queue.next_opening && <p>{fill(t.nextOpening, { t: formatTime(queue.next_opening, lang, true) })}</p>}
        </div>
      ) : (
        queue.agent && (
          <p role="status" class="with-person">
            {fill(t.withPerson, { agent: queue.agent })}
          </p>
        )
      )}
    </section>
  );
}

function PromisesPanel({ promises, lang }: { promises: Promise_[]; lang: Lang }) {
  const t = strings[lang];
  return (
    <section class="promises-panel" aria-label={t.promises} data-testid="promises-panel">
      <h2>{t.promises}</h2>
      <ul>
        {promises.map((p) => (
          <li key={String(p.id)} class={`promise promise-${p.state ?? 'open'}`}>
            <span>{fill(t.promiseDue, { t: formatTime(p.due_at, lang, true) })}</span>
            {p.source && <span class="source"> · {t.promiseSource[p.source] ?? p.source}</span>}
            <span class="state"> · {t.promiseState[p.state ?? 'open'] ?? p.state}</span>
            {p.new_due_at && <span> · {fill(t.promiseNewDue, { t: formatTime(p.new_due_at, lang, true) })}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}
