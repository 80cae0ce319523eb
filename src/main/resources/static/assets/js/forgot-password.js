'use strict';
// Asks for a reset link. The answer is the same whether or not the email has an account.
(() => {
  const { api, onSubmit, say, nav } = Caravan;
  nav(false);

  onSubmit(document.getElementById('forgot-form'), async values => {
    await api('POST', '/auth/password-reset', { email: values.email }, 'none');
    say(document.getElementById('notice'),
      'If an account uses that email, a link to reset its password is on its way. It works once.', 'success');
  });
})();
