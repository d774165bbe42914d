import type { User } from './identity.js';

/** Per-request values set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    user: User;
    /** Which client called (from X-Visio-Client), for the audit trail. */
    client: string;
  };
}
