export const roomOf = (code: string) => ({ code });
