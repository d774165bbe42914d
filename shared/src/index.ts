export * from './types.js';
export * from './room-code.js';
export * from './ics.js';
