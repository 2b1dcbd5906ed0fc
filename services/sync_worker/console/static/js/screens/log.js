// Logboek (manual 8): Datum, Niveau, Tabel, Bericht, Te nemen actie; info blue, warning
// yellow, error red (and the level in words); filters by level and table, 40 per page.
// The filters live in the address (#/logboek?niveau=warning&pagina=2), so Back works.
// Levels are tick boxes: one ticked sends `level=warning` (what every API version takes),
// several send `level=warning,error`.

import { api } from '../api.js';
import { formatDate, t } from '../i18n.js';
import { checkbox, field, h, showAlert, tableWrap } from '../ui.js';

const PER_PAGE = 40;
const LEVELS = ['info', 'warning', 'error'];
const TABLES = ['work_order', 'customer', 'work_address', 'article', 'article_group'];

function messageCell(entry) {
  if (!entry.work_order_id) return h('td', {}, entry.message);
  const number = entry.work_order_number || String(entry.work_order_id);
  const query = new URLSearchParams({ werkbon: entry.work_order_id });
  if (entry.work_order_number) query.set('nummer', entry.work_order_number);
  return h('td', {}, entry.message, ' ',
    h('a', { href: `#/facturen?${query}` }, t('log.workOrder', { number })));
}

function row(entry) {
  return h('tr', { class: `level-${entry.level}` },
    h('td', { class: 'nowrap' }, formatDate(entry.at)),
    h('td', {}, h('span', { class: `level level-${entry.level}` }, t(`level.${entry.level}`))),
    h('td', {}, entry.table ? t(`table.${entry.table}`) : t('app.none')),
    messageCell(entry),
    h('td', {}, entry.action));
}

export async function render(context) {
  const { main, params } = context;
  const levels = (params.get('niveau') || '').split(',').filter((level) => LEVELS.includes(level));
  const table = TABLES.includes(params.get('tabel')) ? params.get('tabel') : '';
  const search = params.get('zoek') || '';
  const page = Math.max(1, Number.parseInt(params.get('pagina') || '1', 10) || 1);

  const levelBoxes = LEVELS.map((level) => checkbox(t(`level.${level}`), { value: level, checked: levels.includes(level) }));
  const tableSelect = h('select', { name: 'tabel' },
    h('option', { value: '' }, t('log.tableAll')),
    TABLES.map((name) => h('option', { value: name, selected: name === table }, t(`table.${name}`))));
  const searchInput = h('input', { type: 'search', name: 'zoek', value: search, autocomplete: 'off' });
  const filters = h('form', {
    class: 'filters',
    onsubmit: (event) => {
      event.preventDefault();
      const chosen = levelBoxes.filter((box) => box.input.checked).map((box) => box.input.value);
      const next = {};
      if (chosen.length && chosen.length < LEVELS.length) next.niveau = chosen.join(',');
      if (tableSelect.value) next.tabel = tableSelect.value;
      if (searchInput.value.trim()) next.zoek = searchInput.value.trim();
      context.navigate('logboek', next);
    },
  },
  h('fieldset', {}, h('legend', {}, t('log.level')), levelBoxes.map((box) => box.node)),
  field(t('log.tableFilter'), tableSelect),
  field(t('log.search'), searchInput),
  h('button', { type: 'submit' }, t('log.apply')));
  // Ticking a box filters at once; the button is there for keyboard users and the search.
  for (const box of levelBoxes) box.input.addEventListener('change', () => filters.requestSubmit());
  tableSelect.addEventListener('change', () => filters.requestSubmit());

  const problem = h('div');
  main.append(h('h1', {}, t('log.title')), h('h2', { class: 'visually-hidden' }, t('log.filters')), filters, problem);

  let answer;
  try {
    answer = await api('GET', '/logs', {
      query: { level: levels.join(','), table, q: search, page, per_page: PER_PAGE },
    });
  } catch (error) {
    showAlert(problem, levels.length > 1 && error.status === 422 ? t('log.severalLevels') : error.describe());
    return;
  }
  const pages = Math.max(1, Math.ceil(answer.total / PER_PAGE));
  const list = h('table', { class: 'log' },
    h('caption', {}, t('log.caption')),
    h('thead', {}, h('tr', {},
      ['log.date', 'log.level', 'log.table', 'log.message', 'log.action'].map((key) => h('th', { scope: 'col' }, t(key))))),
    h('tbody', {}, answer.items.length ? answer.items.map(row)
      : h('tr', {}, h('td', { colspan: '5' }, t('log.empty')))));

  function pageLink(label, number, disabled) {
    if (disabled) return h('span', { class: 'button', 'aria-disabled': 'true' }, label);
    const query = new URLSearchParams(params);
    query.set('pagina', String(number));
    return h('a', { class: 'button', href: `#/logboek?${query}` }, label);
  }
  main.append(
    h('p', {}, t(answer.total === 1 ? 'log.totalOne' : 'log.total', { total: answer.total })),
    tableWrap(t('log.title'), list),
    h('nav', { class: 'paging', 'aria-label': t('log.paging') },
      pageLink(t('log.previous'), page - 1, page <= 1),
      h('span', {}, t('log.page', { page, pages })),
      pageLink(t('log.next'), page + 1, page >= pages)));
}
