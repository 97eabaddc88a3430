// German and English. The language comes from the browser unless the user
// picked one (kept in localStorage); every page can switch it.
import { useEffect, useState } from 'preact/hooks';

export type Lang = 'de' | 'en';
export type Bilingual = { de: string; en: string };

const kStorageKey = 'candor.lang';

export function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(kStorageKey);
    if (saved === 'de' || saved === 'en') return saved;
  } catch {
    /* storage may be off */
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = (tag || '').toLowerCase().slice(0, 2);
    if (base === 'de') return 'de';
    if (base === 'en') return 'en';
  }
  return 'en';
}

type Listener = (lang: Lang) => void;
let current: Lang = initialLang();
const listeners = new Set<Listener>();

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(kStorageKey, lang);
  } catch {
    /* ignore */
  }
  document.documentElement.lang = lang;
  listeners.forEach((l) => l(lang));
}

export function useLang(): Lang {
  const [lang, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    return () => void listeners.delete(set);
  }, []);
  return lang;
}

export function pick(text: Bilingual | undefined | null, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text.en || text.de || '';
}

// Fills {name} slots; the values are plain text.
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => (k in values ? String(values[k]) : `{${k}}`));
}

export function formatTime(iso: string | number | undefined | null, lang: Lang, withDate = false): string {
  if (iso === undefined || iso === null || iso === '') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const locale = lang === 'de' ? 'de-DE' : 'en-GB';
  const opts: Intl.DateTimeFormatOptions = withDate
    ? { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' }
    : { hour: '2-digit', minute: '2-digit', second: '2-digit' };
  return d.toLocaleString(locale, opts);
}

export function formatDuration(seconds: number | null | undefined, lang: Lang): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return lang === 'de' ? `${s} s` : `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return lang === 'de' ? `${m} Min.` : `${m} min`;
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return lang === 'de' ? `${h} Std. ${rest} Min.` : `${h} h ${rest} min`;
}

export function formatPercent(share: number | null | undefined, lang: Lang): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(share);
}
