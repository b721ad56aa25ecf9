// The API alone, against an existing Temporal cluster and PostgreSQL (production shape):
// TEMPORAL_ADDRESS and DATABASE_URL are required. Run any number of these.
import { startFabu } from './app.js';
import { separateProcess } from './separate-process.js';

await separateProcess('api', (settings) => startFabu({ ...settings, roles: { api: true, worker: false } }));
