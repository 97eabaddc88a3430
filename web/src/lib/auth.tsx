// Agent login, shared by the console and the dashboard. The session token is
// kept in sessionStorage: it ends with the tab. The device token a login
// hands out is kept in localStorage per name: sent with the next login from
// this browser, it spares the agent the back-off that strangers guessing
// their name cause elsewhere.
import { useState } from 'preact/hooks';
import { api } from './api';
import type { Lang } from './i18n';
import { LangSwitch } from './ui';

export interface Auth {
  token: string;
  expires_at?: string;
  device?: string;
  agent: { name: string; role: string };
}
const kKey = 'candor.agent';

export function loadAuth(): Auth | null {
  try {
    const raw = sessionStorage.getItem(kKey);
    if (!raw) return null;
    const a = JSON.parse(raw) as Auth;
    if (a.expires_at && new Date(a.expires_at).getTime() < Date.now()) return null;
    return a;
  } catch {
    return null;
  }
}

export function saveAuth(a: Auth | null) {
  try {
    if (a) sessionStorage.setItem(kKey, JSON.stringify(a));
    else sessionStorage.removeItem(kKey);
  } catch {
    /* ignore */
  }
}

const kDeviceKey = 'candor.device.';

function loadDevice(name: string): string | undefined {
  try {
    return localStorage.getItem(kDeviceKey + name) ?? undefined;
  } catch {
    return undefined;
  }
}

function saveDevice(name: string, device: string | undefined) {
  try {
    if (device) localStorage.setItem(kDeviceKey + name, device);
  } catch {
    /* ignore */
  }
}

// Ends the session on the server (its live streams close with it), then here.
export async function logout(a: Auth | null) {
  saveAuth(null);
  if (!a) return;
  try {
    await api('POST', '/api/v1/agents/logout', a.token);
  } catch {
    /* already ended */
  }
}

const t = {
  de: { title: 'Anmelden', name: 'Name', password: 'Passwort', submit: 'Anmelden', wrong: 'Name oder Passwort falsch.', limited: 'Zu viele Versuche; bitte später erneut.' },
  en: { title: 'Log in', name: 'Name', password: 'Password', submit: 'Log in', wrong: 'The name or the password is wrong.', limited: 'Too many attempts; try again later.' },
};

export function LoginForm({ lang, heading, onLogin }: { lang: Lang; heading: string; onLogin: (a: Auth) => void }) {
  const s = t[lang];
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const device = loadDevice(name);
      const a = await api<Auth>('POST', '/api/v1/agents/login', null, device ? { name, password, device } : { name, password });
      saveDevice(a.agent.name, a.device);
      delete a.device;
      saveAuth(a);
      onLogin(a);
    } catch (err) {
      const status = (err as { status?: number }).status;
      setError(status === 429 ? s.limited : status === 401 ? s.wrong : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="login" id="main">
      <h1>{heading}</h1>
      <form onSubmit={submit} class="card login-form">
        <h2>{s.title}</h2>
        <label for="login-name">{s.name}</label>
        <input id="login-name" autocomplete="username" value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <label for="login-password">{s.password}</label>
        <input
          id="login-password"
          type="password"
          autocomplete="current-password"
          value={password}
          required
          onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy}>
          {s.submit}
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

// The whole page before login: the language switch and the login form.
export function LoginScreen({ page, lang, heading, onLogin }: { page: string; lang: Lang; heading: string; onLogin: (a: Auth) => void }) {
  return (
    <div class={page}>
      <div class="topbar">
        <LangSwitch lang={lang} />
      </div>
      <LoginForm lang={lang} heading={heading} onLogin={onLogin} />
    </div>
  );
}
