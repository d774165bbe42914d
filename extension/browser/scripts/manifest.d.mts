export const GECKO_ID: string;
export function manifest(target: 'chromium' | 'firefox', version: string, updateUrl?: string): Record<string, unknown>;
