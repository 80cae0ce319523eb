'use strict';
// API keys: create (the secret shown once, with Copy), list, and revoke after a confirm step.
(() => {
  const { api, el, money, count, date, dateTime, say, onSubmit, nav } = Caravan;
  const form = document.getElementById('create-form');
  const table = document.querySelector('#keys tbody');
  const status = document.getElementById('status');
  const secret = document.getElementById('new-key');
  const secretValue = document.getElementById('new-key-value');
  const copyStatus = document.getElementById('copy-status');
  nav(true);
  // the first day a key can expire on: tomorrow (UTC, as the server compares)
  document.getElementById('expires_at').min = new Date(Date.now() + 86400000).toISOString().slice(0, 10);

  function state(key) {
    if (key.revoked_at) {
      return 'revoked';
    }
    return key.expires_at && new Date(key.expires_at) <= new Date() ? 'expired' : 'active';
  }

  function row(key) {
    const keyState = state(key);
    const actions = el('td', { className: 'row-actions' });
    if (keyState !== 'revoked') {
      actions.append(revokeButton(key, actions));
    }
    return el('tr', { dataset: { keyId: key.id } },
      el('th', { scope: 'row', className: 'key-name' }, key.name),
      el('td', null, el('code', null, `${key.prefix}…`)),
      el('td', null, date(key.created_at)),
      el('td', null, key.last_used_at ? dateTime(key.last_used_at) : 'never'),
      el('td', { className: 'num' }, money(key.spent)),
      el('td', { className: 'num' }, key.spend_limit === null ? 'none' : money(key.spend_limit)),
      el('td', { className: 'num' }, key.rpm_limit === null ? 'none' : count(key.rpm_limit)),
      el('td', { className: 'expires' }, key.expires_at ? dateTime(key.expires_at) : 'never'),
      el('td', null, el('span', { className: `tag ${keyState} key-status` }, keyState)),
      actions);
  }

  /** Revoke asks once more, in place: "Revoke <name>?" with Revoke and Cancel; Escape cancels. */
  function revokeButton(key, cell) {
    const button = el('button', { type: 'button', className: 'secondary small revoke' }, 'Revoke');
    button.setAttribute('aria-label', `Revoke ${key.name}`);
    button.addEventListener('click', () => {
      const confirm = el('button', { type: 'button', className: 'danger small confirm-revoke' }, 'Yes, revoke');
      const cancel = el('button', { type: 'button', className: 'secondary small' }, 'Cancel');
      const question = el('span', { className: 'actions' },
        el('span', null, 'Revoke now? Requests with it stop at once.'), confirm, cancel);
      const back = () => {
        cell.replaceChildren(button);
        button.focus();
      };
      cancel.addEventListener('click', back);
      question.addEventListener('keydown', event => event.key === 'Escape' && back());
      confirm.addEventListener('click', async () => {
        confirm.disabled = true;
        try {
          const revoked = await api('DELETE', `/api/keys/${encodeURIComponent(key.id)}`);
          const replacement = row(revoked);
          cell.parentElement.replaceWith(replacement);
          say(status, `${revoked.name} is revoked.`, 'success');
        } catch (error) {
          say(status, error.message, 'error');
          back();
        }
      });
      cell.replaceChildren(question);
      confirm.focus();
    });
    return button;
  }

  /** The OpenAI base URL: the configured public URL's, else this page's own origin's. */
  const baseUrl = api('GET', '/api/connection').then(
    connection => connection.base_url || `${location.origin}/v1`,
    () => `${location.origin}/v1`);

  async function showUsage(key) {
    const url = await baseUrl;
    document.getElementById('base-url').textContent = url;
    document.querySelector('#usage-snippet code').textContent = [
      `curl ${url}/chat/completions \\`,
      `  -H "Authorization: Bearer ${key}" \\`,
      '  -H "Content-Type: application/json" \\',
      `  -d '{"model": "MODEL", "messages": [{"role": "user", "content": "Hello"}]}'`,
      '',
      '# Python: pip install openai',
      'from openai import OpenAI',
      `client = OpenAI(base_url="${url}", api_key="${key}")`,
    ].join('\n');
  }

  function render(keys) {
    table.replaceChildren(...keys.map(row));
    if (keys.length === 0) {
      table.append(el('tr', null, el('td', { colspan: 10, className: 'empty' }, 'No keys yet: create one above.')));
    }
  }

  function load() {
    return api('GET', '/api/keys').then(list => render(list.data), error => say(status, error.message, 'error'));
  }

  onSubmit(form, async values => {
    const request = { name: values.name.trim() };
    if (values.spend_limit) {
      request.spend_limit = Number(values.spend_limit);
    }
    if (values.rpm_limit) {
      request.rpm_limit = Number(values.rpm_limit);
    }
    if (values.expires_at) {
      request.expires_at = values.expires_at;
    }
    const created = await api('POST', '/api/keys', request);
    form.reset();
    secretValue.textContent = created.key;
    copyStatus.textContent = '';
    await showUsage(created.key);
    secret.hidden = false;
    secret.focus();
    await load();
  });

  document.getElementById('copy-key').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secretValue.textContent);
      copyStatus.textContent = 'Copied.';
    } catch (error) {
      // no clipboard access (plain HTTP, or refused): select the key so that Ctrl+C / Cmd+C copies it
      const range = document.createRange();
      range.selectNodeContents(secretValue);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      copyStatus.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
    }
  });

  document.getElementById('dismiss-key').addEventListener('click', () => {
    secretValue.textContent = '';
    // the snippet holds the key too
    document.querySelector('#usage-snippet code').textContent = '';
    secret.hidden = true;
    document.getElementById('name').focus();
  });

  load();
})();
