// Activeren: the checklist of the manual (4.2–5.8). First activation: wipe every table →
// connect → settings, "Opslaan en activeren". Re-activation: an optional wipe with tick
// boxes per table → (connect again if wanted) → "Activeren".

import { api } from '../api.js';
import { formatDate, t } from '../i18n.js';
import { badge, busy, confirmDialog, h, showAlert, tableWrap, uid } from '../ui.js';
import { settingsForm } from './settings-form.js';

function step(number, name, done, optional, ...content) {
  const titleId = uid('step');
  const mark = done ? t('activate.done') : optional ? t('activate.optional') : t('activate.todo');
  return h('section', { class: `step ${done ? 'step-done' : ''}`, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, t('step.n', { n: number, name }), ' ', h('span', { class: 'step-mark' }, `(${mark})`)),
    content);
}

async function wipeStep(context, first, wiped) {
  const preview = await api('GET', '/wipe');
  const problem = h('div');
  const boxes = preview.tables.map((table) => h('input', {
    type: 'checkbox', id: uid('wipe'), value: table.table,
    checked: table.required, disabled: table.required,
  }));
  const rows = preview.tables.map((table, index) => h('tr', {},
    h('td', {}, boxes[index]),
    h('th', { scope: 'row' }, h('label', { for: boxes[index].id }, t(`table.${table.table}`))),
    h('td', { class: 'number' }, String(table.count)),
    h('td', {}, formatDate(table.last_mutation_at))));
  const button = h('button', {
    type: 'button', class: 'danger',
    onclick: () => busy(button, async () => {
      const chosen = preview.tables.filter((_, index) => boxes[index].checked);
      if (!chosen.length) { showAlert(problem, t('wipe.nothing')); return; }
      const names = chosen.map((table) => `${t(`table.${table.table}`)} (${table.count})`).join(', ');
      const sure = await confirmDialog(t('wipe.confirmTitle'), [t('wipe.confirmText', { tables: names })], t('wipe.confirm'));
      if (!sure) return;
      try {
        await api('POST', '/wipe', { body: { tables: chosen.map((table) => table.table) } });
      } catch (error) {
        showAlert(problem, error.describe());
        return;
      }
      context.noticeForNext(t('wipe.done'));
      await context.render();
    }),
  }, t('wipe.button'));
  const table = h('table', {},
    h('caption', {}, t('wipe.caption')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('wipe.pick')),
      h('th', { scope: 'col' }, t('wipe.table')),
      h('th', { scope: 'col', class: 'number' }, t('wipe.count')),
      h('th', { scope: 'col' }, t('wipe.last')))),
    h('tbody', {}, rows));
  return step(1, t('step.wipe'), wiped, !first,
    h('p', {}, t(first ? 'wipe.intro' : 'wipe.introAgain')),
    tableWrap(t('wipe.caption'), table),
    wiped ? h('p', { class: 'ok' }, t('wipe.wiped')) : null,
    problem, button);
}

// Rompslomp's consent, then back to /console/ (UI_RETURN_URL). The login lives in this
// origin's sessionStorage, so the console must be on the callback's host.
export async function connect(problem) {
  let answer;
  try {
    answer = await api('POST', '/connect');
  } catch (error) {
    showAlert(problem, error.describe());
    return;
  }
  const callback = new URL(answer.authorize_url).searchParams.get('redirect_uri');
  if (callback && new URL(callback).origin !== location.origin) {
    const url = `${new URL(callback).origin}/console/`;
    problem.replaceChildren(h('div', { class: 'alert', role: 'alert' },
      t('connect.otherHost', { url }), ' ', h('a', { href: url }, url)));
    return;
  }
  location.assign(answer.authorize_url);
}

function connectStep(first, wiped, connected) {
  const problem = h('div');
  const button = h('button', {
    type: 'button', class: connected ? '' : 'primary', disabled: first && !wiped,
    onclick: () => busy(button, () => connect(problem)),
  }, t('connect.button'));
  return step(2, t('step.connect'), connected, false,
    h('p', {}, t('connect.intro')),
    h('ul', {}, ['connect.scope1', 'connect.scope2', 'connect.scope3', 'connect.scope4'].map((key) => h('li', {}, t(key)))),
    first && !wiped ? h('p', { class: 'hint' }, t('connect.wipeFirst')) : null,
    connected ? h('p', { class: 'ok' }, t('connect.connected')) : null,
    problem, button);
}

async function settingsStep(context, connected) {
  if (!connected) return step(3, t('step.settings'), false, false, h('p', { class: 'hint' }, t('settings.connectFirst')));
  const form = await settingsForm({
    mode: 'activate',
    stored: null,
    onSaved: () => {
      context.noticeForNext(t('form.success'));
      context.navigate('status');
    },
  });
  return step(3, t('step.settings'), false, false, form);
}

function reactivateStep(context) {
  const problem = h('div');
  const button = h('button', {
    type: 'button', class: 'primary',
    onclick: () => busy(button, async () => {
      try {
        await api('POST', '/activate');
      } catch (error) {
        showAlert(problem, error.describe());
        return;
      }
      context.noticeForNext(t('reactivate.done'));
      context.navigate('status');
    }),
  }, t('reactivate.button'));
  return step(3, t('step.activate'), false, false,
    h('p', {}, t('reactivate.intro')),
    h('p', {}, h('a', { href: '#/instellingen' }, t('reactivate.settings'))),
    problem, button);
}

export async function render(context) {
  const { main, integration } = context;
  const first = integration.first_activation;
  const { wiped, connected } = integration.wizard;
  const checklist = h('ol', { class: 'checklist' },
    [[t('step.wipe'), wiped || !first], [t('step.connect'), connected], [first ? t('step.settings') : t('step.activate'), false]]
      .map(([name, done]) => h('li', { class: done ? 'done' : '' }, `${name} (${done ? t('activate.done') : t('activate.todo')})`)));
  main.append(
    h('h1', {}, t(first ? 'activate.title' : 'activate.titleAgain')),
    h('p', {}, t('state.label'), ' ', badge(integration.state)),
    h('p', {}, h('strong', {}, t('activate.integration'))),
    h('p', {}, t('activate.how')),
    h('ol', {}, h('li', {}, t('activate.how1')), h('li', {}, t('activate.how2'))),
    h('h2', {}, t('activate.steps')),
    checklist,
    await wipeStep(context, first, wiped),
    connectStep(first, wiped, connected),
    first ? await settingsStep(context, connected) : reactivateStep(context));
}
