// Inloggen: an office API key, checked against the status endpoint before it is kept.

import { api, credentials } from '../api.js';
import { t } from '../i18n.js';
import { field, h, showAlert } from '../ui.js';

export function render({ main, onLogin }) {
  const key = h('input', {
    type: 'password', name: 'api-key', autocomplete: 'off', spellcheck: 'false', required: true,
  });
  const problem = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t('login.submit'));
  const form = h('form', {
    class: 'login',
    onsubmit: async (event) => {
      event.preventDefault();
      const value = key.value.trim();
      if (!value) {
        showAlert(problem, t('login.empty'));
        key.focus();
        return;
      }
      submit.disabled = true;
      try {
        await api('GET', '', { key: value });
      } catch (error) {
        submit.disabled = false;
        const reason = error.status === 401 ? t('login.unknown')
          : error.status === 403 ? t('login.field') : error.describe();
        key.setAttribute('aria-invalid', 'true');
        showAlert(problem, reason);
        key.select();
        return;
      }
      // Kept for this tab only; the field is cleared so the key is never shown again.
      credentials.remember(value);
      key.value = '';
      onLogin();
    },
  }, field(t('login.key'), key), problem, submit);
  main.append(h('h1', {}, t('login.title')), h('p', {}, t('login.intro')), form);
  key.focus();
}
