// Facturen: every work order that goes to Rompslomp, with a status filter (all by default);
// a failed one shows its problem and "Opnieuw versturen"; "Voorbeeld factuur" shows the
// lines an archive would send and what blocks it. #/facturen?werkbon=ID shows one work
// order (the Logboek links here).

import { api } from '../api.js';
import { formatDate, formatMoney, formatNumber, t } from '../i18n.js';
import { busy, field, h, openDialog, showAlert, tableWrap } from '../ui.js';

const STATUSES = ['pending', 'sending', 'unknown', 'sent', 'failed', 'skipped', 'removed'];
const IN_FLIGHT = ['pending', 'sending', 'unknown'];
const PAGE_SIZE = 50;
const POLL_MS = 2000;

async function preview(workOrderId, number) {
  const body = h('div', {}, h('p', {}, t('app.loading')));
  const close = h('button', { type: 'button', onclick: () => dialog.close() }, t('app.close'));
  const dialog = openDialog(t('invoices.previewTitle', { number }), body, [close]);
  close.focus();
  let answer;
  try {
    answer = await api('GET', `/work-orders/${workOrderId}/invoice-preview`);
  } catch (error) {
    body.replaceChildren(h('div', { class: 'alert', role: 'alert' }, error.describe()));
    return;
  }
  const english = document.documentElement.lang === 'en';
  const lines = h('table', {},
    h('caption', {}, t('invoices.lines')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('invoices.line')),
      h('th', { scope: 'col', class: 'number' }, t('invoices.quantity')),
      h('th', { scope: 'col', class: 'number' }, t('invoices.price')),
      h('th', { scope: 'col' }, t('invoices.product')))),
    h('tbody', {}, answer.lines.length ? answer.lines.map((line) => h('tr', {},
      h('td', {}, line.description, line.extended_description ? h('span', { class: 'hint' }, ` ${line.extended_description}`) : null),
      h('td', { class: 'number' }, formatNumber(line.quantity)),
      h('td', { class: 'number' }, line.product_id === null && Number(line.price_per_unit) === 0 ? '' : formatMoney(line.price_per_unit)),
      h('td', {}, line.product_id === null ? t('app.none') : String(line.product_id))))
      : h('tr', {}, h('td', { colspan: '4' }, t('invoices.noLines')))));
  const problems = answer.problems.length
    ? [h('h3', {}, t('invoices.problems')), h('ul', { class: 'problems' }, answer.problems.map((problem) => h('li', {},
      h('strong', {}, english ? problem.message_en : problem.message), ' ', english ? problem.action_en : problem.action)))]
    : [h('p', { class: 'ok' }, t('invoices.wouldSend'))];
  body.replaceChildren(h('p', {}, t('invoices.previewDescription', { description: answer.description })),
    tableWrap(t('invoices.lines'), lines), ...problems);
}

function statusCell(item) {
  return h('td', {}, h('span', { class: `status status-${item.status}` }, t(`export.${item.status}`)),
    item.status === 'unknown' ? h('p', { class: 'hint' }, t('invoices.unknownHint')) : null);
}

export async function render(context) {
  const { main, params } = context;
  const status = STATUSES.includes(params.get('status')) ? params.get('status') : '';
  const workOrder = /^\d+$/.test(params.get('werkbon') || '') ? params.get('werkbon') : '';
  const number = params.get('nummer') || '';
  const problem = h('div');
  const filter = h('select', { name: 'status' },
    h('option', { value: '' }, t('invoices.all')),
    STATUSES.map((name) => h('option', { value: name, selected: name === status }, t(`export.${name}`))));
  filter.addEventListener('change', () => context.navigate('facturen', filter.value ? { status: filter.value } : {}));
  const body = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, t('invoices.more'));
  let cursor = null;
  let timer = null;
  let left = false;
  context.onLeave(() => { left = true; clearTimeout(timer); });

  function actions(item) {
    const cells = [];
    const label = item.number || String(item.work_order_id);
    if (item.status === 'failed') {
      const retry = h('button', {
        type: 'button', class: 'primary',
        onclick: () => busy(retry, async () => {
          try {
            await api('POST', `/exports/${item.work_order_id}/retry`);
            context.notify(t('invoices.retried', { number: label }), 'success');
          } catch (error) {
            showAlert(problem, error.describe());
            return;
          }
          await reload();
        }),
      }, t('invoices.retry'));
      cells.push(retry);
    }
    if (item.status === 'sent') {
      const check = h('button', {
        type: 'button',
        onclick: () => busy(check, async () => {
          try {
            const checked = await api('POST', `/exports/${item.work_order_id}/check`);
            context.notify(t('invoices.checked', { number: label, status: t(`export.${checked.status}`) }), 'success');
          } catch (error) {
            showAlert(problem, error.describe());
            return;
          }
          await reload();
        }),
      }, t('invoices.check'));
      cells.push(check);
    }
    const show = h('button', { type: 'button', onclick: () => preview(item.work_order_id, label) }, t('invoices.preview'));
    cells.push(show);
    return h('td', { class: 'actions' }, cells);
  }

  function row(item) {
    return h('tr', { 'data-work-order': String(item.work_order_id) },
      h('th', { scope: 'row' }, item.number || String(item.work_order_id)),
      statusCell(item),
      h('td', {}, formatDate(item.archived_at)),
      h('td', {}, formatDate(item.sent_at)),
      h('td', {}, item.rompslomp_invoice_id ? String(item.rompslomp_invoice_id) : t('app.none')),
      h('td', {}, item.status === 'failed' || item.status === 'skipped' || item.status === 'removed' ? item.last_error || '' : ''),
      actions(item));
  }

  async function load(append) {
    let page;
    try {
      page = await api('GET', '/exports', {
        query: { status, work_order_id: workOrder, limit: PAGE_SIZE, cursor: append ? cursor : null },
      });
    } catch (error) {
      showAlert(problem, error.describe());
      return;
    }
    const rows = page.items.map(row);
    if (append) body.append(...rows);
    else body.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '7' }, workOrder ? t('invoices.noExport') : t('invoices.empty')))]));
    cursor = page.next_cursor;
    more.hidden = !cursor;
    // While something is on its way the first page follows it (seconds, not minutes).
    clearTimeout(timer);
    if (!left && !append && page.items.some((item) => IN_FLIGHT.includes(item.status))) {
      timer = setTimeout(() => load(false), POLL_MS);
    }
  }
  const reload = () => load(false);
  more.addEventListener('click', () => busy(more, () => load(true)));

  const table = h('table', {},
    h('caption', {}, t('invoices.caption')),
    h('thead', {}, h('tr', {},
      ['invoices.workOrder', 'invoices.status', 'invoices.archived', 'invoices.sent', 'invoices.invoice', 'invoices.problem', 'invoices.actions']
        .map((key) => h('th', { scope: 'col' }, t(key))))),
    body);
  const focus = workOrder
    ? h('p', { class: 'notice' }, number ? t('invoices.focus', { number }) : t('invoices.focusId', { id: workOrder }), ' ',
      h('a', { href: '#/facturen' }, t('invoices.showAll')), ' ',
      h('button', { type: 'button', onclick: () => preview(workOrder, number || workOrder) }, t('invoices.preview')))
    : null;
  main.append(...[h('h1', {}, t('invoices.title')),
    workOrder ? null : h('div', { class: 'filters' }, field(t('invoices.status'), filter)),
    focus, problem, tableWrap(t('invoices.title'), table), more].filter(Boolean));
  await load(false);
}
