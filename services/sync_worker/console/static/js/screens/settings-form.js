// The settings form (Activeren step 3 and Instellingen): administration, the three products
// (searchable by code or name, "geen" allowed, each checked against Rompslomp), description
// as first line, filter word, the terms, and save (PUT /settings).

import { api, ApiError } from '../api.js';
import { formatMoney, t } from '../i18n.js';
import { checkbox, confirmDialog, field, h, showAlert, uid } from '../ui.js';

const PRODUCT_FIELDS = ['work_time_product', 'travel_time_product', 'standard_product'];
const SEARCH_PAUSE_MS = 250;

function productText(product) {
  const name = product.description || '';
  const code = product.product_code ? `${product.product_code} · ` : '';
  const price = product.price_per_unit !== null && product.price_per_unit !== undefined
    ? ` (${formatMoney(product.price_per_unit)})` : '';
  return `${code}${name}${price}`;
}

// One product setting: a search box that narrows the <select>, and the check's outcome.
function productPicker(name, administration) {
  const select = h('select', { name });
  const search = h('input', { type: 'search', autocomplete: 'off', id: uid('search') });
  const result = h('p', { class: 'check-result', 'aria-live': 'polite' });
  const more = h('p', { class: 'hint' });
  let chosen = null; // the product chosen (kept in the list whatever the search shows)
  let timer = null;

  function fill(products) {
    const options = [h('option', { value: '' }, t('form.none'))];
    const seen = new Set();
    for (const product of chosen ? [chosen, ...products] : products) {
      if (seen.has(product.id)) continue;
      seen.add(product.id);
      options.push(h('option', { value: String(product.id) }, productText(product)));
    }
    select.replaceChildren(...options);
    select.value = chosen ? String(chosen.id) : '';
    select.productsById = new Map([...(chosen ? [chosen] : []), ...products].map((p) => [String(p.id), p]));
  }

  async function load(query) {
    const id = administration();
    if (!id) { fill([]); return; }
    try {
      const page = await api('GET', '/products', { query: { administration_id: id, q: query, limit: 50 } });
      fill(page.items);
      more.textContent = page.total !== null && page.total > page.items.length
        ? t('form.more', { shown: page.items.length }) : '';
    } catch (error) {
      showAlert(result, error.describe());
    }
  }

  async function check() {
    const product = select.productsById?.get(select.value) || null;
    chosen = product;
    if (!product) { result.textContent = t('form.notUsed'); return; }
    result.textContent = t('form.checking');
    try {
      const checked = await api('POST', '/check', {
        body: { administration_id: Number(administration()), product: product.id },
      });
      result.replaceChildren(h('span', { class: 'ok' }, t('form.checked', {
        code: checked.product_code || checked.id,
        name: checked.description || '',
        price: formatMoney(checked.price_per_unit),
      })));
    } catch (error) {
      showAlert(result, error.describe());
    }
  }

  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(search.value.trim()), SEARCH_PAUSE_MS);
  });
  select.addEventListener('change', check);

  const searchId = search.id;
  const node = h('div', { class: 'product' },
    field(t(`form.${name}`), select, t(`form.${name}Hint`)),
    h('div', { class: 'search' }, h('label', { for: searchId }, t('form.search')), search),
    more, result);
  return {
    node, select, load, check,
    set(product) { chosen = product; fill([]); result.textContent = ''; },
    value() { return select.value ? Number(select.value) : null; },
  };
}

