export const GECKO_ID: string;
export const CALENDAR_MATCHES: Record<string, string[]>;
export function manifest(target: 'chromium' | 'firefox', version: string, updateUrl?: string): Record<string, unknown>;
