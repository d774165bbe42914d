/** "Passer à Visio": switch one event from a foreign service to Visio (CalDAV credentials per request). */
import { createRoute } from '@hono/zod-openapi';
import { CalendarEventRefSchema, SwitchEventResultSchema } from '@visio/shared/contract';
import { CALDAV_AUTH_HEADER, CALDAV_SERVER_HEADER } from '@visio/shared/wire';
import type { CalendarService } from '../calendars.js';
import { newRouter, problemResponses } from '../openapi.js';
import type { SwitchService } from '../switch.js';
import { CALDAV_PROBLEMS, CaldavHeaders, json } from './calendars.js';

export function switchRoutes(calendars: CalendarService, switcher: SwitchService) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/calendars/events/switch',
      summary: 'Switch an event from Teams, Zoom, Webex, Google Meet, GoTo, Whereby or BlueJeans to Visio (idempotent)',
      description:
        'The foreign meeting (invitation block, X-MICROSOFT-*, X-GOOGLE-CONFERENCE, CONFERENCE, URL, LOCATION part) is removed and a Visio room added as by `POST /v1/calendars/events/visio`: one room per event or series. `notices` tells the agent who gets the update and that the old meeting still exists on its service. An event with neither a foreign meeting nor a Visio room is refused (422 `noForeignMeeting`).',
      request: { headers: CaldavHeaders, body: { content: { 'application/json': { schema: CalendarEventRefSchema } }, required: true } },
      responses: { 200: json(SwitchEventResultSchema, 'The event on Visio'), ...problemResponses(409, ...CALDAV_PROBLEMS) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const s = calendars.session(c.req.header(CALDAV_SERVER_HEADER), c.req.header(CALDAV_AUTH_HEADER));
      return c.json(await switcher.switchEvent(c.get('user'), s, body), 200);
    },
  );

  return app;
}
