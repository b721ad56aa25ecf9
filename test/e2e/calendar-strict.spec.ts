// CALENDAR_MISSING_YEAR=strict: a request whose deadlines fall in a year without holiday data is
// refused, saying which year and how to load it; once the year is loaded the same request goes in.
import { addDays, weekday } from '../../src/calendar/working-days.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { UNLOADED_YEAR } from '../support/h3.js';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ CALENDAR_MISSING_YEAR: 'strict' });
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

it('refuses a request in a year without holiday data until that year is loaded (strict)', async () => {
  const conferenceDate = addDays(`${UNLOADED_YEAR}-03-10`, (5 - weekday(`${UNLOADED_YEAR}-03-10`) + 7) % 7);
  const apply = async () =>
    e2e.http('POST', '/api/requests', {
      token: await e2e.login('sunli'),
      body: { processKey: 'huludao-government-conference', title: '春季发布会', conferenceDate },
    });

  const refused = await apply();
  expect(refused.status).toBe(422);
  expect(refused.body).toMatchObject({
    code: 'CALENDAR_YEAR_MISSING',
    missingYears: [UNLOADED_YEAR],
    errors: [{ path: 'conferenceDate' }],
  });
  expect(refused.body.detail).toMatch(/POST \/api\/calendar\/notice/);
  const { rows } = await e2e.db.query('SELECT count(*)::int AS n FROM requests');
  expect(rows[0].n).toBe(0);

  const csv = `date,kind,name\n${UNLOADED_YEAR}-01-01,holiday,元旦\n`;
  const loaded = await e2e.http('POST', `/api/calendar/${UNLOADED_YEAR}/days`, {
    token: await e2e.login('admin'),
    body: { csv, confirm: true },
  });
  expect(loaded.status).toBe(200);
  expect((await apply()).status).toBe(201);
});
