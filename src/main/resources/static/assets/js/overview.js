'use strict';
// Overview: the account's money (GET /api/account) and a stacked bar chart of 30 days' spend by model
// (GET /api/spend), drawn as SVG with DOM calls: no chart library, nothing inline for the CSP.
(() => {
  const { api, el, money, count, say, nav } = Caravan;
  const DAYS = 30;
  const SERIES = 8; // colours in app.css (.series-0 ... .series-7); further models share the last
  nav(true);

  function show(id, value) {
    document.getElementById(id).textContent = money(value);
  }

  /** The last `DAYS` UTC dates, oldest first, as the API writes them (YYYY-MM-DD). */
  function lastDays() {
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    return Array.from({ length: DAYS }, (_, i) => new Date(today - (DAYS - 1 - i) * 86400000).toISOString().slice(0, 10));
  }

  function svg(tag, attributes, ...children) {
    return el('svg:' + tag, attributes, ...children);
  }

  function chart(entries) {
    const days = lastDays();
    // models by total spend, largest first: the largest get the distinct colours
    const totals = new Map();
    for (const entry of entries) {
      totals.set(entry.model, (totals.get(entry.model) || 0) + Number(entry.cost));
    }
    const models = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a));
    const byDay = new Map(days.map(day => [day, []]));
    for (const entry of entries) {
      if (byDay.has(entry.date)) {
        byDay.get(entry.date).push(entry);
      }
    }
    const dayTotals = days.map(day => byDay.get(day).reduce((sum, entry) => sum + Number(entry.cost), 0));
    const highest = Math.max(...dayTotals);

    const width = 720, height = 240, left = 64, bottom = 24, top = 10;
    const plotHeight = height - bottom - top;
    const slot = (width - left) / DAYS;
    const total = dayTotals.reduce((a, b) => a + b, 0);
    const drawing = svg('svg', {
      viewBox: `0 0 ${width} ${height}`, className: 'chart', role: 'img',
      'aria-label': `Spend by model per day over the last ${DAYS} days: ${money(total)} in all.`,
    });
    drawing.append(
      svg('line', { className: 'axis', x1: left, y1: top + plotHeight, x2: width, y2: top + plotHeight }),
      svg('text', { x: left - 6, y: top + 10, 'text-anchor': 'end' }, money(highest)),
      svg('text', { x: left - 6, y: top + plotHeight, 'text-anchor': 'end' }, money(0)),
      svg('text', { x: left, y: height - 6 }, days[0]),
      svg('text', { x: width, y: height - 6, 'text-anchor': 'end' }, days[DAYS - 1]));
    days.forEach((day, i) => {
      let y = top + plotHeight;
      for (const entry of byDay.get(day).sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model))) {
        const barHeight = highest > 0 ? Number(entry.cost) / highest * plotHeight : 0;
        y -= barHeight;
        drawing.append(svg('rect', {
          x: (left + i * slot + slot * 0.15).toFixed(1), y: y.toFixed(1),
          width: (slot * 0.7).toFixed(1), height: Math.max(barHeight, 0).toFixed(1),
          className: `series-${Math.min(models.indexOf(entry.model), SERIES - 1)}`,
        }, svg('title', null, `${day} · ${entry.model}: ${money(entry.cost)} (${count(entry.requests)} requests)`)));
      }
    });
    document.getElementById('chart').replaceChildren(drawing);
    document.getElementById('legend').replaceChildren(...models.map((model, i) => el('li', null,
      el('span', { className: `swatch series-${Math.min(i, SERIES - 1)}`, 'aria-hidden': 'true' }),
      `${model} (${money(totals.get(model))})`)));
    if (models.length === 0) {
      document.getElementById('legend').append(el('li', { className: 'muted' }, 'No requests in the last 30 days.'));
    }
    document.querySelector('#spend-table tbody').replaceChildren(...entries.map(entry => el('tr', null,
      el('td', null, entry.date), el('td', null, entry.model),
      el('td', { className: 'num' }, count(entry.requests)), el('td', { className: 'num' }, money(entry.cost)))));
  }

  api('GET', '/api/account').then(account => {
    show('balance', account.balance);
    show('available', account.available);
    show('total-credits', account.total_credits);
    show('spent-today', account.spent_today);
    show('spent-this-month', account.spent_this_month);
    show('held', account.held);
  }, error => say(document.getElementById('status'), error.message, 'error'));

  api('GET', `/api/spend?days=${DAYS}`).then(spend => chart(spend.data),
    error => say(document.getElementById('status'), error.message, 'error'));
})();
