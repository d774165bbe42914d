export interface Store {
  deleteRoom(code: string): Promise<void>;
}
