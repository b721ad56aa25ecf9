// The Temporal worker alone, against an existing Temporal cluster and PostgreSQL (production
// shape): TEMPORAL_ADDRESS and DATABASE_URL are required. SIGTERM drains it.
import { startFabu } from './app.js';
import { separateProcess } from './separate-process.js';

await separateProcess('worker', (settings) => startFabu({ ...settings, roles: { api: false, worker: true } }));
