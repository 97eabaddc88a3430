// The agent console: queues, a conversation with masked data (reveal asks
// for a reason), drafts with an editable text and a visible diff, promises,
// replies and handing back to the AI.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, enc, optional, safeUrl } from '../lib/api';
import { loadAuth, LoginScreen, logout as endSession, type Auth } from '../lib/auth';
import { fill, formatTime, pick, useLang, type Lang } from '../lib/i18n';
import { openStream } from '../lib/stream';
import type { ConvEvent, DraftEv, MessageEv, Promise_, ReviewEv } from '../lib/types';
import { authorLabel, LangSwitch } from '../lib/ui';
import { mergeEvents } from '../chat/tracker';
import { diffWords } from './diff';
import { strings } from './strings';

interface QueueList {
  waiting: { conversation_id: string; position: number; since: string; requested_by?: string; escalated?: boolean }[];
  drafts: { conversation_id: string; seq: number; at: string }[];
  // Promises past due that no one has answered yet.
  late?: { conversation_id: string; promise: number; source: string; due_at: string; agent?: string }[];
}
interface InboxEntry {
  id: string;
  last_message?: string;
  last_author?: string | null;
  last_message_at?: string | null;
  waiting_for_person?: boolean;
  awaiting_reply?: boolean;
}
interface Summary {
  id: string;
  language?: string;
  intent?: string;
  intent_confidence?: number;
  signals?: { distress?: number; out_of_scope?: boolean };
  decision?: { action: string; rule: string; reason: string | { de: string; en: string } } | null;
  asked_for_person?: boolean;
  waiting_since?: string | null;
  position?: number | null;
  transcript?: { seq: number; author: string; text: string; at: string }[];
  ai_said?: { seq: number; author: string; text: string; at: string }[];
  promises?: Promise_[];
}

