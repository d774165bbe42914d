/**
 * Body shapes as Outlook produces them (web, classic Windows), and a foreign (Teams) meeting block. The Visio
 * block as Outlook's editors rewrite it is in outlook-bodies.ts, with the published captures it follows.
 */

export const INSTANCE = 'https://visio.numerique.gouv.fr';

// Outlook on the web: a wrapper div, and an earlier Visio block after a round trip (ids prefixed with x_).
export const OWA_HTML = '<div id="x_divtagdefaultwrapper" dir="ltr" style="font-size:12pt;color:#000000"><p>Bonjour à tous,</p><p>Ordre du jour &amp; documents <b>joints</b>.</p><br><br><br></div>';

export const OWA_WITH_OLD_BLOCK =
  '<div id="x_divtagdefaultwrapper"><p>Point hebdo</p>' +
  '<div><div id="x_x_visio-meeting-block" lang="fr" style="margin:16px 0"><p style="margin:0 0 8px"><strong>Réunion Visio</strong></p>' +
  '<p><a href="https://visio.numerique.gouv.fr/old-oldo-old">Rejoindre la réunion</a><br>https://visio.numerique.gouv.fr/old-oldo-old</p><div><p>aide</p></div></div></div>' +
  '<p>Cordialement</p></div>';

// Classic Outlook on Windows: a whole Word-generated document.
export const DESKTOP_HTML =
  '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style><!-- p.MsoNormal {margin:0cm;} --></style></head>' +
  '<body lang="FR" link="#0563C1"><div class="WordSection1"><p class="MsoNormal">Réunion de service<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p></div></body></html>';

export const TEAMS_BLOCK =
  '<div style="width:100%"><div>________________________________________________________________________________</div>' +
  '<div><span style="font-size:24px;font-weight:600">Réunion Microsoft Teams</span></div>' +
  '<div><a href="https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0">Cliquez ici pour rejoindre la réunion</a></div>' +
  '<div>________________________________________________________________________________</div></div>';

export const TEXT_BODY = 'Bonjour,\r\n\r\nOrdre du jour en pièce jointe.\r\n';

export const LOCATION_PLACES = 'Salle 4.12; Bâtiment Ségur';
