// Small pieces every page shares: the language switch and author labels.
import type { Lang } from './i18n';
import { setLang } from './i18n';
import type { Author } from './types';

export function LangSwitch({ lang }: { lang: Lang }) {
  return (
    <div class="lang-switch" role="group" aria-label={lang === 'de' ? 'Sprache' : 'Language'}>
      <button type="button" lang="de" aria-pressed={lang === 'de'} onClick={() => setLang('de')}>
        Deutsch
      </button>
      <button type="button" lang="en" aria-pressed={lang === 'en'} onClick={() => setLang('en')}>
        English
      </button>
    </div>
  );
}

const kAuthorLabels: Record<Author, { de: string; en: string }> = {
  customer: { de: 'Sie', en: 'You' },
  customer_assistant: { de: 'Ihr Assistent', en: 'Your assistant' },
  ai: { de: 'KI', en: 'AI' },
  person: { de: 'Mensch', en: 'Person' },
  ai_approved: { de: 'KI, von einem Menschen freigegeben', en: 'AI, approved by a person' },
};

// From the customer's point of view ("You"); agents see "Customer".
export function authorLabel(author: Author, lang: Lang, agent?: string, forAgent = false): string {
  if (forAgent && author === 'customer') return lang === 'de' ? 'Kunde' : 'Customer';
  if (forAgent && author === 'customer_assistant') return lang === 'de' ? 'Assistent des Kunden' : "Customer's assistant";
  const base = (kAuthorLabels[author] ?? { de: author, en: author })[lang];
  if (author === 'person' && agent) return `${base} · ${agent}`;
  if (author === 'ai_approved' && agent) return `${base} (${agent})`;
  return base;
}

export function isAi(author: Author): boolean {
  return author === 'ai' || author === 'ai_approved';
}
