/**
 * What the agent reads when a sign-in does not end with tokens: one short sentence per SignInError kind, in
 * French and English, never the provider's own words; and how browser rejections and answers are classified.
 */
import { describe, expect, it } from 'vitest';
import { describeError, VisioApiError } from '../src/client.ts';
import {
  beginSignIn,
  createSignInSession,
  isSignInCancelled,
  memoryTokenStorage,
  readRedirect,
  SignInError,
  signInWithWebAuthFlow,
  webAuthFlowError,
  type PendingSignIn,
  type SignInErrorKind,
} from '../src/sign-in.ts';

const EXPECTED: Record<SignInErrorKind, { fr: string; en: string }> = {
  cancelled: { fr: 'Connexion annulée.', en: 'Sign-in cancelled.' },
  denied: {
    fr: 'Connexion refusée : l’accès à votre compte n’a pas été autorisé. Recommencez en acceptant la demande, ou contactez votre administrateur.',
    en: 'Sign-in refused: access to your account was not granted. Try again and accept the request, or contact your administrator.',
  },
  'state-mismatch': {
    fr: 'La réponse de connexion ne correspond pas à votre demande. Recommencez la connexion.',
    en: 'The sign-in answer does not match your request. Please sign in again.',
  },
  'invalid-grant': { fr: 'La connexion a expiré avant d’aboutir. Recommencez la connexion.', en: 'The sign-in expired before it completed. Please sign in again.' },
  network: {
    fr: 'Impossible de joindre le service Visio pour vous connecter. Vérifiez votre connexion et réessayez.',
    en: 'Cannot reach the Visio service to sign in. Check your connection and try again.',
  },
  unavailable: {
    fr: 'Le service de connexion est momentanément indisponible. Réessayez dans quelques minutes.',
    en: 'The sign-in service is temporarily unavailable. Try again in a few minutes.',
  },
  blocked: {
    fr: 'La fenêtre de connexion n’a pas pu s’ouvrir. Fermez toute fenêtre de connexion déjà ouverte, autorisez les fenêtres pop-up, puis réessayez.',
    en: 'The sign-in window could not open. Close any sign-in window already open, allow pop-ups, then try again.',
  },
  failed: {
    fr: 'La connexion a échoué. Réessayez ; si le problème persiste, contactez votre administrateur.',
    en: 'Sign-in failed. Try again; if this persists, contact your administrator.',
  },
};

const endpoints = { loginUrl: 'https://gw.example.gouv.fr/auth/login', tokenUrl: 'https://gw.example.gouv.fr/auth/token' };
const REDIRECT = 'https://abc.chromiumapp.org/';

function kindOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return error instanceof SignInError ? error.kind : 'other';
  }
  return 'accepted';
}

