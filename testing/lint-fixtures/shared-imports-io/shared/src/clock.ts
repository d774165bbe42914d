import { readFileSync } from 'node:fs';

export const zoneOfMachine = () => readFileSync('/etc/timezone', 'utf8').trim();
