import type { z } from 'zod';
import type { CalendarEventRefSchema, CreateCalendarEventRequestSchema } from '@visio/shared/contract';

export type CreateCalendarEventRequestParsed = z.output<typeof CreateCalendarEventRequestSchema>;
export type CalendarEventRefParsed = z.output<typeof CalendarEventRefSchema>;
