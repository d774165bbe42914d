export function deploymentUpdateUrls(gatewayUrl: string | undefined): { chromium: string; firefox: string } | undefined;
