'use strict';
// Account: who you are, change password, sessions (log out everywhere), request account deletion.
(() => {
  const { api, el, date, dateTime, say, onSubmit, nav } = Caravan;
  const status = document.getElementById('status');
  nav(true);

  function showDeletion(requestedAt) {
    say(document.getElementById('deletion-status'),
      `Deletion requested on ${dateTime(requestedAt)}. Every key of the account is revoked and every session `
      + 'logged out; your personal data is erased within 30 days.', 'error');
    document.getElementById('deletion-actions').hidden = true;
    document.getElementById('deletion-confirm').hidden = true;
  }

  function loadAccount() {
    return api('GET', '/api/account').then(account => {
      document.getElementById('email').textContent = account.email;
      document.getElementById('username').value = account.email; // lets password managers pair the change
      document.getElementById('account-id').textContent = account.id;
      document.getElementById('created').textContent = date(account.created_at);
      if (account.deletion_requested_at) {
        showDeletion(account.deletion_requested_at);
      }
    }, error => say(status, error.message, 'error'));
  }

  function loadSessions() {
    return api('GET', '/api/sessions').then(sessions => {
      document.querySelector('#sessions tbody').replaceChildren(...sessions.data.map(session => el('tr', null,
        el('td', { className: 'wrap' }, session.user_agent || 'unknown'),
        el('td', null, dateTime(session.created_at)),
        el('td', null, dateTime(session.last_used_at)),
        el('td', null, session.current ? el('span', { className: 'tag active' }, 'this session') : ''))));
    }, error => say(status, error.message, 'error'));
  }

  const passwordForm = document.getElementById('password-form');
  onSubmit(passwordForm, async values => {
    await api('POST', '/api/account/password',
      { current_password: values.current_password, new_password: values.new_password });
    passwordForm.reset();
    say(document.getElementById('password-status'), 'Password changed. Your other sessions are logged out.', 'success');
    await loadSessions();
  });

  const logoutAll = document.getElementById('logout-all');
  logoutAll.addEventListener('click', async () => {
    logoutAll.disabled = true;
    try {
      await api('POST', '/api/sessions/logout-all');
      location.assign('/login');
    } catch (error) {
      say(status, error.message, 'error');
      logoutAll.disabled = false;
    }
  });

  const ask = document.getElementById('request-deletion');
  const confirmBox = document.getElementById('deletion-confirm');
  const cancel = () => {
    confirmBox.hidden = true;
    ask.parentElement.hidden = false;
    ask.focus();
  };
  ask.addEventListener('click', () => {
    ask.parentElement.hidden = true;
    confirmBox.hidden = false;
    document.getElementById('confirm-deletion').focus();
  });
  document.getElementById('cancel-deletion').addEventListener('click', cancel);
  confirmBox.addEventListener('keydown', event => event.key === 'Escape' && cancel());
  document.getElementById('confirm-deletion').addEventListener('click', async () => {
    try {
      const answer = await api('POST', '/api/account/deletion');
      showDeletion(answer.deletion_requested_at);
    } catch (error) {
      say(document.getElementById('deletion-status'), error.message, 'error');
      cancel();
    }
  });

  loadAccount();
  loadSessions();
})();