export async function settingsForm({ mode, stored, onSaved }) {
  const administration = h('select', { name: 'administration_id', required: true });
  const pickers = Object.fromEntries(PRODUCT_FIELDS.map((name) => [name, productPicker(name, () => administration.value)]));
  const description = checkbox(t('form.descriptionFirst'), { name: 'description_as_first_line' }, t('form.descriptionFirstHint'));
  const filterWord = h('input', { type: 'text', name: 'filter_word', maxLength: 100, autocomplete: 'off' });
  const terms = checkbox(t('form.accept'), { name: 'accept_terms', required: true });
  const problem = h('div');
  const submit = h('button', { type: 'submit', class: 'primary' }, t(mode === 'activate' ? 'form.saveActivate' : 'form.save'));
  const controls = { administration_id: administration, filter_word: filterWord, accept_terms: terms.input };
  for (const name of PRODUCT_FIELDS) controls[name] = pickers[name].select;

  // Administrations come from Rompslomp; one on a free plan cannot be chosen.
  const companies = await api('GET', '/administrations');
  administration.replaceChildren(
    h('option', { value: '' }, t('form.administrationPick')),
    ...companies.items.map((company) => h('option', {
      value: String(company.id), disabled: !company.api_accessible,
    }, company.api_accessible ? company.name : t('form.notAccessible', { name: company.name }))));

  if (stored) {
    administration.value = String(stored.administration_id);
    for (const name of PRODUCT_FIELDS) pickers[name].set(stored[name]);
    description.input.checked = stored.description_as_first_line;
    filterWord.value = stored.filter_word || '';
    terms.input.checked = true;
  } else {
    const usable = companies.items.filter((company) => company.api_accessible);
    if (usable.length === 1) administration.value = String(usable[0].id);
  }
  if (administration.value) await Promise.all(PRODUCT_FIELDS.map((name) => pickers[name].load('')));

  administration.addEventListener('change', async () => {
    const hadProducts = PRODUCT_FIELDS.some((name) => pickers[name].value() !== null);
    for (const name of PRODUCT_FIELDS) pickers[name].set(null);
    await Promise.all(PRODUCT_FIELDS.map((name) => pickers[name].load('')));
    if (hadProducts) showAlert(problem, t('form.clearedProducts'));
  });

  function clearMarks() {
    for (const control of Object.values(controls)) control.removeAttribute('aria-invalid');
    for (const old of form.querySelectorAll('.field-error')) old.remove();
  }

  function mark(errors) {
    for (const { field: name, message } of errors) {
      const control = controls[name];
      if (!control) continue;
      control.setAttribute('aria-invalid', 'true');
      const note = h('p', { class: 'field-error', id: uid('error') }, message);
      control.setAttribute('aria-describedby', `${control.getAttribute('aria-describedby') || ''} ${note.id}`.trim());
      control.closest('.field, .check').append(note);
    }
  }

  async function save(confirmSwitch) {
    const body = {
      administration_id: Number(administration.value),
      description_as_first_line: description.input.checked,
      filter_word: filterWord.value.trim() || null,
      accept_terms: terms.input.checked,
    };
    for (const name of PRODUCT_FIELDS) body[name] = pickers[name].value();
    if (confirmSwitch) body.confirm_administration_switch = true;
    return api('PUT', '/settings', { body });
  }

  const form = h('form', {
    class: 'settings', novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      clearMarks();
      showAlert(problem, '');
      if (!administration.value) {
        mark([{ field: 'administration_id', message: t('form.administrationPick') }]);
        administration.focus();
        return;
      }
      submit.disabled = true;
      try {
        let saved;
        try {
          saved = await save(false);
        } catch (error) {
          // Another administration while active is a switch: ask, then save again (R-SETUP-6).
          if (!(error instanceof ApiError && error.status === 409 && error.code === 'administration_switch_unconfirmed')) throw error;
          // The counts in words; the API's own detail is English prose for developers.
          const counts = Object.entries(error.problem.counts || {}).map(([k, v]) => `${t(`switch.${k}`)}: ${v}`);
          const yes = await confirmDialog(t('form.switchTitle'),
            [t('form.switchText'), ...counts], t('form.switchConfirm'));
          if (!yes) return;
          saved = await save(true);
        }
        onSaved(saved);
      } catch (error) {
        mark(error.errors || []);
        showAlert(problem, error.errors?.length ? `${t('error.summary')} ${error.describe()}` : error.describe());
        form.querySelector('[aria-invalid="true"]')?.focus();
      } finally {
        submit.disabled = false;
      }
    },
  },
  field(t('form.administration'), administration, t('form.administrationHint')),
  PRODUCT_FIELDS.map((name) => pickers[name].node),
  description.node,
  field(t('form.filterWord'), filterWord, t('form.filterWordHint')),
  h('h3', {}, t('form.terms')),
  h('p', {}, t('form.termsText')),
  terms.node,
  mode === 'activate' ? null : h('p', { class: 'note' }, t('form.applyNote')),
  problem,
  submit);
  return form;
}
