/**
 * The Visio block as Outlook's editors give it back after `body.setAsync`, for a room `url`. No Outlook runs
 * here, so each shape applies the rewrites published captures show, and says which:
 * - classic Outlook on Windows (Word editor): a whole Word "filtered" document, attributes unquoted or in
 *   single quotes, `<p class=MsoNormal>` paragraphs with `<o:p>` ends, empty paragraphs as `<o:p>&nbsp;</o:p>`
 *   (body.getAsync captures in OfficeDev/office-js#2426 and #149); unknown attributes dropped (our
 *   `data-visio-meeting-block`), the div id kept unquoted like Outlook's own `<div id=divRplyFwdMsg>`;
 *   `<strong>` as `<b>`, CSS pixels as points, CRLF line ends with long lines folded (Word's HTML writer);
 * - Outlook on the web after a round trip: ids prefixed with `x_`, our inline styles dropped, the agent's
 *   text in the default-font wrapper with `<br>` runs (captures in OfficeDev/office-js#2426 and #5501);
 * - plain-text bodies with Windows line ends (OfficeDev/office-js#5310: classic Outlook returns `\r\n`).
 * Body.getAsync/setAsync are documented as not idempotent (`@types/office-js`, Body): these are the shapes
 * the add-in must recognise.
 */

/** Classic Outlook's Word document around the agent's paragraphs (`agent`) and the rewritten block. */
export function wordDocument(agent: string[], block: string): string {
  const paragraphs = agent.map((text) => `<p class=MsoNormal>${text}<o:p></o:p></p>\r\n`).join('');
  return (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">\r\n' +
    '<head>\r\n<meta http-equiv=Content-Type content="text/html; charset=utf-8">\r\n<meta name=Generator content="Microsoft Word 15 (filtered medium)">\r\n' +
    '<style><!--\r\n/* Font Definitions */\r\n@font-face\r\n\t{font-family:"Cambria Math";}\r\n/* Style Definitions */\r\np.MsoNormal, li.MsoNormal, div.MsoNormal\r\n\t{margin:0cm;\r\n\tfont-size:11.0pt;\r\n\tfont-family:"Calibri",sans-serif;}\r\n--></style>\r\n</head>\r\n' +
    '<body lang=FR link="#0563C1" vlink="#954F72" style=\'word-wrap:break-word\'>\r\n<div class=WordSection1>\r\n' +
    paragraphs +
    '<p class=MsoNormal><o:p>&nbsp;</o:p></p>\r\n' +
    block +
    '<p class=MsoNormal><o:p>&nbsp;</o:p></p>\r\n</div>\r\n</body>\r\n</html>\r\n'
  );
}

/** The block after the Word editor (French wording of shared/invitation, title `Comité`). */
export function wordBlock(url: string): string {
  return (
    "<div id=visio-meeting-block lang=FR style='margin-top:12.0pt;margin-right:0cm;margin-bottom:12.0pt;margin-left:0cm;border:none;border-top:solid #929292 1.0pt;border-bottom:solid #929292 1.0pt;padding:6.0pt 0cm 6.0pt 0cm'>\r\n" +
    "<p class=MsoNormal style='margin-bottom:6.0pt'><b>Réunion Visio : Comité<o:p></o:p></b></p>\r\n" +
    `<p class=MsoNormal style='margin-bottom:6.0pt'><a\r\nhref="${url}">Rejoindre la réunion</a><br>\r\n${url}<o:p></o:p></p>\r\n` +
    '<p class=MsoNormal>Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien\r\nci-dessus.<o:p></o:p></p>\r\n' +
    '</div>\r\n'
  );
}

/** Outlook on the web: the agent's text in the default wrapper, then the block with x_ ids and no styles. */
export function owaRoundTrip(agentHtml: string, url: string): string {
  return (
    `<div class="x_elementToProof" style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">${agentHtml}<br><br></div>` +
    `<div id="x_visio-meeting-block" lang="fr"><p><strong>Réunion Visio : Comité</strong></p><p><a href="${url}">Rejoindre la réunion</a><br>${url}</p><p>Rejoindre depuis un navigateur récent, sans installation : ouvrez le lien ci-dessus.</p></div>` +
    '<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"><br></div>'
  );
}

/** A plain-text block as classic Outlook returns it: Windows line ends throughout. */
export function windowsText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
