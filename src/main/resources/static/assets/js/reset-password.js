'use strict';
// Sets a new password with the one-time token from the mailed link (?token=...).
(() => {
  const { api, onSubmit, fieldError, say, nav } = Caravan;
  const form = document.getElementById('reset-form');
  const token = new URLSearchParams(location.search).get('token');
  nav(false);

  if (!token) {
    form.hidden = true;
    say(document.getElementById('notice'), 'This page needs the link from the password reset email.', 'error');
    return;
  }
  form.elements.namedItem('token').value = token;

  onSubmit(form, async values => {
    if (values.password !== values.confirm) {
      fieldError(form, 'confirm', 'The two passwords are not the same.');
      return;
    }
    await api('POST', '/auth/password-reset/confirm', { token: values.token, password: values.password }, 'none');
    location.assign('/login?reset=1');
  });
})();
