import type { DemoState } from './demo-app.js';

/** The element with `data-testid="<id>"` (the page's markup is fixed: a missing one is a bug). */
export function byTestId<T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): T {
  const element = root.querySelector<T>(`[data-testid="${id}"]`);
  if (element === null) throw new Error(`Missing element data-testid="${id}"`);
  return element;
}

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
}

function setText(id: string, text: string): void {
  const element = byTestId(id);
  if (element.textContent !== text) element.textContent = text;
}

function setBadge(id: string, value: string): void {
  setText(id, value);
  byTestId(id).dataset.state = value;
}

/** Fields of a conflict's record worth showing: those differing between local, remote and result. */
function conflictFields(c: DemoState['conflicts'][number]): string[] {
  const keys = new Set([...Object.keys(c.local ?? {}), ...Object.keys(c.remote ?? {})]);
  keys.delete('_rev');
  keys.delete('updatedAt');
  return [...keys].filter((k) => {
    const values = [c.local?.[k], c.remote?.[k], c.result?.[k]].map((v) => JSON.stringify(v));
    return new Set(values).size > 1;
  });
}

function fieldsText(value: Record<string, unknown> | null, fields: readonly string[]): string {
  if (value === null) return '(deleted)';
  return fields.map((f) => `${f}: ${JSON.stringify(value[f])}`).join('\n') || '(same)';
}

/** Renders the sync panel, picker, work orders and conflict log from `state`. */
export function render(state: DemoState, editingId: string | null): void {
  setText('schema-version', String(state.schemaVersion));
  byTestId('newer-version').hidden = state.newerVersion === null;
  byTestId('upgrade-blocked').hidden = state.upgradeBlocked === null;
  setText('upgrade-blocked-message', state.upgradeBlocked?.message ?? '');
  setBadge('connection-online', state.online ? 'online' : 'offline');
  setBadge('transport', state.transport);
  setBadge('sync-status', state.status);
  setBadge('db-state', state.dbState);
  setText('pending-count', String(state.pending));
  setText('service-type-count', state.serviceTypeCount.toLocaleString('en'));
  byTestId<HTMLButtonElement>('go-offline').disabled = !state.online;
  byTestId<HTMLButtonElement>('go-online').disabled = state.online;
  byTestId<HTMLButtonElement>('load-schema-v2').disabled = state.schemaVersion === 2;

  const bar = byTestId<HTMLProgressElement>('progress');
  const p = state.progress;
  if (p === null) {
    bar.removeAttribute('value');
    bar.value = 0;
    bar.dataset.done = '0';
    bar.dataset.total = '';
    setText('progress-label', 'no full sync running');
  } else {
    const total = p.total ?? Math.max(p.done, 1);
    bar.max = total;
    bar.value = Math.min(p.done, total);
    bar.dataset.done = String(p.done);
    bar.dataset.total = p.total === undefined ? '' : String(p.total);
    setText(
      'progress-label',
      `${p.mode} sync of ${p.collection}: ${p.done.toLocaleString('en')}${p.total === undefined ? '' : ` / ${p.total.toLocaleString('en')}`}`,
    );
  }

  const run = state.lastRun;
  setText('last-run-outcome', run === null ? 'none yet' : `${run.outcome} (run ${run.runId})`);
  const runRows = byTestId('last-run-rows');
  runRows.replaceChildren(
    ...(run?.collections ?? []).map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = `last-run-row-${c.collection}`;
      tr.dataset.fetch = String(c.fetch);
      tr.dataset.change = String(c.change);
      tr.dataset.delete = String(c.delete);
      tr.append(
        cell(c.collection),
        cell(c.mode),
        cell(String(c.fetch), 'num'),
        cell(String(c.change), 'num'),
        cell(String(c.delete), 'num'),
        cell(String(c.skipped), 'num'),
      );
      return tr;
    }),
  );
  setText(
    'last-run-push',
    run === null
      ? 'Push: –'
      : `Push: ${run.push.sent} sent, ${run.push.applied} applied, ${run.push.conflicts} conflicts, ${run.push.rejected} rejected`,
  );
  setText(
    'last-run-timings',
    run === null
      ? 'Timing: –'
      : `Timing: ${run.timings.total} ms total = network ${run.timings.network} + IndexedDB ${run.timings.indexedDb} + other ${run.timings.other}`,
  );
  setText('last-error', state.lastError ?? '');
  renderSkipped(state);

  renderPicker(state);
  renderWorkOrders(state, editingId);
  renderConflicts(state);
}

