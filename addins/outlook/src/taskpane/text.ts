/** The task pane's words, keyed like the page's `data-t` attributes. */
import type { Lang } from '@visio/shared';

export const PANE_TEXT: Record<Lang, Record<string, string>> = {
  fr: {
    itemHeading: 'Cet élément', loading: 'Chargement…', add: 'Ajouter une réunion Visio', remove: 'Retirer la réunion Visio',
    insert: 'Insérer un lien Visio', join: 'Rejoindre Visio', accountHeading: 'Compte', signIn: 'Se connecter à Visio',
    signOut: 'Se déconnecter', settingsHeading: 'Réglages', accessLevel: 'Accès aux nouvelles réunions', accessDefault: 'Réglage du service',
    accessPublic: 'Tout le monde avec le lien', accessTrusted: 'Agents connectés', accessRestricted: 'Invités seulement',
    autoAdd: 'Ajouter Visio à chaque nouvelle réunion', langLabel: 'Langue', langAuto: 'Celle d’Outlook', save: 'Enregistrer',
    saved: 'Réglages enregistrés.', hasRoom: 'Cet élément contient une réunion Visio :', noRoom: 'Cet élément ne contient pas de réunion Visio.',
    localMode: 'Le service Visio fonctionne en mode local : aucune connexion nécessaire.', signedIn: 'Vous êtes connecté à Visio.',
    signedOut: 'Vous n’êtes pas connecté à Visio.', signingIn: 'Connexion dans la fenêtre ouverte…',
    unreachable: 'Le service Visio est injoignable.', noItem: 'Aucun élément ouvert.',
  },
  en: {
    itemHeading: 'This item', loading: 'Loading…', add: 'Add Visio meeting', remove: 'Remove Visio meeting', insert: 'Insert Visio link',
    join: 'Join Visio', accountHeading: 'Account', signIn: 'Sign in to Visio', signOut: 'Sign out', settingsHeading: 'Settings',
    accessLevel: 'Access to new meetings', accessDefault: 'Service setting', accessPublic: 'Anyone with the link', accessTrusted: 'Signed-in agents',
    accessRestricted: 'Invitees only', autoAdd: 'Add Visio to every new meeting', langLabel: 'Language', langAuto: 'Outlook’s language',
    save: 'Save', saved: 'Settings saved.', hasRoom: 'This item holds a Visio meeting:', noRoom: 'This item holds no Visio meeting.',
    localMode: 'The Visio service runs in local mode: no sign-in needed.', signedIn: 'You are signed in to Visio.',
    signedOut: 'You are not signed in to Visio.', signingIn: 'Signing in in the opened window…',
    unreachable: 'The Visio service cannot be reached.', noItem: 'No item open.',
  },
};
