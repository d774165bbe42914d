/**
 * The sign-in redirect lands here (on the gateway's origin, inside the Office dialog): this page's URL (the
 * one-time code or error, and state) goes back to the task pane with messageParent; the task pane checks the
 * state and exchanges the code (@visio/shared/sign-in).
 */
const TEXT = {
  fr: { done: 'Connexion terminée. Cette fenêtre va se fermer.', failed: 'La connexion a échoué. Fermez cette fenêtre et recommencez.' },
  en: { done: 'Signed in. This window will close.', failed: 'Sign-in failed. Close this window and try again.' },
};

Office.onReady(() => {
  const lang = (Office.context.displayLanguage ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en';
  document.documentElement.lang = lang;
  document.title = lang === 'fr' ? 'Connexion à Visio' : 'Sign in to Visio';
  document.getElementById('heading')!.textContent = document.title;
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  document.getElementById('message')!.textContent = code && !error ? TEXT[lang].done : TEXT[lang].failed;
  Office.context.ui.messageParent(location.href);
});
