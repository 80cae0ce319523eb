'use strict';
// Sign up: logged in at once (201), or told to open the verification mail first (202).
(() => {
  const { api, onSubmit, say, nav } = Caravan;
  const form = document.getElementById('signup-form');
  nav(false);

  onSubmit(form, async values => {
    const answer = await api('POST', '/auth/signup', { email: values.email, password: values.password }, 'none');
    if (answer && answer.verification_required) {
      form.hidden = true;
      say(document.getElementById('notice'),
        `Almost done: we sent a link to ${answer.email}. Open it to verify your email, then log in.`, 'success');
      return;
    }
    location.assign('/');
  });
})();
