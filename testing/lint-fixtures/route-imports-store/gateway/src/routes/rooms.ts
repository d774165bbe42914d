// Even a type-only import: the route would call the store beside the room service.
import type { Store } from '../store/store.js';

export const deleteRoute = (store: Store) => (code: string) => store.deleteRoom(code);
