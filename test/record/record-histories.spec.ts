// Not part of `npm test`: `npm run record:histories` re-records the replay fixtures.
import { recordHistories } from '../support/record-histories.js';

it('records the missing replay fixtures', async () => {
  const written = await recordHistories('test/fixtures/histories');
  process.stdout.write(`recorded ${written.length} fixture(s)\n${written.join('\n')}\n`);
}, 300_000);