export function Console() {
  const lang = useLang();
  const t = strings[lang];
  const [auth, setAuth] = useState<Auth | null>(loadAuth);
  const [selected, setSelected] = useState<string | null>(null);
  const [queue, setQueue] = useState<QueueList>({ waiting: [], drafts: [] });
  const [inbox, setInbox] = useState<InboxEntry[]>([]);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    document.title = t.title;
  }, [lang]);

  useEffect(() => {
    if (!auth) return;
    let stop = false;
    async function load() {
      try {
        const [q, i] = await Promise.all([
          api<QueueList>('GET', '/api/v1/queue', auth!.token, undefined, true),
          api<{ conversations: InboxEntry[] }>('GET', '/api/v1/inbox?limit=50', auth!.token, undefined, true),
        ]);
        if (stop) return;
        setQueue(q);
        setInbox(i.conversations);
      } catch (e) {
        if ((e as { status?: number }).status === 401) logout();
      }
    }
    void load();
    const timer = window.setInterval(load, 3000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [auth?.token, tick]);

  function logout() {
    void endSession(auth);
    setAuth(null);
    setSelected(null);
  }

  if (!auth) return <LoginScreen page="console" lang={lang} heading={t.title} onLogin={setAuth} />;

  return (
    <div class="console">
      <a class="skip-link" href="#main">
        {t.skip}
      </a>
      <header class="topbar">
        <h1>{t.title}</h1>
        <span class="muted">{fill(t.loggedInAs, { name: auth.agent.name, role: auth.agent.role })}</span>
        <LangSwitch lang={lang} />
        <button type="button" onClick={logout}>
          {t.logout}
        </button>
      </header>
      <div class="console-body">
        <nav class="queues" aria-label={t.waiting}>
          <section>
            <h2>{t.waiting}</h2>
            {queue.waiting.length === 0 ? (
              <p class="muted">{t.nobody}</p>
            ) : (
              <ul class="pick-list" data-testid="waiting-list">
                {queue.waiting.map((w) => (
                  <li key={w.conversation_id}>
                    <button type="button" aria-current={selected === w.conversation_id} onClick={() => setSelected(w.conversation_id)}>
                      <strong>{fill(t.position, { n: w.position })}</strong> <code>{w.conversation_id}</code>
                      {w.escalated && <span class="badge-late"> {t.escalated}</span>}
                      <span class="muted"> {fill(t.since, { t: formatTime(w.since, lang) })}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {(queue.late ?? []).length > 0 && (
            <section>
              <h2>{t.latePromises}</h2>
              <ul class="pick-list" data-testid="late-list">
                {(queue.late ?? []).map((l) => (
                  <li key={`${l.conversation_id}.${l.promise}`}>
                    <button type="button" aria-current={selected === l.conversation_id} onClick={() => setSelected(l.conversation_id)}>
                      <code>{l.conversation_id}</code>
                      <span class="badge-late"> {fill(t.lateSince, { t: formatTime(l.due_at, lang) })}</span>
                      {l.agent && <span class="muted"> · {l.agent}</span>}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section>
            <h2>{t.drafts}</h2>
            {queue.drafts.length === 0 ? (
              <p class="muted">{t.noDrafts}</p>
            ) : (
              <ul class="pick-list" data-testid="draft-list">
                {queue.drafts.map((d) => (
                  <li key={`${d.conversation_id}.${d.seq}`}>
                    <button type="button" aria-current={selected === d.conversation_id} onClick={() => setSelected(d.conversation_id)}>
                      {fill(t.draftOf, { id: d.conversation_id })}
                      <span class="muted"> {formatTime(d.at, lang)}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section>
            <h2>{t.inbox}</h2>
            <ul class="pick-list" data-testid="inbox-list">
              {inbox.map((c) => (
                <li key={c.id}>
                  <button type="button" aria-current={selected === c.id} onClick={() => setSelected(c.id)}>
                    <code>{c.id}</code>
                    {c.last_message && <span class="preview">{c.last_message}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        </nav>
        <main id="main" class="conversation-pane" tabIndex={-1}>
          {selected ? (
            <Conversation key={selected} id={selected} auth={auth} lang={lang} onChange={() => setTick((n) => n + 1)} />
          ) : (
            <p class="muted">{t.pick}</p>
          )}
          <KnowledgeSearch auth={auth} lang={lang} />
        </main>
      </div>
    </div>
  );
}

function Conversation({ id, auth, lang, onChange }: { id: string; auth: Auth; lang: Lang; onChange: () => void }) {
  const t = strings[lang];
  const [events, setEvents] = useState<ConvEvent[]>([]);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [promises, setPromises] = useState<Promise_[] | null>(null);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [announce, setAnnounce] = useState('');

  useEffect(() => {
    let handle: { close(): void } | null = null;
    let stop = false;
    (async () => {
      try {
        const page = await api<{ events: ConvEvent[]; last_seq: number }>(
          'GET',
          `/api/v1/conversations/${enc(id)}/events?after=0&limit=1000`,
          auth.token,
        );
        if (stop) return;
        setEvents(page.events);
        handle = openStream(
          id,
          auth.token,
          (batch) => {
            setEvents((list) => mergeEvents(list, batch));
            const m = [...batch].reverse().find((e) => e.type === 'message' && (e as MessageEv).author === 'customer') as
              | MessageEv
              | undefined;
            if (m) setAnnounce(`${fill(strings[lang].live, { who: authorLabel('customer', lang, undefined, true) })}: ${m.text}`);
          },
          undefined,
          page.last_seq,
        );
      } catch (e) {
        setError(fill(t.error, { msg: (e as Error).message }));
      }
    })();
    return () => {
      stop = true;
      handle?.close();
    };
  }, [id]);

  const lastSeq = events.length ? events[events.length - 1].seq : 0;
  useEffect(() => {
    void (async () => {
      try {
        setSummary(await optional<Summary>('GET', `/api/v1/conversations/${enc(id)}/summary`, auth.token));
        const p = await optional<{ promises: Promise_[] }>('GET', `/api/v1/conversations/${enc(id)}/promises`, auth.token);
        setPromises(p ? p.promises : null);
      } catch {
        /* shown from the events instead */
      }
    })();
  }, [id, lastSeq]);

  const messages = events.filter((e): e is MessageEv => e.type === 'message');
  const understanding = [...events].reverse().find((e) => e.type === 'understanding') as
    | { intent: string; confidence: number; language: string; distress?: number; in_scope: boolean }
    | undefined;
  const decision = [...events].reverse().find((e) => e.type === 'decision') as
    | { action: string; rule: string; reason: { de: string; en: string } }
    | undefined;
  const reviewed = new Set(events.filter((e): e is ReviewEv => e.type === 'review').map((r) => r.draft_seq));
  const openDrafts = events.filter((e): e is DraftEv => e.type === 'draft' && !reviewed.has(e.seq));

  async function act(method: string, path: string, body?: unknown): Promise<unknown> {
    setError(null);
    try {
      const r = await api<unknown>(method, `/api/v1/conversations/${enc(id)}${path}`, auth.token, body ?? {});
      onChange();
      return r ?? true;
    } catch (e) {
      setError(fill(t.error, { msg: (e as Error).message }));
      return null;
    }
  }

  const decisionReason = summary?.decision
    ? typeof summary.decision.reason === 'string'
      ? summary.decision.reason
      : pick(summary.decision.reason, lang)
    : decision
      ? pick(decision.reason, lang)
      : '';
  const intent = summary?.intent ?? understanding?.intent;
  const confidence = summary?.intent_confidence ?? understanding?.confidence;
  const distress = summary?.signals?.distress ?? understanding?.distress;
  const outOfScope = summary?.signals?.out_of_scope ?? (understanding ? !understanding.in_scope : undefined);

  return (
    <article class="conversation" aria-labelledby="conv-title">
      <h2 id="conv-title">
        <code>{id}</code>
      </h2>
      <section class="card summary" aria-label={t.summary} data-testid="summary">
        <h3>{t.summary}</h3>
        <dl>
          {intent && (
            <>
              <dt>{t.intent}</dt>
              <dd data-testid="summary-intent">
                {intent}
                {typeof confidence === 'number' && ` (${Math.round(confidence * 100)} %)`}
              </dd>
            </>
          )}
          {(summary?.language ?? understanding?.language) && (
            <>
              <dt>{t.language}</dt>
              <dd>{summary?.language ?? understanding?.language}</dd>
            </>
          )}
          {typeof distress === 'number' && (
            <>
              <dt>{t.distress}</dt>
              <dd>{Math.round(distress * 100)} %</dd>
            </>
          )}
          {typeof outOfScope === 'boolean' && (
            <>
              <dt>{t.outOfScope}</dt>
              <dd>{outOfScope ? t.yes : t.no}</dd>
            </>
          )}
          {(summary?.decision || decision) && (
            <>
              <dt>{t.decision}</dt>
              <dd>
                {(summary?.decision ?? decision)!.action} · <code>{(summary?.decision ?? decision)!.rule}</code>
                {decisionReason && ` — ${decisionReason}`}
              </dd>
            </>
          )}
          {summary?.asked_for_person !== undefined && (
            <>
              <dt>{t.askedForPerson}</dt>
              <dd>{summary.asked_for_person ? t.yes : t.no}</dd>
            </>
          )}
          {summary?.waiting_since && (
            <>
              <dt>{t.waitingSince}</dt>
              <dd>
                {formatTime(summary.waiting_since, lang)}
                {typeof summary.position === 'number' && ` · ${fill(t.position, { n: summary.position })}`}
              </dd>
            </>
          )}
        </dl>
        {summary?.ai_said && summary.ai_said.length > 0 && (
          <>
            <h4>{t.aiSaid}</h4>
            <ul class="ai-said">
              {summary.ai_said.map((m) => (
                <li key={m.seq}>{m.text}</li>
              ))}
            </ul>
          </>
        )}
      </section>

      <div class="actions" role="group" aria-label={t.take}>
        <button type="button" class="primary" onClick={() => act('POST', '/take')}>
          {t.take}
        </button>
        <button type="button" onClick={() => act('POST', '/handback')}>
          {t.handBack}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}

      <section aria-label={t.transcript}>
        <h3>{t.transcript}</h3>
        <ol class="agent-transcript" data-testid="agent-transcript">
          {events.map((e) => {
            if (e.type === 'message') {
              const m = e as MessageEv;
              return (
                <li key={m.seq} class={`amsg amsg-${m.author}`} data-author={m.author}>
                  <span class="who">{authorLabel(m.author, lang, m.agent, true)}</span>{' '}
                  <time class="muted" dateTime={m.at}>
                    {formatTime(m.at, lang)}
                  </time>
                  <p class="text">
                    <MaskedText text={m.text} revealed={revealed} lang={lang} onReveal={async (p, reason) => {
                      const r = (await act('POST', '/reveal', { placeholder: p, reason })) as { original?: string } | null;
                      if (r && typeof r.original === 'string') setRevealed((x) => ({ ...x, [p]: r.original! }));
                    }} />
                  </p>
                </li>
              );
            }
            if (e.type === 'reveal') {
              const r = e as { agent: string; placeholder: string; reason: string; seq: number };
              return (
                <li key={r.seq} class="anotice">
                  {fill(t.revealedBy, { agent: r.agent, p: r.placeholder, reason: r.reason })}
                </li>
              );
            }
            if (e.type === 'review') {
              const r = e as ReviewEv;
              return (
                <li key={r.seq} class="anotice">
                  {fill(t.reviewed, { outcome: r.outcome, agent: r.agent })}
                  {r.reason && ` — ${r.reason}`}
                </li>
              );
            }
            if (e.type === 'queue' || e.type === 'commitment') {
              const q = e as { reason?: { de: string; en: string }; notice?: { de: string; en: string }; seq: number };
              return (
                <li key={q.seq} class="anotice">
                  {pick(q.reason ?? q.notice, lang)}
                </li>
              );
            }
            return null;
          })}
        </ol>
        <div class="sr-only" aria-live="polite">
          {announce}
        </div>
      </section>

      {openDrafts.map((d) => (
        <DraftReview key={d.seq} draft={d} lang={lang} onDecide={(body) => act('POST', `/drafts/${d.seq}`, body)} />
      ))}

      <ReplyForm lang={lang} onSend={(text) => act('POST', '/replies', { text })} />
      <PromiseForm lang={lang} onPromise={(body) => act('POST', '/promises', body)} />
      {promises && promises.length > 0 && (
        <section class="card" aria-label={t.promises}>
          <h3>{t.promises}</h3>
          <ul>
            {promises.map((p) => (
              <li key={String(p.id)}>
                {fill(t.promiseMade, { t: formatTime(p.due_at, lang, true) })} · {p.state ?? 'open'}
              </li>
            ))}
          </ul>
        </section>
      )}
      {messages.length === 0 && <p class="muted">—</p>}
    </article>
  );
}

// A placeholder, with the backslashes before it: an odd number marks a
// look-alike the customer typed (the server escapes those), which is shown as
// typed and can never be revealed; the rest stand for half as many backslashes.
const kPlaceholder = /(\\*)\[([A-Z][A-Z_]*_\d+)\]/g;

function MaskedText({
  text,
  revealed,
  lang,
  onReveal,
}: {
  text: string;
  revealed: Record<string, string>;
  lang: Lang;
  onReveal: (placeholder: string, reason: string) => Promise<void>;
}) {
  const parts = useMemo(() => {
    const out: { text: string; placeholder?: string; typed?: boolean }[] = [];
    let last = 0;
    for (const m of text.matchAll(kPlaceholder)) {
      const slashes = m[1].length;
      const before = text.slice(last, m.index) + '\\'.repeat(Math.floor(slashes / 2));
      if (before) out.push({ text: before });
      if (slashes % 2 === 1) out.push({ text: `[${m[2]}]`, typed: true });
      else out.push({ text: `[${m[2]}]`, placeholder: m[2] });
      last = m.index! + m[0].length;
    }
    if (last < text.length) out.push({ text: text.slice(last) });
    return out;
  }, [text]);
  const t = strings[lang];
  return (
    <>
      {parts.map((p, i) =>
        p.placeholder ? (
          <RevealButton key={i} placeholder={p.placeholder} shown={revealed[p.placeholder]} lang={lang} onReveal={onReveal} />
        ) : p.typed ? (
          <span key={i} class="typed-placeholder" title={t.typedPlaceholder}>
            <span class="typed-mark">{t.typedMark}</span>
            {p.text}
          </span>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

function RevealButton({
  placeholder,
  shown,
  lang,
  onReveal,
}: {
  placeholder: string;
  shown?: string;
  lang: Lang;
  onReveal: (placeholder: string, reason: string) => Promise<void>;
}) {
  const t = strings[lang];
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  if (shown !== undefined) {
    return (
      <mark class="revealed" title={placeholder}>
        {shown}
      </mark>
    );
  }
  if (!asking) {
    return (
      <button type="button" class="placeholder" aria-label={fill(t.reveal, { p: placeholder })} onClick={() => setAsking(true)}>
        [{placeholder}]
      </button>
    );
  }
  const inputId = `reason-${placeholder}`;
  return (
    <form
      class="reveal-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!reason.trim()) return;
        await onReveal(placeholder, reason.trim());
        setAsking(false);
      }}
    >
      <label for={inputId}>{t.revealReason}</label>
      <input id={inputId} value={reason} required autoFocus onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={!reason.trim()}>
        {t.revealDo}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t.cancel}
      </button>
    </form>
  );
}

function DraftReview({ draft, lang, onDecide }: { draft: DraftEv; lang: Lang; onDecide: (body: unknown) => Promise<unknown> }) {
  const t = strings[lang];
  const original = draft.text ?? '';
  const [text, setText] = useState(original);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const parts = useMemo(() => diffWords(original, text), [original, text]);
  const edited = text !== original;
  const inputId = `draft-${draft.seq}`;
  return (
    <section class="card draft-review" aria-label={t.draft} data-testid="draft-review">
      <h3>{t.draft}</h3>
      <label for={inputId}>{t.draftText}</label>
      <textarea id={inputId} rows={6} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <h4>{t.diff}</h4>
      <p class="diff text" data-testid="draft-diff">
        {!edited && <span class="muted">{t.unchanged}: </span>}
        {parts.map((p, i) =>
          p.op === 'same' ? <span key={i}>{p.text}</span> : p.op === 'add' ? <ins key={i}>{p.text}</ins> : <del key={i}>{p.text}</del>,
        )}
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={() => onDecide(edited ? { decision: 'approve', text } : { decision: 'approve' })}>
          {edited ? t.approveEdited : t.approve}
        </button>
        <button type="button" onClick={() => setRejecting(true)}>
          {t.reject}
        </button>
      </div>
      {rejecting && (
        <form
          class="reject-form"
          onSubmit={(e) => {
            e.preventDefault();
            void onDecide({ decision: 'reject', reason: reason.trim() });
          }}
        >
          <label for={`${inputId}-reason`}>{t.rejectReason}</label>
          <input id={`${inputId}-reason`} value={reason} required onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          <button type="submit" disabled={!reason.trim()}>
            {t.reject}
          </button>
        </form>
      )}
    </section>
  );
}

function ReplyForm({ lang, onSend }: { lang: Lang; onSend: (text: string) => Promise<unknown> }) {
  const t = strings[lang];
  const [text, setText] = useState('');
  return (
    <form
      class="reply-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!text.trim()) return;
        if (await onSend(text)) setText('');
      }}
    >
      <label for="reply-text">{t.reply}</label>
      <textarea id="reply-text" rows={3} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <button type="submit" disabled={!text.trim()}>
        {t.send}
      </button>
    </form>
  );
}

function PromiseForm({ lang, onPromise }: { lang: Lang; onPromise: (body: unknown) => Promise<unknown> }) {
  const t = strings[lang];
  const [within, setWithin] = useState('60');
  const [at, setAt] = useState('');
  return (
    <form
      class="promise-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (at) void onPromise({ due_at: new Date(at).toISOString() });
        else void onPromise({ within_minutes: Number(within) });
      }}
    >
      <fieldset>
        <legend>{t.promise}</legend>
        <label for="promise-within">{t.promiseWithin}</label>
        <select id="promise-within" value={within} onChange={(e) => setWithin((e.target as HTMLSelectElement).value)}>
          {[15, 30, 60, 120, 240].map((m) => (
            <option key={m} value={String(m)}>
              {m < 60 ? fill(t.minutes, { n: m }) : m === 60 ? t.hour : fill(t.hours, { n: m / 60 })}
            </option>
          ))}
        </select>
        <label for="promise-at">{t.promiseAt}</label>
        <input id="promise-at" type="datetime-local" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} />
        <button type="submit">{t.promiseDo}</button>
      </fieldset>
    </form>
  );
}

interface Hit {
  article: string;
  title: string;
  url: string;
  heading: string;
  passage: string;
  score: number;
}

function KnowledgeSearch({ auth, lang }: { auth: Auth; lang: Lang }) {
  const t = strings[lang];
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <section class="card kb-search" aria-label={t.kb}>
      <h3>{t.kb}</h3>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const r = await api<{ hits: Hit[] }>('GET', `/api/v1/kb/search?q=${enc(q)}&lang=${lang}&limit=5`, auth.token);
            setHits(r.hits);
          } catch (err) {
            setError(fill(t.error, { msg: (err as Error).message }));
          }
        }}
      >
        <label for="kb-q">{t.kbQuery}</label>
        <input id="kb-q" value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={!q.trim()}>
          {t.kbSearch}
        </button>
      </form>
      {error && <p class="error">{error}</p>}
      {hits && hits.length === 0 && <p class="muted">{t.noHits}</p>}
      {hits && hits.length > 0 && (
        <ol class="kb-hits" data-testid="kb-hits">
          {hits.map((h, i) => {
            const href = safeUrl(h.url);
            return (
              <li key={i}>
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer">
                    {h.title}
                  </a>
                ) : (
                  <strong>{h.title}</strong>
                )}
                {h.heading && <span> — {h.heading}</span>}
                <p class="text passage">{h.passage}</p>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
