import { h } from './dom.js';

/**
 * A modal <dialog>: the page behind is inert while it is open (focus stays inside), Escape
 * cancels, and focus returns to the element that opened it.
 */
function openDialog(build: (close: (value: boolean) => void) => HTMLElement[], label: string): Promise<boolean> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const dialog = h('dialog', { 'aria-label': label });
  return new Promise((resolve) => {
    let result = false;
    const close = (value: boolean): void => {
      result = value;
      dialog.close();
    };
    dialog.append(...build(close));
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Asks before a consequential action; resolves true only when confirmed. */
export function confirmAction(title: string, message: string, confirmLabel: string): Promise<boolean> {
  return openDialog((close) => {
    const cancel = h('button', { type: 'button', onclick: () => close(false) }, 'Cancel');
    const ok = h('button', { type: 'button', class: 'kill', onclick: () => close(true) }, confirmLabel);
    queueMicrotask(() => cancel.focus());
    return [h('h2', {}, title), h('p', {}, message), h('div', { class: 'actions' }, cancel, ok)];
  }, title);
}

/** Shows content with a Close button. */
export function showDialog(title: string, content: HTMLElement[]): Promise<boolean> {
  return openDialog((close) => {
    const done = h('button', { type: 'button', class: 'primary', onclick: () => close(true) }, 'Close');
    queueMicrotask(() => done.focus());
    return [h('h2', {}, title), ...content, h('div', { class: 'actions' }, done)];
  }, title);
}

/** The kill switch's engage dialog (issue 17): the two extra actions are unticked by default; resolves undefined when cancelled. */
export function confirmKillSwitch(scope: string): Promise<{ cancelOrders: boolean; flatten: boolean } | undefined> {
  const cancelOrders = h('input', { type: 'checkbox', name: 'cancelOrders', id: 'ks-cancel-orders' });
  const flatten = h('input', { type: 'checkbox', name: 'flatten', id: 'ks-flatten' });
  flatten.addEventListener('change', () => {
    // flattening cancels the open orders first
    if (flatten.checked) cancelOrders.checked = true;
    cancelOrders.disabled = flatten.checked;
  });
  return openDialog((close) => {
    const cancel = h('button', { type: 'button', onclick: () => close(false) }, 'Cancel');
    const ok = h('button', { type: 'button', class: 'kill', onclick: () => close(true) }, 'Engage kill switch');
    queueMicrotask(() => cancel.focus());
    return [
      h('h2', {}, 'Engage the kill switch?'),
      h('p', {}, `Every new order of ${scope} will be refused until the switch is released.`),
      h('label', { class: 'check', for: 'ks-cancel-orders' }, cancelOrders, ' Also cancel every open order'),
      h('label', { class: 'check', for: 'ks-flatten' }, flatten, ' Also close every position at market (flatten)'),
      h('div', { class: 'actions' }, cancel, ok),
    ];
  }, 'Engage the kill switch?').then((confirmed) => (confirmed ? { cancelOrders: cancelOrders.checked, flatten: flatten.checked } : undefined));
}

/** A swap account's default leverage and margin mode (issue 17); resolves undefined when cancelled. */
export function askFuturesSettings(account: string, current: { leverage: number; marginMode: 'isolated' | 'cross' } | undefined): Promise<{ leverage: number; marginMode: 'isolated' | 'cross' } | undefined> {
  const leverage = h('input', { type: 'number', name: 'leverage', id: 'fut-leverage', min: 1, max: 125, step: 1, required: true, value: String(current?.leverage ?? 1) });
  const mode = h('select', { name: 'marginMode', id: 'fut-margin-mode' }, h('option', { value: 'isolated' }, 'Isolated'), h('option', { value: 'cross' }, 'Cross'));
  mode.value = current?.marginMode ?? 'isolated';
  const error = h('p', { class: 'error', role: 'alert' });
  return openDialog((close) => {
    const cancel = h('button', { type: 'button', onclick: () => close(false) }, 'Cancel');
    const ok = h('button', {
      type: 'button', class: 'primary',
      onclick: () => {
        const value = Number(leverage.value);
        if (!Number.isInteger(value) || value < 1 || value > 125) {
          error.textContent = 'Leverage is a whole number from 1 to 125.';
          return;
        }
        close(true);
      },
    }, 'Save');
    queueMicrotask(() => leverage.focus());
    return [
      h('h2', {}, 'Leverage and margin mode'),
      h('p', {}, `${account}: set on the exchange before the next order of each symbol. Overrides per symbol are kept.`),
      h('div', { class: 'row' }, h('label', { for: 'fut-leverage' }, 'Leverage', leverage), h('label', { for: 'fut-margin-mode' }, 'Margin mode', mode)),
      error,
      h('div', { class: 'actions' }, cancel, ok),
    ];
  }, 'Leverage and margin mode').then((saved) => (saved ? { leverage: Number(leverage.value), marginMode: mode.value === 'cross' ? 'cross' : 'isolated' } : undefined));
}
