// The candor HTTP API, same origin. Errors come back as ApiError with the
// server's {error: {code, message}}; a route that does not exist (yet) is
// a 404 the callers treat as "not available".
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  method: string,
  path: string,
  token?: string | null,
  body?: unknown,
  background = false,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  // A page refreshing itself is not the agent at work: it renews no idle time.
  if (background) headers['X-Candor-Background'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : 'network error');
  }
  const text = await response.text();
  let json: unknown = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(response.status, err?.code ?? 'http_' + response.status, err?.message ?? response.statusText);
  }
  return json as T;
}

// Like api(), but a missing route or resource gives null instead of an error.
export async function optional<T>(method: string, path: string, token?: string | null): Promise<T | null> {
  try {
    return await api<T>(method, path, token);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 501)) return null;
    throw e;
  }
}

export const enc = encodeURIComponent;

// Only http(s) links are ever made clickable.
export function safeUrl(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}
