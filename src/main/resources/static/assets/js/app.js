/*
 * Shared by every page: calls to the JSON API (session cookie, CSRF header, one silent session
 * refresh on 401), money and time formatting, the navigation, form errors, and a small DOM builder.
 * Pages put user-supplied text in the document only through textContent (see el()), never as HTML:
 * the Content-Security-Policy forbids inline script, but a key name must not even become markup.
 */
'use strict';

const Caravan = (() => {

  class ApiError extends Error {
    constructor(status, error, retryAfter) {
      super((error && error.message) || `The server answered ${status}.`);
      this.status = status;
      this.code = error && error.code;
      this.param = error && error.param;
      this.retryAfter = retryAfter;
    }
  }

  /** Read just before each request: the server may rotate it (e.g. after logging in). */
  function xsrfToken() {
    for (const part of document.cookie.split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === 'XSRF-TOKEN') {
        return decodeURIComponent(value.join('='));
      }
    }
    return null;
  }

  async function send(method, path, body) {
    const headers = { 'Accept': 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const token = xsrfToken();
      if (token) {
        headers['X-XSRF-TOKEN'] = token;
      }
    }
    return fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  // The refresh token is single-use: calls that get 401 at the same moment share one refresh.
  let refreshing = null;

  function refreshSession() {
    if (!refreshing) {
      refreshing = send('POST', '/auth/refresh')
        .then(response => response.ok, () => false)
        .finally(() => setTimeout(() => { refreshing = null; }, 0));
    }
    return refreshing;
  }

  function loginPath() {
    return '/login?next=' + encodeURIComponent(location.pathname + location.search);
  }

  /**
   * One call to the API. session: 'required' (401 -> refresh once -> else go to the login page),
   * 'optional' (401 -> refresh once -> else resolves null) or 'none'. Resolves the parsed JSON
   * (null for an empty body); rejects with an ApiError carrying the server's message and param.
   */
  async function api(method, path, body, session = 'required') {
    const tokenSent = xsrfToken();
    let response = await send(method, path, body);
    if (response.status === 403 && xsrfToken() !== tokenSent) {
      // the CSRF token changed under us (a new session got a new one): once more with the new one
      response = await send(method, path, body);
    }
    if (response.status === 401 && session !== 'none' && await refreshSession()) {
      response = await send(method, path, body);
    }
    if (response.status === 401 && session === 'required') {
      location.assign(loginPath());
      return new Promise(() => {}); // the page is going away: nothing waiting on this should run
    }
    if (response.status === 401 && session === 'optional') {
      return null;
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (e) {
        json = null;
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, json && json.error, response.headers.get('Retry-After'));
    }
    return json;
  }

  /** Only a path on this site: one leading slash, no scheme, no `//` or `/\` (browsers read both as another host). */
  function localPath(next) {
    if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) {
      return null;
    }
    return /[\\\u0000-\u0020]/.test(next) ? null : next;
  }

  // ---- formatting ----

  const currencyFormats = new Map();

  /**
   * USD. Cents from a cent up; below that up to 6 significant digits, so that a request's cost of
   * $0.0000125 does not read as $0.00.
   */
  function money(value) {
    const amount = Number(value);
    if (value === null || value === undefined || !Number.isFinite(amount)) {
      return '—';
    }
    const size = Math.abs(amount);
    const digits = size === 0 || size >= 0.01 ? 2 : Math.min(12, 5 - Math.floor(Math.log10(size)));
    if (!currencyFormats.has(digits)) {
      currencyFormats.set(digits, new Intl.NumberFormat('en-US', {
        style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: digits,
      }));
    }
    return currencyFormats.get(digits).format(amount);
  }

  const integerFormat = new Intl.NumberFormat('en-US');

  function count(value) {
    return value === null || value === undefined ? '—' : integerFormat.format(value);
  }

  const secondsFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
  const minutesFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

  /** Local date and time, to the minute; withSeconds where requests a second apart must be told apart. */
  function dateTime(iso, withSeconds) {
    return iso ? (withSeconds ? secondsFormat : minutesFormat).format(new Date(iso)) : '—';
  }

  function date(iso) {
    return iso ? dateFormat.format(new Date(iso)) : '—';
  }

  // ---- DOM ----

  /**
   * An element: el('td', {className: 'num', dataset: {requestId: id}}, 'text', child, ...).
   * Strings become text nodes, never markup.
   */
  function el(tag, props, ...children) {
    const node = tag.startsWith('svg:')
      ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
      : document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (key === 'dataset') {
        Object.assign(node.dataset, value);
      } else if (key === 'className') {
        node.setAttribute('class', value);
      } else if (key === 'text') {
        node.textContent = value;
      } else if (value !== null && value !== undefined && value !== false) {
        node.setAttribute(key, value === true ? '' : value);
      }
    }
    for (const child of children) {
      if (child !== null && child !== undefined) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  /** Shows a message in a status region (role=status or alert): screen readers announce it. */
  function say(region, message, kind) {
    region.textContent = message || '';
    region.classList.toggle('is-error', kind === 'error');
    region.classList.toggle('is-success', kind === 'success');
    region.hidden = !message;
  }

  // ---- forms ----

  /**
   * Clears a form's errors. Each field's error element is the one its aria-describedby names that
   * has the class field-error; the form's own error is its [data-form-error] element.
   */
  function clearErrors(form) {
    for (const field of form.querySelectorAll('[aria-invalid]')) {
      field.removeAttribute('aria-invalid');
    }
    for (const error of form.querySelectorAll('.field-error, [data-form-error]')) {
      error.textContent = '';
    }
  }

  function fieldError(form, name, message) {
    const field = form.elements.namedItem(name);
    const target = field && field.getAttribute('aria-describedby') &&
      field.getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id))
        .find(node => node && node.classList.contains('field-error'));
    if (!target) {
      return false;
    }
    field.setAttribute('aria-invalid', 'true');
    target.textContent = message;
    field.focus();
    return true;
  }

  /** Puts an API error next to the field its param names, or at the top of the form. */
  function showError(form, error) {
    let message = error instanceof ApiError ? error.message : 'The server could not be reached. Try again.';
    if (error instanceof ApiError && error.status === 429 && error.retryAfter) {
      message += ` Try again in ${error.retryAfter} seconds.`;
    }
    if (error instanceof ApiError && error.param && fieldError(form, error.param, message)) {
      return;
    }
    const formError = form.querySelector('[data-form-error]');
    formError.textContent = message;
    formError.focus();
  }

  /**
   * The browser's own checks (required, type=email, minlength, min), shown like the server's errors:
   * in words next to the field rather than in a bubble that vanishes (the forms are novalidate).
   */
  function checkFields(form) {
    const invalid = [...form.elements].filter(field => field.name && field.willValidate && !field.checkValidity());
    for (const field of invalid.reverse()) { // reversed: the first invalid field ends up focused
      fieldError(form, field.name, field.validationMessage);
    }
    return invalid.length === 0;
  }

  /**
   * Wires a form: on submit, clears errors, checks the fields, disables the button, awaits
   * handler(values), and shows a failure next to its field.
   */
  function onSubmit(form, handler) {
    form.addEventListener('submit', async event => {
      event.preventDefault();
      clearErrors(form);
      if (!checkFields(form)) {
        return;
      }
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        await handler(Object.fromEntries(new FormData(form)));
      } catch (error) {
        showError(form, error);
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- navigation ----

  const SIGNED_IN = [['/', 'Overview'], ['/keys', 'API keys'], ['/usage', 'Usage'], ['/models', 'Models'],
    ['/credits', 'Credits'], ['/account', 'Account']];
  const SIGNED_OUT = [['/models', 'Models'], ['/login', 'Log in'], ['/signup', 'Sign up']];

  /** The main navigation, marking the current page. signedIn false: Log in / Sign up instead. */
  function nav(signedIn) {
    const container = document.getElementById('site-nav');
    const list = el('ul', { className: 'nav-list' });
    for (const [path, label] of signedIn ? SIGNED_IN : SIGNED_OUT) {
      const current = location.pathname === path ? 'page' : null;
      list.append(el('li', null, el('a', { href: path, 'aria-current': current }, label)));
    }
    if (signedIn) {
      const logout = el('button', { type: 'button', className: 'link-button', id: 'logout' }, 'Log out');
      logout.addEventListener('click', async () => {
        logout.disabled = true;
        try {
          await api('POST', '/auth/logout', undefined, 'none');
        } catch (error) {
          // logged out already, or the server is gone: the login page is the right place either way
        }
        location.assign('/login');
      });
      list.append(el('li', null, logout));
    }
    container.replaceChildren(list);
  }

  return { api, refreshSession, localPath, money, count, dateTime, date, el, say, onSubmit, fieldError,
    nav };
})();
