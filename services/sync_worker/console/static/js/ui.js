// Small DOM helpers shared by the screens: an element builder, labelled fields, dialogs,
// alerts and the state badge. No framework: each screen builds its DOM and updates it.

import { t } from './i18n.js';

// h('button', {type: 'button', onclick: go}, 'Text'): properties where the element has
// them (checked, disabled, value …), attributes otherwise; children after attributes are
// set, except `value`, which a <select> can only take once its options exist.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name in element && typeof value !== 'string') element[name] = value;
    else if (name === 'value') element.value = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  return element;
}

let unique = 0;
export function uid(prefix) {
  unique += 1;
  return `${prefix}-${unique}`;
}

// A control with its visible label and an optional hint, tied by for/aria-describedby.
export function field(label, control, hint) {
  control.id = control.id || uid('field');
  const parts = [h('label', { for: control.id }, label)];
  if (hint) {
    const hintId = uid('hint');
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
  }
  parts.push(control);
  return h('div', { class: 'field' }, parts);
}

export function checkbox(label, attributes = {}, hint) {
  const input = h('input', { type: 'checkbox', id: uid('check'), ...attributes });
  const hintNode = hint ? h('p', { class: 'hint', id: uid('hint') }, hint) : null;
  if (hintNode) input.setAttribute('aria-describedby', hintNode.id);
  return {
    input,
    node: h('div', { class: 'check' }, input, h('label', { for: input.id }, label), hintNode),
  };
}

export function alertBox(message) {
  return h('div', { class: 'alert', role: 'alert' }, message);
}

// Replaces what `slot` shows with an alert (or nothing); a new node is announced again.
export function showAlert(slot, message) {
  slot.replaceChildren(message ? alertBox(message) : '');
}

export function badge(state) {
  return h('span', { class: `badge badge-${state}` }, t(`state.${state}`));
}

export function tableWrap(label, table) {
  // Wide tables scroll on their own at 360 px instead of widening the page.
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': label, tabindex: '0' }, table);
}

// A modal <dialog>: focus moves in, Esc closes, focus returns to the opener.
export function openDialog(title, body, buttons) {
  const titleId = uid('dialog-title');
  const dialog = h('dialog', { 'aria-labelledby': titleId },
    h('h2', { id: titleId }, title),
    body,
    h('div', { class: 'buttons' }, buttons));
  const opener = document.activeElement;
  document.body.append(dialog);
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && document.contains(opener)) opener.focus();
  });
  dialog.showModal();
  return dialog;
}

// Resolves true when the confirming button was chosen, false on cancel or Esc.
export function confirmDialog(title, paragraphs, confirmLabel, { danger = true } = {}) {
  return new Promise((resolve) => {
    let confirmed = false;
    const yes = h('button', {
      type: 'button', class: danger ? 'danger' : 'primary',
      onclick: () => { confirmed = true; dialog.close(); },
    }, confirmLabel);
    const no = h('button', { type: 'button', onclick: () => dialog.close() }, t('app.cancel'));
    const dialog = openDialog(title, paragraphs.map((text) => h('p', {}, text)), [yes, no]);
    dialog.addEventListener('close', () => resolve(confirmed));
    no.focus();
  });
}

// Disables a button while its action runs, so a double click sends one request.
export async function busy(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
