'use strict';
// Usage: the request history with filters, paging by cursor, CSV export with the same filters, and
// live rows: an EventSource on /api/usage/stream prepends each settled request (metadata only).
(() => {
  const { api, el, money, count, dateTime, say, onSubmit, nav } = Caravan;
  const form = document.getElementById('filters');
  const table = document.querySelector('#usage tbody');
  const loadMore = document.getElementById('load-more');
  const live = document.getElementById('live');
  const status = document.getElementById('status');
  const shown = new Set(); // request ids in the table: a live event for one of them is not added twice
  let filters = {};
  let cursor = null;
  let stream = null;
  nav(true);

  /** YYYY-MM-DD of the day after: the API's `to` is exclusive, the page's "To" day is included. */
  function dayAfter(day) {
    return new Date(Date.parse(day) + 86400000).toISOString().slice(0, 10);
  }

  function query(extra) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...filters, ...extra })) {
      if (value) {
        params.set(name, name === 'to' ? dayAfter(value) : value);
      }
    }
    const text = params.toString();
    return text ? `?${text}` : '';
  }

  function yesNo(value) {
    return value ? 'yes' : 'no';
  }

  function row(record) {
    shown.add(record.id);
    const tokens = value => count(value) + (record.tokens_estimated ? '*' : '');
    return el('tr', { dataset: { requestId: record.id }, title: `Request ${record.id}` },
      el('td', null, dateTime(record.created_at, true)),
      el('td', null, record.model),
      el('td', null, record.backend),
      el('td', { className: 'num' }, tokens(record.prompt_tokens)),
      el('td', { className: 'num' }, tokens(record.completion_tokens)),
      el('td', { className: 'num' }, count(record.cached_tokens)),
      el('td', { className: 'num cost' }, money(record.cost)),
      el('td', { className: 'num' }, record.latency_ms === null ? '—' : `${count(record.latency_ms)} ms`),
      el('td', null, yesNo(record.streamed)),
      el('td', null, yesNo(record.cancelled)),
      el('td', null, record.finish_reason || record.status || '—'));
  }

  function emptyRow() {
    return el('tr', { className: 'placeholder' },
      el('td', { colspan: 11, className: 'empty' }, 'No requests yet. They appear here as they happen.'));
  }

  async function loadPage(first) {
    const page = await api('GET', `/api/usage${query({ cursor: first ? null : cursor })}`);
    if (first) {
      // rows that arrived live while the page loaded stay, unless the page has them too
      const ids = new Set(page.data.map(record => record.id));
      const arrived = [...table.querySelectorAll('tr.is-new')].filter(tr => !ids.has(tr.dataset.requestId));
      shown.clear();
      arrived.forEach(tr => shown.add(tr.dataset.requestId));
      table.replaceChildren(...arrived);
    }
    table.append(...page.data.filter(record => !shown.has(record.id)).map(row));
    if (table.children.length === 0) {
      table.append(emptyRow());
    }
    cursor = page.next_cursor;
    loadMore.hidden = !page.has_more;
  }

  /** Would the table, as filtered, list this record? (The server filters the stream by key only.) */
  function matches(record) {
    const day = record.created_at.slice(0, 10);
    return (!filters.model || record.model === filters.model)
      && (!filters.from || day >= filters.from) && (!filters.to || day <= filters.to);
  }

  function indicate(text, isLive) {
    live.textContent = text;
    live.classList.toggle('is-live', isLive);
  }

  function listen() {
    if (stream) {
      stream.close();
    }
    stream = new EventSource(`/api/usage/stream${query({ model: null, from: null, to: null })}`);
    stream.addEventListener('open', () => indicate('Live', true));
    stream.addEventListener('usage', event => {
      const record = JSON.parse(event.data);
      if (shown.has(record.id) || !matches(record)) {
        return;
      }
      const placeholder = table.querySelector('tr.placeholder');
      if (placeholder) {
        placeholder.remove();
      }
      const added = row(record);
      added.classList.add('is-new');
      table.prepend(added);
    });
    stream.addEventListener('error', async () => {
      if (stream.readyState !== EventSource.CLOSED) {
        indicate('Reconnecting…', false); // the browser retries by itself
        return;
      }
      // refused (the session expired): renew it, then listen again; a failed renewal leaves it off
      indicate('Offline', false);
      if (await Caravan.refreshSession()) {
        listen();
      }
    });
  }

  function apply(values) {
    filters = { key_id: values.key_id, model: values.model.trim(), from: values.from, to: values.to };
    document.getElementById('export').href = `/api/usage.csv${query({})}`;
    table.replaceChildren();
    listen();
    return loadPage(true);
  }

  onSubmit(form, apply);
  loadMore.addEventListener('click', () => {
    loadMore.disabled = true;
    loadPage(false).catch(error => say(status, error.message, 'error')).finally(() => { loadMore.disabled = false; });
  });

  api('GET', '/api/keys').then(keys => {
    const select = document.getElementById('key_id');
    for (const key of keys.data) {
      select.append(el('option', { value: key.id }, `${key.name} (${key.prefix}…)`));
    }
  }, () => {});
  api('GET', '/api/models', undefined, 'none').then(models => {
    document.getElementById('model-ids').replaceChildren(...models.data.map(model => el('option', { value: model.id })));
  }, () => {});

  apply(Object.fromEntries(new FormData(form))).catch(error => say(status, error.message, 'error'));
})();
