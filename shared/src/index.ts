export * from './types.js';
export * from './room-code.js';
export * from './client.js';
export * from './telephony.js';
export * from './links.js';
export * from './invitation.js';
export * from './html.js';
export * from './ics.js';
