'use strict';
// The public catalogue (GET /api/models). Readable without a session; the navigation follows the session.
(() => {
  const { api, el, money, count, say, nav } = Caravan;

  api('GET', '/api/account', undefined, 'optional').then(account => nav(Boolean(account)), () => nav(false));

  function tags(values, className) {
    return values.map(value => el('span', { className: className ? `tag ${className}` : 'tag' }, value));
  }

  // A price cell: the price now, then each announced price with the day it takes effect.
  function priceCell(className, model, field) {
    const upcoming = (model.upcoming_pricing || []).map(change => el('div', { className: 'upcoming' },
      `from ${change.effective}: ${money(change.price[field])}`));
    return el('td', { className: `num ${className}` }, money(model.pricing[field]), ...upcoming);
  }

  function row(model) {
    const modalities = `${model.modalities.input.join(', ')} → ${model.modalities.output.join(', ')}`;
    const backends = model.backends.map(backend => el('span', {
      className: backend.free_tier ? 'tag free' : 'tag',
      title: `${money(backend.price.input)} in / ${money(backend.price.output)} out per 1M tokens`
        + (backend.upcoming || []).map(change =>
          `; from ${change.effective}: ${money(change.price.input)} in / ${money(change.price.output)} out`).join(''),
    }, backend.free_tier ? `${backend.provider} · free tier` : backend.provider));
    return el('tr', { dataset: { model: model.id } },
      el('th', { scope: 'row' }, el('code', null, model.id)),
      el('td', { className: 'num' }, count(model.context_length)),
      el('td', { className: 'num' }, count(model.max_output_tokens)),
      priceCell('price-input', model, 'input'),
      priceCell('price-output', model, 'output'),
      priceCell('price-cached', model, 'cached_input'),
      el('td', null, modalities),
      el('td', { className: 'wrap' }, ...tags(model.capabilities)),
      el('td', { className: 'wrap' }, ...backends));
  }

  api('GET', '/api/models', undefined, 'none').then(catalogue => {
    const body = document.querySelector('#models tbody');
    body.replaceChildren(...catalogue.data.map(row));
    if (catalogue.data.length === 0) {
      body.append(el('tr', null, el('td', { colspan: 9, className: 'empty' }, 'No model is configured yet.')));
    }
  }, error => say(document.getElementById('status'), error.message, 'error'));
})();
