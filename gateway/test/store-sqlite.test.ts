import { tempDir } from './harness.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { storeContract } from './store-contract.ts';

storeContract('SQLite', { open: async () => openSqliteStore(tempDir('visio-store-')) });
