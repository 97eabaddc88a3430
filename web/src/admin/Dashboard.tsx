// The trust dashboard: how often the AI answered alone, handed over, was
// corrected or said "I don't know", how fast people came and whether promises
// were kept; the policy in force, the knowledge base and the ledger checkpoint.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, optional, safeUrl } from '../lib/api';
import { loadAuth, LoginScreen, logout, saveAuth, type Auth } from '../lib/auth';
import { fill, formatDuration, formatPercent, formatTime, pick, useLang, type Lang } from '../lib/i18n';
import { LangSwitch } from '../lib/ui';
import { Chart, type Line } from './Chart';

interface Figures {
  turns?: number;
  ai_alone?: number;
  ai_alone_share?: number | null;
  handoffs?: number;
  handoff_share?: number | null;
  drafts?: { approved_unchanged?: number; edited?: number; rejected?: number };
  dont_know?: number;
  dont_know_rate?: number | null;
  time_to_person_seconds?: { p50?: number | null; p90?: number | null; count?: number };
  promises?: { made?: number; kept?: number; broken?: number; open?: number };
}
interface Trust {
  from: string;
  to: string;
  totals: Figures;
  series: (Figures & { start: string })[];
}
interface Policy {
  file: string;
  rules: { name: string; action: string; when: unknown; reason: { de: string; en: string } }[];
}
interface Article {
  id: string;
  title: string;
  language: string;
  url: string;
  reviewed_on: string;
  tags?: string[];
}
interface Checkpoint {
  checkpoint: string;
  tree_size: number;
  root_hash: string;
  issued_at: string;
  verifier_key: string;
}

const s = {
  de: {
    title: 'candor – Vertrauen',
    range: 'Zeitraum',
    day: 'Letzte 24 Stunden',
    week: 'Letzte 7 Tage',
    month: 'Letzte 30 Tage',
    aiAlone: 'KI allein beantwortet',
    handoffs: 'An Menschen übergeben',
    timeToPerson: 'Zeit bis zu einem Menschen',
    drafts: 'Entwürfe',
    unchanged: 'unverändert freigegeben',
    edited: 'bearbeitet',
    rejected: 'abgelehnt',
    dontKnow: '„Ich weiß es nicht“',
    promisesKept: 'Zusagen eingehalten',
    kept: 'eingehalten',
    broken: 'gebrochen',
    open: 'offen',
    of: '{a} von {b}',
    shares: 'Anteile über die Zeit',
    ttp: 'Zeit bis zu einem Menschen (p50 / p90)',
    draftChart: 'Entwürfe über die Zeit',
    promiseChart: 'Zusagen über die Zeit',
    policy: 'Geltende Regeln',
    rule: 'Regel',
    action: 'Aktion',
    when: 'Wann',
    reason: 'Begründung',
    kb: 'Wissensdatenbank',
    article: 'Artikel',
    language: 'Sprache',
    reviewed: 'Geprüft am',
    overdue: 'Prüfung fällig',
    ledger: 'Letzter Ledger-Checkpoint',
    treeSize: 'Einträge',
    root: 'Wurzel-Hash',
    issued: 'Ausgestellt',
    key: 'Prüfschlüssel',
    notAvailable: 'Noch nicht verfügbar.',
    noCheckpoint: 'Noch kein Checkpoint signiert.',
    notAdmin: 'Dieses Dashboard ist für Administratorinnen und Administratoren.',
    logout: 'Abmelden',
    noData: 'Noch keine Daten in diesem Zeitraum.',
    turns: '{n} Anfragen',
  },
  en: {
    title: 'candor – Trust',
    range: 'Period',
    day: 'Last 24 hours',
    week: 'Last 7 days',
    month: 'Last 30 days',
    aiAlone: 'Answered by the AI alone',
    handoffs: 'Handed to a person',
    timeToPerson: 'Time to a person',
    drafts: 'Drafts',
    unchanged: 'approved unchanged',
    edited: 'edited',
    rejected: 'rejected',
    dontKnow: '"I don\'t know"',
    promisesKept: 'Promises kept',
    kept: 'kept',
    broken: 'broken',
    open: 'open',
    of: '{a} of {b}',
    shares: 'Shares over time',
    ttp: 'Time to a person (p50 / p90)',
    draftChart: 'Drafts over time',
    promiseChart: 'Promises over time',
    policy: 'Policy in force',
    rule: 'Rule',
    action: 'Action',
    when: 'When',
    reason: 'Reason',
    kb: 'Knowledge base',
    article: 'Article',
    language: 'Language',
    reviewed: 'Reviewed on',
    overdue: 'review due',
    ledger: 'Latest ledger checkpoint',
    treeSize: 'Entries',
    root: 'Root hash',
    issued: 'Issued',
    key: 'Verifier key',
    notAvailable: 'Not available yet.',
    noCheckpoint: 'No checkpoint has been signed yet.',
    notAdmin: 'This dashboard is for admins.',
    logout: 'Log out',
    noData: 'No data in this period yet.',
    turns: '{n} requests',
  },
};

