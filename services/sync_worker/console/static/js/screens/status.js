// Status (manual 5.9): the state badge, start and end, per table the count, last Simon
// change and last integration update, live sync progress, "Nu synchroniseren", the
// deletion guard's banner, Deactiveren / Activeren / Opnieuw koppelen. While a run is
// queued or running the screen polls every second, otherwise every ten; buttons are built
// once and only shown or hidden, so a poll never takes the keyboard focus away.

import { api } from '../api.js';
import { formatDate, t } from '../i18n.js';
import { badge, busy, checkbox, confirmDialog, h, openDialog, showAlert, tableWrap } from '../ui.js';
import { connect } from './activate.js';

const FAST_MS = 1000;
const SLOW_MS = 10000;
const TABLE_ORDER = ['customer', 'article', 'work_address', 'article_group'];

function progressLine(run) {
  const entity = t(`entity.${run.entity}`);
  if (run.status === 'queued') return h('p', {}, t('status.queued', { entity }));
  if (run.status === 'running') {
    // aria-valuemax is the run's number of records, aria-valuenow the number fetched.
    const known = run.total !== null && run.total !== undefined;
    const bar = h('div', {
      role: 'progressbar', 'aria-label': entity, 'aria-valuemin': '0',
      'aria-valuemax': known ? String(run.total) : null,
      'aria-valuenow': known ? String(Math.min(run.fetched, run.total)) : null,
      'aria-valuetext': known ? t('status.running', { entity, fetched: run.fetched, total: run.total }) : null,
      class: known ? 'bar' : 'bar bar-unknown',
    }, h('span'));
    // CSSOM, not a style attribute: the console's CSP allows no inline styles.
    if (known && run.total > 0) bar.firstChild.style.width = `${Math.min(100, (100 * run.fetched) / run.total)}%`;
    return h('div', { class: 'progress' },
      h('p', {}, known ? t('status.running', { entity, fetched: run.fetched, total: run.total })
        : t('status.runningUnknown', { entity, fetched: run.fetched })),
      bar);
  }
  if (run.status === 'finished') {
    return h('p', {}, t('status.finished', {
      entity, at: formatDate(run.finished_at), fetched: run.fetched, added: run.added,
      changed: run.changed, deactivated: run.deactivated, removed: run.removed,
    }));
  }
  if (run.status === 'failed') return h('p', { class: 'error-text' }, t('status.failed', { entity, at: formatDate(run.finished_at) }));
  return h('p', {}, t('status.cancelled', { entity }));
}

function tablesTable(tables) {
  const byName = Object.fromEntries(tables.map((row) => [row.table, row]));
  return h('table', {},
    h('caption', {}, t('status.tables')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('status.table')),
      h('th', { scope: 'col', class: 'number' }, t('status.count')),
      h('th', { scope: 'col' }, t('status.simon')),
      h('th', { scope: 'col' }, t('status.integration')))),
    h('tbody', {}, TABLE_ORDER.filter((name) => byName[name]).map((name) => h('tr', {},
      h('th', { scope: 'row' }, t(`table.${name}`)),
      h('td', { class: 'number' }, String(byName[name].count)),
      h('td', {}, formatDate(byName[name].simon_mutation_at)),
      h('td', {}, formatDate(byName[name].integration_update_at))))));
}

function syncDialog(context, refresh) {
  const customers = checkbox(t('entity.customers'), { checked: true });
  const articles = checkbox(t('entity.articles'), { checked: true });
  const problem = h('div');
  const go = h('button', {
    type: 'button', class: 'primary',
    onclick: () => busy(go, async () => {
      if (!customers.input.checked && !articles.input.checked) { showAlert(problem, t('status.syncNothing')); return; }
      try {
        await api('POST', '/sync', { body: { customers: customers.input.checked, articles: articles.input.checked } });
      } catch (error) {
        showAlert(problem, error.describe());
        return;
      }
      dialog.close();
      context.notify(t('status.syncStarted'), 'success');
      await refresh();
    }),
  }, t('status.syncButton'));
  const back = h('button', { type: 'button', onclick: () => dialog.close() }, t('app.back'));
  const dialog = openDialog(t('status.syncTitle'),
    [h('p', {}, t('status.syncQuestion')), customers.node, articles.node, problem], [go, back]);
  customers.input.focus();
}

