export const createRoom = (title: string) => ({ title });