type Range = 'day' | 'week' | 'month';
const kRanges: Record<Range, { ms: number; bucket: 'hour' | 'day' }> = {
  day: { ms: 24 * 3600e3, bucket: 'hour' },
  week: { ms: 7 * 24 * 3600e3, bucket: 'day' },
  month: { ms: 30 * 24 * 3600e3, bucket: 'day' },
};

export function Dashboard() {
  const lang = useLang();
  const t = s[lang];
  const [auth, setAuth] = useState<Auth | null>(loadAuth);
  const [range, setRange] = useState<Range>('day');
  const [trust, setTrust] = useState<Trust | null | 'missing'>(null);
  const [forbidden, setForbidden] = useState(false);
  const [policy, setPolicy] = useState<Policy | null | 'missing'>(null);
  const [articles, setArticles] = useState<Article[] | null | 'missing'>(null);
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null | 'missing'>(null);

  useEffect(() => {
    document.title = t.title;
  }, [lang]);

  useEffect(() => {
    if (!auth) return;
    // The current hour (or day) counts too: the period ends at the next
    // bucket boundary, since a bucket that has begun is reported whole.
    const step = kRanges[range].bucket === 'hour' ? 3600e3 : 24 * 3600e3;
    const to = new Date(Math.ceil((Date.now() + 1) / step) * step);
    const from = new Date(to.getTime() - kRanges[range].ms);
    const q = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&bucket=${kRanges[range].bucket}`;
    const guard = async <T,>(p: Promise<T | null>, set: (v: T | 'missing') => void) => {
      try {
        const v = await p;
        set(v === null ? 'missing' : v);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          saveAuth(null);
          setAuth(null);
        } else if (e instanceof ApiError && e.status === 403) {
          setForbidden(true);
          set('missing');
        } else set('missing');
      }
    };
    void guard(optional<Trust>('GET', `/api/v1/metrics/trust?${q}`, auth.token), setTrust);
    void guard(optional<Policy>('GET', '/api/v1/policy', auth.token), setPolicy);
    void guard(
      optional<{ articles: Article[] }>('GET', '/api/v1/kb/articles', auth.token).then((r) => (r ? r.articles : null)),
      setArticles,
    );
    void guard(optional<Checkpoint>('GET', '/api/v1/ledger/checkpoint', null), setCheckpoint);
  }, [auth?.token, range]);

  if (!auth) return <LoginScreen page="dashboard" lang={lang} heading={t.title} onLogin={setAuth} />;

  return (
    <div class="dashboard">
      <header class="topbar">
        <h1>{t.title}</h1>
        <span class="muted">
          {auth.agent.name} ({auth.agent.role})
        </span>
        <LangSwitch lang={lang} />
        <button
          type="button"
          onClick={() => {
            void logout(auth);
            setAuth(null);
          }}
        >
          {t.logout}
        </button>
      </header>
      <main id="main" class="dash-main">
        {forbidden && auth.agent.role !== 'admin' && (
          <p class="error" role="alert">
            {t.notAdmin}
          </p>
        )}
        <div class="range" role="group" aria-label={t.range}>
          {(Object.keys(kRanges) as Range[]).map((r) => (
            <button key={r} type="button" aria-pressed={range === r} onClick={() => setRange(r)}>
              {t[r]}
            </button>
          ))}
        </div>
        <TrustSection trust={trust} lang={lang} />
        <section aria-labelledby="policy-h" class="card">
          <h2 id="policy-h">{t.policy}</h2>
          {policy === 'missing' ? (
            <p class="muted" data-testid="policy-missing">
              {t.notAvailable}
            </p>
          ) : policy ? (
            <>
              <p class="muted">
                <code>{policy.file}</code>
              </p>
              <div class="scroll">
                <table data-testid="policy-rules">
                  <thead>
                    <tr>
                      <th scope="col">{t.rule}</th>
                      <th scope="col">{t.action}</th>
                      <th scope="col">{t.when}</th>
                      <th scope="col">{t.reason}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {policy.rules.map((r) => (
                      <tr key={r.name}>
                        <th scope="row">
                          <code>{r.name}</code>
                        </th>
                        <td>{r.action}</td>
                        <td>
                          <code>{typeof r.when === 'string' ? r.when : JSON.stringify(r.when)}</code>
                        </td>
                        <td>{pick(r.reason, lang)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </section>
        <section aria-labelledby="kb-h" class="card">
          <h2 id="kb-h">{t.kb}</h2>
          {articles === 'missing' ? (
            <p class="muted" data-testid="kb-articles-missing">
              {t.notAvailable}
            </p>
          ) : articles ? (
            <div class="scroll">
              <table data-testid="kb-articles">
                <thead>
                  <tr>
                    <th scope="col">{t.article}</th>
                    <th scope="col">{t.language}</th>
                    <th scope="col">{t.reviewed}</th>
                  </tr>
                </thead>
                <tbody>
                  {articles.map((a) => {
                    const href = safeUrl(a.url);
                    const due = a.reviewed_on && Date.now() - new Date(a.reviewed_on).getTime() > 365 * 24 * 3600e3;
                    return (
                      <tr key={a.id}>
                        <th scope="row">
                          {href ? (
                            <a href={href} target="_blank" rel="noopener noreferrer">
                              {a.title}
                            </a>
                          ) : (
                            a.title
                          )}
                        </th>
                        <td>{a.language}</td>
                        <td>
                          {a.reviewed_on}
                          {due && <strong class="due"> · {t.overdue}</strong>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
        <section aria-labelledby="ledger-h" class="card">
          <h2 id="ledger-h">{t.ledger}</h2>
          {checkpoint === 'missing' ? (
            <p class="muted" data-testid="ledger-missing">
              {t.noCheckpoint}
            </p>
          ) : checkpoint ? (
            <div data-testid="ledger">
              <dl class="facts">
                <dt>{t.treeSize}</dt>
                <dd>{checkpoint.tree_size}</dd>
                <dt>{t.issued}</dt>
                <dd>{formatTime(checkpoint.issued_at, lang, true)}</dd>
                <dt>{t.root}</dt>
                <dd>
                  <code>{checkpoint.root_hash}</code>
                </dd>
                <dt>{t.key}</dt>
                <dd>
                  <code>{checkpoint.verifier_key}</code>
                </dd>
              </dl>
              <pre class="checkpoint">{checkpoint.checkpoint}</pre>
            </div>
          ) : null}
        </section>
      </main>
    </div>
  );
}

function TrustSection({ trust, lang }: { trust: Trust | null | 'missing'; lang: Lang }) {
  const t = s[lang];
  const charts = useMemo(() => {
    if (!trust || trust === 'missing') return null;
    const times = trust.series.map((b) => Math.floor(new Date(b.start).getTime() / 1000));
    const v = (f: (b: Figures) => number | null | undefined) => trust.series.map((b) => f(b) ?? null);
    const shares: Line[] = [
      { label: t.aiAlone, values: v((b) => b.ai_alone_share), color: '#0b5394' },
      { label: t.handoffs, values: v((b) => b.handoff_share), color: '#1e6b34', dash: [6, 3] },
      { label: t.dontKnow, values: v((b) => b.dont_know_rate), color: '#8a4b00', dash: [2, 3] },
    ];
    const ttp: Line[] = [
      { label: 'p50', values: v((b) => b.time_to_person_seconds?.p50), color: '#0b5394' },
      { label: 'p90', values: v((b) => b.time_to_person_seconds?.p90), color: '#a4161a', dash: [6, 3] },
    ];
    const drafts: Line[] = [
      { label: t.unchanged, values: v((b) => b.drafts?.approved_unchanged), color: '#1e6b34' },
      { label: t.edited, values: v((b) => b.drafts?.edited), color: '#8a4b00', dash: [6, 3] },
      { label: t.rejected, values: v((b) => b.drafts?.rejected), color: '#a4161a', dash: [2, 3] },
    ];
    const promises: Line[] = [
      { label: t.kept, values: v((b) => b.promises?.kept), color: '#1e6b34' },
      { label: t.broken, values: v((b) => b.promises?.broken), color: '#a4161a', dash: [6, 3] },
    ];
    return { times, shares, ttp, drafts, promises };
  }, [trust, lang]);

  if (trust === null) return null;
  if (trust === 'missing') {
    return (
      <p class="muted card" data-testid="trust-missing">
        {t.notAvailable}
      </p>
    );
  }
  const tot = trust.totals;
  const count = (n: number | null | undefined) => (n === null || n === undefined ? '–' : String(n));
  const pct = (n: number | null | undefined) => formatPercent(n, lang);
  const secs = (n: number | null | undefined) => (n === null || n === undefined ? '–' : formatDuration(n, lang));
  const made = tot.promises?.made ?? 0;
  return (
    <section aria-label={t.shares} data-testid="trust">
      <p class="muted">{fill(t.turns, { n: count(tot.turns) })}</p>
      <ul class="tiles">
        <li class="card tile">
          <span class="big">{pct(tot.ai_alone_share)}</span>
          <span>{t.aiAlone}</span>
        </li>
        <li class="card tile">
          <span class="big">{pct(tot.handoff_share)}</span>
          <span>
            {t.handoffs} ({count(tot.handoffs)})
          </span>
        </li>
        <li class="card tile">
          <span class="big">{secs(tot.time_to_person_seconds?.p50)}</span>
          <span>
            {t.timeToPerson} (p50; p90 {secs(tot.time_to_person_seconds?.p90)})
          </span>
        </li>
        <li class="card tile">
          <span class="big">
            {count(tot.drafts?.approved_unchanged)} / {count(tot.drafts?.edited)} / {count(tot.drafts?.rejected)}
          </span>
          <span>
            {t.drafts}: {t.unchanged} / {t.edited} / {t.rejected}
          </span>
        </li>
        <li class="card tile">
          <span class="big">{pct(tot.dont_know_rate)}</span>
          <span>{t.dontKnow}</span>
        </li>
        <li class="card tile">
          <span class="big">{made ? pct((tot.promises?.kept ?? 0) / made) : '–'}</span>
          <span>
            {t.promisesKept} ({fill(t.of, { a: count(tot.promises?.kept), b: count(made) })}; {t.open} {count(tot.promises?.open)})
          </span>
        </li>
      </ul>
      {charts && charts.times.length > 0 ? (
        <div class="charts">
          <Chart title={t.shares} times={charts.times} lines={charts.shares} lang={lang} format={(x) => pct(x)} testid="chart-shares" />
          <Chart title={t.ttp} times={charts.times} lines={charts.ttp} lang={lang} format={(x) => secs(x)} testid="chart-ttp" />
          <Chart title={t.draftChart} times={charts.times} lines={charts.drafts} lang={lang} format={(x) => count(x)} testid="chart-drafts" />
          <Chart title={t.promiseChart} times={charts.times} lines={charts.promises} lang={lang} format={(x) => count(x)} testid="chart-promises" />
        </div>
      ) : (
        <p class="muted">{t.noData}</p>
      )}
    </section>
  );
}
