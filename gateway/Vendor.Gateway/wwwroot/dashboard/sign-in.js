import { applyI18n, param, t, toggleLanguage } from './app.js';

applyI18n();
document.getElementById('lang').addEventListener('click', toggleLanguage);
document.getElementById('returnUrl').value = param('returnUrl') || '/dashboard/';
const message = document.getElementById('message');
const error = param('error');
if (error || param('signedOut')) {
  message.hidden = false;
  message.dataset.error = error || '';
  message.classList.toggle('error', Boolean(error));
  message.textContent = error ? t(`signin.error.${error}`) : t('signin.signedOut');
}
