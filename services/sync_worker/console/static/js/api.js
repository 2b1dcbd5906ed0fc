// The public REST API of the integration, as any frontend calls it: a bearer key, JSON in,
// JSON or problem+json out. The key lives in sessionStorage only (this tab, this origin).

import { language, t } from './i18n.js';

const KEY = 'simon.console.apiKey';
export const PREFIX = '/api/v1/integration';

export const credentials = {
  get key() { return sessionStorage.getItem(KEY); },
  remember(key) { sessionStorage.setItem(KEY, key); },
  forget() { sessionStorage.removeItem(KEY); },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || '';
    this.errors = this.problem.errors || [];
  }

  // What to tell the office: the field messages (Dutch, meant for people) or the detail.
  describe() {
    if (this.status === 0) return t('error.network');
    const known = t(`problem.${this.code}`);
    if (this.code && known !== `problem.${this.code}`) return known;
    if (this.errors.length) return this.errors.map((e) => e.message).join(' ');
    return t('error.generic', { status: this.status, detail: this.problem.detail || this.message });
  }
}

let onExpired = () => {};
export function whenKeyExpires(callback) { onExpired = callback; }

export async function api(method, path, { body, query, key } = {}) {
  const url = new URL(PREFIX + path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }
  const headers = {
    Accept: 'application/json',
    Authorization: `Bearer ${key ?? credentials.key ?? ''}`,
    'Accept-Language': language() === 'en' ? 'en, nl;q=0.5' : 'nl',
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, { code: 'network', detail: String(error) });
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    // A key revoked while logged in: back to the login form (not while logging in).
    if (response.status === 401 && key === undefined) onExpired(error);
    throw error;
  }
  return data;
}