describe('describeError for sign-in errors', () => {
  for (const [kind, text] of Object.entries(EXPECTED) as [SignInErrorKind, { fr: string; en: string }][]) {
    it(`${kind}: one sentence in French and in English, whatever the developer message`, () => {
      const error = new SignInError('The developer message, in English <b>with markup</b>', kind);
      expect(describeError(error, 'fr')).toBe(text.fr);
      expect(describeError(error, 'en')).toBe(text.en);
      // French is the default.
      expect(describeError(error)).toBe(text.fr);
    });
  }

  it('gives each kind its own sentence, distinct from the generic one', () => {
    for (const lang of ['fr', 'en'] as const) {
      const texts = (Object.keys(EXPECTED) as SignInErrorKind[]).map((k) => describeError(new SignInError('x', k), lang));
      expect(new Set(texts).size).toBe(texts.length);
      expect(texts).not.toContain(describeError(new Error('x'), lang));
    }
  });

  it('never repeats what the provider put in error_description (text or markup)', async () => {
    const pending = await beginSignIn({ endpoints, clientId: 'browser', redirectUri: REDIRECT });
    const hostile = '<img src=x onerror=alert(1)> Votre compte est bloqué, appelez le 01 02 03 04 05';
    for (const error of ['access_denied', 'server_error', 'temporarily_unavailable', 'invalid_request', 'login_required']) {
      const url = `${REDIRECT}?error=${error}&error_description=${encodeURIComponent(hostile)}&state=${pending.state}`;
      let caught: unknown;
      try {
        readRedirect(url, pending);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(SignInError);
      // Kept for developers…
      expect((caught as SignInError).message).toContain(error);
      // …never shown to the agent.
      for (const lang of ['fr', 'en'] as const) {
        const text = describeError(caught, lang);
        expect(text).not.toContain('<');
        expect(text).not.toContain('bloqué');
        expect(text).not.toContain(error);
      }
    }
  });

  it('keeps the existing sentences for errors of the gateway client', () => {
    expect(describeError(new VisioApiError('x', 'network'), 'fr')).toBe('Impossible de joindre le service Visio. Vérifiez votre connexion et réessayez.');
    expect(describeError(new Error('x'), 'en')).toBe('Something went wrong');
  });
});

describe('classifying what the provider and the gateway answered', () => {
  it('maps the redirect’s error codes to kinds', async () => {
    const pending = await beginSignIn({ endpoints, clientId: 'browser', redirectUri: REDIRECT });
    const at = (query: string) => kindOf(() => readRedirect(`${REDIRECT}?${query}`, pending));
    expect(at(`error=access_denied&state=${pending.state}`)).toBe('denied');
    expect(at(`error=temporarily_unavailable&state=${pending.state}`)).toBe('unavailable');
    expect(at(`error=server_error&state=${pending.state}`)).toBe('failed');
    expect(at(`error=access_denied&state=other`)).toBe('state-mismatch');
  });

  it('maps the token endpoint’s answers to kinds; an unreachable or busy gateway keeps the refresh token', async () => {
    const answers: (() => Response)[] = [];
    const storage = memoryTokenStorage({ accessToken: 'a', refreshToken: 'r', expiresAt: 0 });
    const session = createSignInSession({
      endpoints,
      clientId: 'browser',
      redirectUri: REDIRECT,
      storage,
      fetch: async () => {
        const next = answers.shift();
        if (!next) throw new TypeError('Failed to fetch');
        return next();
      },
    });
    const json = (status: number, body: unknown) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const pending = await session.beginSignIn();
    const complete = async () => {
      try {
        await session.completeSignIn(`${REDIRECT}?code=c&state=${pending.state}`, pending);
      } catch (error) {
        return error instanceof SignInError ? error.kind : 'other';
      }
      return 'signed-in';
    };
    answers.push(json(400, { error: 'invalid_grant', detail: 'code expired' }));
    expect(await complete()).toBe('invalid-grant');
    answers.push(json(503, { title: 'Unavailable' }));
    expect(await complete()).toBe('unavailable');
    answers.push(() => new Response('busy', { status: 429 }));
    expect(await complete()).toBe('unavailable');
    expect(await complete()).toBe('network');
    answers.push(json(200, { access_token: 1 }));
    expect(await complete()).toBe('failed');

    // Refresh: 503 and a network failure keep the tokens; a refused refresh token is forgotten.
    answers.push(json(503, {}));
    expect(await session.refresh()).toBe(false);
    expect(await storage.load()).not.toBeNull();
    expect(await session.refresh()).toBe(false);
    expect(await storage.load()).not.toBeNull();
    answers.push(json(400, { error: 'invalid_grant' }));
    expect(await session.refresh()).toBe(false);
    expect(await storage.load()).toBeNull();
  });
});

describe('launchWebAuthFlow rejections', () => {
  it('reads the closed window of Chromium, Firefox and Thunderbird as cancelled', () => {
    // Chromium's Error, and Gecko's rejection as the extension sees it (an Error) or as the parent sends it (an object).
    for (const rejection of [new Error('The user did not approve access.'), new Error('User cancelled or denied access.'), { message: 'User cancelled or denied access.' }]) {
      const error = webAuthFlowError(rejection);
      expect(error.kind).toBe('cancelled');
      expect(isSignInCancelled(error)).toBe(true);
      expect(describeError(error, 'fr')).toBe('Connexion annulée.');
      expect(describeError(error, 'en')).toBe('Sign-in cancelled.');
    }
  });

  it('reads a page that could not load as unreachable, anything else as failed, and keeps a SignInError as is', () => {
    expect(webAuthFlowError(new Error('Authorization page could not be loaded.')).kind).toBe('network');
    for (const other of [new Error('Requires user interaction'), new Error('redirect_uri not allowed'), 'Invalid request', undefined]) {
      const error = webAuthFlowError(other);
      expect(error.kind).toBe('failed');
      expect(isSignInCancelled(error)).toBe(false);
    }
    const denied = new SignInError('access_denied', 'denied');
    expect(webAuthFlowError(denied)).toBe(denied);
    expect(isSignInCancelled(new Error('User cancelled or denied access.'))).toBe(false);
  });
});

describe('signInWithWebAuthFlow', () => {
  const pending: PendingSignIn = { url: 'https://gw.example/auth/login?state=s', state: 's', verifier: 'v' };
  it('opens the login page in the platform window and completes with its redirect', async () => {
    const completed: string[] = [];
    const opened: unknown[] = [];
    await signInWithWebAuthFlow(
      { beginSignIn: async () => pending, completeSignIn: async (redirected) => void completed.push(redirected) },
      async (details) => (opened.push(details), 'https://app.example/cb?code=c&state=s'),
      'fr',
    );
    expect(opened).toEqual([{ url: pending.url, interactive: true }]);
    expect(completed).toEqual(['https://app.example/cb?code=c&state=s']);
  });

  it('turns a closed window into `cancelled` and completes nothing', async () => {
    let completed = false;
    const error = await signInWithWebAuthFlow({ beginSignIn: async () => pending, completeSignIn: async () => void (completed = true) }, async () =>
      Promise.reject(new Error('User cancelled or denied access.')),
    ).catch((e: unknown) => e);
    expect(isSignInCancelled(error)).toBe(true);
    expect(completed).toBe(false);
  });
});