function renderSkipped(state: DemoState): void {
  setText('skipped-count', String(state.skipped.length));
  byTestId<HTMLButtonElement>('retry-skipped').disabled = state.skipped.length === 0;
  byTestId('skipped-rows').replaceChildren(
    ...state.skipped.map((s) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'skipped-row';
      tr.dataset.collection = s.collection;
      tr.dataset.id = s.id;
      tr.dataset.reason = s.reason;
      const why = s.heldBy === undefined ? s.reason : `${s.reason} (held by ${s.heldBy})`;
      tr.append(cell(s.collection), cell(s.id), cell(why), cell(new Date(s.at).toLocaleTimeString()));
      return tr;
    }),
  );
}

function renderPicker(state: DemoState): void {
  const picker = state.picker;
  const v2 = state.schemaVersion === 2;
  byTestId('picker-price-band-label').hidden = !v2;
  byTestId('picker-band-header').hidden = !v2;
  setText('picker-page', String(picker.page + 1));
  setText('picker-total', picker.total.toLocaleString('en'));
  setText('picker-pages', String(Math.max(1, Math.ceil(picker.total / picker.pageSize))));
  byTestId<HTMLButtonElement>('picker-prev').disabled = picker.page === 0;
  byTestId<HTMLButtonElement>('picker-next').disabled = !picker.hasMore;
  byTestId('picker-rows').replaceChildren(
    ...picker.rows.map((st) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'picker-row';
      tr.dataset.id = st.id;
      if (st.id === picker.selectedId) tr.className = 'selected';
      const pick = document.createElement('button');
      pick.type = 'button';
      pick.dataset.testid = 'picker-select';
      pick.dataset.id = st.id;
      pick.textContent = st.id === picker.selectedId ? 'Picked' : 'Pick';
      pick.setAttribute('aria-label', `Pick ${st.name} (${st.code})`);
      const action = document.createElement('td');
      action.append(pick);
      tr.append(cell(st.code), cell(st.name), cell(st.category), cell(st.price.toFixed(2), 'num'));
      if (v2) tr.append(cell(st.priceBand ?? ''));
      tr.append(action);
      return tr;
    }),
  );
  const selected = picker.selectedId;
  setText('wo-service-type', selected === null ? 'pick one in the list' : selected);
}

function renderWorkOrders(state: DemoState, editingId: string | null): void {
  setText('wo-count', String(state.workOrders.length));
  setText('wo-save', editingId === null ? 'Create work order' : `Save ${editingId}`);
  byTestId('wo-cancel-edit').hidden = editingId === null;
  byTestId('wo-rows').replaceChildren(
    ...state.workOrders.slice(0, 50).map((wo) => {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'wo-row';
      tr.dataset.id = wo.id;
      if (wo.id === editingId) tr.className = 'selected';
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.dataset.testid = 'wo-edit';
      edit.dataset.id = wo.id;
      edit.textContent = 'Edit';
      edit.setAttribute('aria-label', `Edit ${wo.title}`);
      const action = document.createElement('td');
      action.append(edit);
      tr.append(
        cell(wo.id),
        cell(wo.title),
        cell(wo.status),
        cell(wo.priority),
        cell(wo.serviceTypeId ?? ''),
        action,
      );
      return tr;
    }),
  );
}

function renderConflicts(state: DemoState): void {
  setText('conflict-count', String(state.conflicts.length));
  byTestId('conflict-rows').replaceChildren(
    ...state.conflicts.map((c) => {
      const fields = conflictFields(c);
      const tr = document.createElement('tr');
      tr.dataset.testid = 'conflict-row';
      tr.dataset.id = String(c.id);
      tr.dataset.winner = c.winner;
      const code = (text: string) => {
        const td = document.createElement('td');
        const el = document.createElement('code');
        el.textContent = text;
        td.append(el);
        return td;
      };
      tr.append(
        cell(`${c.store}/${c.id}`),
        cell(`${c.rule} → ${c.winner}`),
        code(fieldsText(c.local, fields)),
        code(fieldsText(c.remote, fields)),
        code(fieldsText(c.result, fields)),
      );
      return tr;
    }),
  );
}
