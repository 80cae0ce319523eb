'use strict';
// Credits: buy credit through Razorpay Checkout, purchases with their receipts, refunds of unused credit.
(() => {
  const { api, el, money, dateTime, say, onSubmit, nav } = Caravan;
  const status = document.getElementById('status');
  nav(true);

  /** An amount in a currency's smallest unit, as its major unit (paise -> rupees). */
  function paid(minor, currency) {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(minor / 10 ** digits);
  }

  /** Razorpay's script, from the configured address (the page's policy allows that origin only). */
  let checkoutLoading = null;
  function loadCheckout(url) {
    if (!checkoutLoading) {
      checkoutLoading = new Promise((resolve, reject) => {
        const script = el('script', { src: url });
        script.addEventListener('load', resolve);
        script.addEventListener('error', () => {
          checkoutLoading = null;
          reject(new Error('Razorpay Checkout could not be loaded. Try again.'));
        });
        document.head.append(script);
      });
    }
    return checkoutLoading;
  }

  function showReceipt(purchase) {
    document.getElementById('receipt-order').textContent = purchase.order_id;
    document.getElementById('receipt-payment').textContent = purchase.payment_id || '—';
    document.getElementById('receipt-amount').textContent = paid(purchase.amount, purchase.currency);
    document.getElementById('receipt-rate').textContent = `${purchase.usd_rate} ${purchase.currency} per USD`;
    document.getElementById('receipt-credit').textContent = money(purchase.credit);
    document.getElementById('receipt-date').textContent = dateTime(purchase.paid_at || purchase.created_at);
    document.getElementById('receipt-until').textContent = dateTime(purchase.refundable_until);
    const receipt = document.getElementById('receipt');
    receipt.hidden = false;
    receipt.scrollIntoView({ block: 'nearest' });
  }

  async function load() {
    try {
      const [account, payments] = await Promise.all([api('GET', '/api/account'), api('GET', '/api/payments')]);
      document.getElementById('balance').textContent = money(account.balance);
      document.getElementById('refundable').textContent = money(payments.refundable);
      document.getElementById('request-refund').disabled = Number(payments.refundable) <= 0;
      document.querySelector('#purchases tbody').replaceChildren(...payments.purchases.map(purchase => {
        const receipt = el('button', { type: 'button', className: 'link-button' }, 'Receipt');
        receipt.addEventListener('click', () => showReceipt(purchase));
        return el('tr', { dataset: { orderId: purchase.order_id } },
          el('td', null, dateTime(purchase.paid_at || purchase.created_at)),
          el('td', { className: 'num' }, money(purchase.credit)),
          el('td', { className: 'num' }, paid(purchase.amount, purchase.currency)),
          el('td', null, el('span', { className: 'tag' + (purchase.status === 'paid' ? ' active' : '') },
            purchase.status === 'paid' ? 'paid' : 'not paid')),
          el('td', { className: 'num' }, purchase.status === 'paid' ? money(purchase.refundable) : '—'),
          el('td', null, purchase.status === 'paid' ? receipt : ''));
      }));
      document.querySelector('#refunds tbody').replaceChildren(...payments.refunds.map(refund => el('tr',
        { dataset: { refundId: refund.id } },
        el('td', null, dateTime(refund.created_at)),
        el('td', { className: 'mono' }, refund.order_id),
        el('td', { className: 'num' }, money(refund.credit)),
        el('td', { className: 'num' }, paid(refund.amount, refund.currency)),
        el('td', null, el('span', { className: 'tag refund-status' }, refund.status)))));
    } catch (error) {
      say(status, error.message, 'error');
    }
  }

  const form = document.getElementById('topup-form');
  let options = null;

  async function setUp() {
    options = await api('GET', '/api/payments/options');
    if (!options.enabled) {
      document.getElementById('payments-off').hidden = false;
      document.getElementById('request-refund').hidden = true;
      return;
    }
    form.hidden = false;
    const amount = document.getElementById('amount');
    amount.min = options.min_credit;
    amount.max = options.max_credit;
    document.getElementById('amount-hint').textContent =
      `From ${money(options.min_credit)} to ${money(options.max_credit)}, paid in ${options.currency} at ${options.usd_rate} per USD.`;
    document.getElementById('packs').replaceChildren(...options.packs.map(pack => {
      const button = el('button', { type: 'button', className: 'secondary pack', dataset: { amount: pack } }, money(pack));
      button.addEventListener('click', () => {
        amount.value = pack;
        amount.focus();
      });
      return button;
    }));
  }

  onSubmit(form, async values => {
    const order = await api('POST', '/api/payments/orders', { amount: values.amount });
    await loadCheckout(options.checkout_url);
    await new Promise((resolve, reject) => {
      const checkout = new window.Razorpay({
        key: order.key_id, order_id: order.order_id, amount: order.amount, currency: order.currency,
        name: 'Caravan', description: `${money(order.credit)} of credit`,
        handler: response => api('POST', '/api/payments/verify', {
          razorpay_order_id: response.razorpay_order_id,
          razorpay_payment_id: response.razorpay_payment_id,
          razorpay_signature: response.razorpay_signature,
        }).then(result => {
          say(status, result.credited ? `${money(result.credit)} added to your balance.`
            : 'Payment received: the credit appears as soon as Razorpay confirms it.', 'success');
          return load();
        }).then(resolve, reject),
        modal: { ondismiss: () => resolve() },
      });
      checkout.on('payment.failed', () => reject(new Error('The payment failed: nothing was charged or credited.')));
      checkout.open();
    });
  });

  const refundButton = document.getElementById('request-refund');
  refundButton.addEventListener('click', async () => {
    refundButton.disabled = true;
    try {
      const refunds = await api('POST', '/api/refunds', {});
      const total = refunds.data.reduce((sum, refund) => sum + Number(refund.credit), 0);
      say(document.getElementById('refund-status'), `Refund of ${money(total)} requested.`, 'success');
    } catch (error) {
      say(document.getElementById('refund-status'), error.message, 'error');
    }
    await load();
  });

  setUp().catch(error => say(status, error.message, 'error'));
  load();
})();
