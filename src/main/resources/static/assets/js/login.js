'use strict';
// Log in. A still-valid refresh cookie logs in silently first; then on to `next` (a local path only) or `/`.
(() => {
  const { api, localPath, onSubmit, say, nav } = Caravan;
  const params = new URLSearchParams(location.search);
  const destination = localPath(params.get('next')) || '/';
  const notice = document.getElementById('notice');
  nav(false);

  if (params.get('verified') === '1') {
    say(notice, 'Your email is verified. Log in to continue.', 'success');
  } else if (params.get('verified') === '0') {
    say(notice, 'That verification link is invalid or has expired.', 'error');
  } else if (params.get('reset') === '1') {
    say(notice, 'Your password is changed. Log in with the new one.', 'success');
  }

  api('POST', '/auth/refresh', undefined, 'none').then(() => location.replace(destination), () => {});

  onSubmit(document.getElementById('login-form'), async values => {
    await api('POST', '/auth/login', { email: values.email, password: values.password }, 'none');
    location.assign(destination);
  });
})();
