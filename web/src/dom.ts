/** Small DOM helpers: elements are built with textContent only (no HTML strings from data). */
import { fixed, moneyPlaces } from './decimals.js';
export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function replace(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table with a header row; `empty` when there are no rows. */
export function table(headers: readonly (string | { text: string; num?: boolean })[], rows: Child[][][] | HTMLTableRowElement[], empty: string, label: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const head = h('tr', {}, headers.map((x) => (typeof x === 'string' ? h('th', { scope: 'col' }, x) : h('th', { scope: 'col', class: x.num ? 'num' : undefined }, x.text))));
  const body = rows.map((r) => (r instanceof HTMLTableRowElement ? r : h('tr', {}, r.map((cell) => h('td', {}, cell)))));
  // a scrolling region the keyboard can reach (Tab, then the arrow keys) when the table is wider than its card
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': `${label} (scrolls sideways when wider than the screen)`, tabindex: '0' }, h('table', { 'aria-label': label }, h('thead', {}, head), h('tbody', {}, body)));
}

export const td = (content: Child | Child[], cls?: string): HTMLTableCellElement => h('td', { class: cls }, content);

/** Signed money with its colour class, at the currency's money scale (2 places for fiat and stablecoins, 8 for other assets), the currency after it unless told not to. */
export function pnl(value: string | undefined, currency?: string, withCurrency = true): HTMLElement {
  if (value === undefined) return h('span', { class: 'muted' }, '—');
  const shown = fixed(value, moneyPlaces(currency));
  const cls = !/[1-9]/.test(shown) ? '' : shown.startsWith('-') ? 'neg' : 'pos'; // the colour of what is shown: -0.001 USDT is 0.00, not red
  return h('span', { class: cls, 'data-value': value }, withCurrency && currency ? `${shown} ${currency}` : shown);
}

/** The one time format of the dashboard (issue 20): UTC, to the second, e.g. "2026-12-07 08:03:32 UTC". */
export const time = (iso: string | number): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
};

export function badge(text: string): HTMLElement {
  return h('span', { class: `badge ${text}` }, text.replace(/_/g, ' '));
}

let toastTimer: number | undefined;
export function toast(message: string): void {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => el.classList.remove('show'), 3000);
}

/** Copies text; falls back to selecting it in a hidden textarea. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { 'aria-hidden': 'true', class: 'offscreen', readonly: true });
    area.value = text;
    area.style.position = 'fixed';
    area.style.left = '-9999px';
    document.body.append(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    area.remove();
    return done;
  }
}

export function copyButton(text: () => string, label: string): HTMLButtonElement {
  return h('button', {
    type: 'button', class: 'small', 'aria-label': label,
    onclick: async () => toast((await copyText(text())) ? 'Copied to the clipboard' : 'Could not copy: select the text and copy it'),
  }, 'Copy');
}