export async function render(context) {
  const { main } = context;
  const state = h('p', { class: 'state' });
  const times = h('dl', { class: 'times' });
  const banners = h('div');
  const tables = h('div');
  const sync = h('div', { 'aria-live': 'off' });
  const problem = h('div');
  const reconnectText = h('p', { hidden: true }, t('status.reconnectText'));
  let integration = context.integration;
  let timer = null;
  let stopped = false;

  async function refresh() {
    try {
      integration = await api('GET', '');
    } catch (error) {
      showAlert(problem, error.describe());
      return;
    }
    show();
  }

  function schedule() {
    clearTimeout(timer);
    if (stopped) return;
    const busyRun = integration.sync.some((run) => run.status === 'queued' || run.status === 'running');
    timer = setTimeout(async () => { await refresh(); schedule(); }, busyRun ? FAST_MS : SLOW_MS);
  }

  const syncNow = h('button', { type: 'button', class: 'primary', onclick: () => syncDialog(context, async () => { await refresh(); schedule(); }) }, t('status.syncNow'));
  const change = h('a', { href: '#/instellingen', class: 'button' }, t('status.change'));
  const activate = h('a', { href: '#/activeren', class: 'button primary' }, t('status.activate'));
  const reconnect = h('button', { type: 'button', class: 'primary', onclick: () => busy(reconnect, () => connect(problem)) }, t('status.reconnect'));
  const deactivate = h('button', {
    type: 'button', class: 'danger',
    onclick: () => busy(deactivate, async () => {
      const sure = await confirmDialog(t('status.deactivateTitle'),
        [t('status.deactivateQuestion'), t('status.deactivateEffect')], t('status.deactivateConfirm'));
      if (!sure) return;
      try {
        await api('POST', '/deactivate', { body: { confirm: true } });
      } catch (error) {
        showAlert(problem, error.describe());
        return;
      }
      context.noticeForNext(t('status.deactivated'));
      await context.render();
    }),
  }, t('status.deactivate'));

  function heldBanner(held) {
    const entity = t(`entity.${held.entity}`).toLowerCase();
    const button = h('button', {
      type: 'button', class: 'danger',
      onclick: () => busy(button, async () => {
        try {
          const done = await api('POST', '/sync/confirm-deletions', { body: { entity: held.entity } });
          context.notify(t('status.confirmed', done), 'success');
        } catch (error) {
          showAlert(problem, error.describe());
        }
        await refresh();
      }),
    }, t('status.confirmDeletions'));
    return h('div', { class: 'banner banner-warning', 'data-entity': held.entity },
      h('p', {}, t('status.held', { count: held.count, entity })), button);
  }

  let shownBanners = '';
  function show() {
    const { state: current } = integration;
    state.replaceChildren(t('state.label'), ' ', badge(current));
    times.replaceChildren(
      h('dt', {}, t('status.start')), h('dd', {}, formatDate(integration.started_at)),
      h('dt', {}, t('status.end')), h('dd', {}, formatDate(integration.ended_at)));
    const held = JSON.stringify(integration.held_deletions || []);
    if (held !== shownBanners) {  // rebuilt only when it changed: keeps focus and the announcement
      shownBanners = held;
      banners.replaceChildren(...(integration.held_deletions || []).map(heldBanner));
    }
    tables.replaceChildren(tableWrap(t('status.tables'), tablesTable(integration.tables)));
    sync.replaceChildren(...(integration.sync.length ? integration.sync.map(progressLine) : [h('p', {}, t('status.noRuns'))]));
    syncNow.hidden = current !== 'active';
    change.hidden = current === 'never_activated';
    deactivate.hidden = !(current === 'active' || current === 'needs_reconnect');
    activate.hidden = current !== 'inactive';
    reconnect.hidden = current !== 'needs_reconnect';
    reconnectText.hidden = current !== 'needs_reconnect';
  }

  main.append(
    h('h1', {}, t('status.title')),
    h('p', {}, h('strong', {}, t('activate.integration'))),
    state, times, reconnectText, banners, problem,
    h('div', { class: 'buttons' }, syncNow, reconnect, activate, change, deactivate),
    tables,
    h('h2', {}, t('status.sync')), sync);
  show();
  schedule();
  context.onLeave(() => { stopped = true; clearTimeout(timer); });
}
