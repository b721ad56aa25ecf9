// Not part of `npm test`: `npm run record:histories` re-records the replay fixtures.
import { recordHistories } from '../support/record-histories.js';

it('records the H3 replay fixtures', () => recordHistories('test/fixtures/histories'), 120_000);
