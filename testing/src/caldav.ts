/** CalDAV requests the server launchers share: what a client (or an admin) does before the tests. */

export interface CalendarOptions {
  displayName?: string;
  color?: string;
  /** Supported components; VEVENT only by default. */
  components?: string[];
}

/** MKCALENDAR (RFC 4791 5.3.1) with a name, colour and component set; throws unless 201. `send`: a fetch (one trusting a test CA). */
export async function mkcalendar(url: string, authorization: string | null, name: string, options: CalendarOptions = {}, send: typeof fetch = fetch): Promise<string> {
  const components = (options.components ?? ['VEVENT']).map((c) => `<C:comp name="${c}"/>`).join('');
  const response = await send(url, {
    method: 'MKCALENDAR',
    headers: { ...(authorization ? { authorization } : {}), 'content-type': 'application/xml; charset=utf-8' },
    body:
      '<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:I="http://apple.com/ns/ical/">' +
      `<D:set><D:prop><D:displayname>${options.displayName ?? name}</D:displayname>` +
      (options.color ? `<I:calendar-color>${options.color}</I:calendar-color>` : '') +
      `<C:supported-calendar-component-set>${components}</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`,
  });
  if (response.status !== 201) throw new Error(`MKCALENDAR ${url} answered ${response.status}: ${await response.text()}`);
  return url;
}

export const basicAuthorization = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
