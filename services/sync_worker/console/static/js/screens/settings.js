// Instellingen after activation (manual 6): edit and save, with the note that changes apply
// from now on, and the history of saved versions.

import { api } from '../api.js';
import { formatDate, t } from '../i18n.js';
import { h, showAlert, tableWrap } from '../ui.js';
import { settingsForm } from './settings-form.js';

function product(value) {
  if (!value) return t('app.none');
  return [value.product_code, value.description].filter(Boolean).join(' · ') || String(value.id);
}

function history(items) {
  return h('table', {},
    h('caption', { class: 'visually-hidden' }, t('settings.history')),
    h('thead', {}, h('tr', {},
      ['settings.savedAt', 'settings.savedBy', 'form.administration', 'form.work_time_product',
        'form.travel_time_product', 'form.standard_product', 'form.descriptionFirst', 'form.filterWord']
        .map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, items.map((version) => {
      const s = version.settings;
      return h('tr', {},
        h('th', { scope: 'row' }, formatDate(version.saved_at)),
        h('td', {}, version.saved_by ? t('settings.employee', { id: version.saved_by }) : t('app.none')),
        h('td', {}, s.administration_name || String(s.administration_id ?? '')),
        h('td', {}, product(s.work_time_product)),
        h('td', {}, product(s.travel_time_product)),
        h('td', {}, product(s.standard_product)),
        h('td', {}, s.description_as_first_line ? t('app.yes') : t('app.no')),
        h('td', {}, s.filter_word || t('app.none')));
    })));
}

export async function render(context) {
  const { main } = context;
  const problem = h('div');
  main.append(h('h1', {}, t('settings.title')), problem);
  let stored;
  let versions;
  try {
    [stored, versions] = await Promise.all([api('GET', '/settings'), api('GET', '/settings/history')]);
  } catch (error) {
    showAlert(problem, error.code === 'settings_not_found' ? t('settings.notYet') : error.describe());
    return;
  }
  let form;
  try {
    form = await settingsForm({
      mode: 'settings',
      stored,
      onSaved: () => {
        context.noticeForNext(t('form.saved'));
        context.render();
      },
    });
  } catch (error) {
    showAlert(problem, error.describe());
    return;
  }
  main.append(form, h('h2', {}, t('settings.history')), tableWrap(t('settings.history'), history(versions.items)));
}
