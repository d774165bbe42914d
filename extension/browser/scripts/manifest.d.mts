export const GECKO_ID: string;
export function manifest(target: 'chromium' | 'firefox', version: string): Record<string, unknown>;
