// Language choice and formatting; the texts are in texts/nl.js (default) and texts/en.js.
// t('key', {name: value}) fills {name} placeholders; a missing English text falls back to Dutch.

import { en } from './texts/en.js';
import { nl } from './texts/nl.js';

const STORE = 'simon.console.language';

const TEXTS = { nl, en };

export function language() {
  return localStorage.getItem(STORE) === 'en' ? 'en' : 'nl';
}

export function setLanguage(code) {
  localStorage.setItem(STORE, code === 'en' ? 'en' : 'nl');
  document.documentElement.lang = language();
}

export function t(key, params = {}) {
  const text = TEXTS[language()][key] ?? nl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

// Dates as Dutch offices read them, in Dutch time whatever the browser's zone (DESIGN D9).
export function formatDate(iso) {
  if (!iso) return t('app.none');
  const locale = language() === 'en' ? 'en-GB' : 'nl-NL';
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'Europe/Amsterdam', day: '2-digit', month: '2-digit', year: 'numeric',
    hour: '2-digit', minute: '2-digit',
  }).format(new Date(iso)).replace(',', '');
}

export function formatMoney(value) {
  if (value === null || value === undefined || value === '') return t('app.none');
  const locale = language() === 'en' ? 'en-GB' : 'nl-NL';
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' }).format(Number(value));
}

export function formatNumber(value) {
  const locale = language() === 'en' ? 'en-GB' : 'nl-NL';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(Number(value));
}
