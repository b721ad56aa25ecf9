// The web console in a real Chromium against the real stack: an H3 request started from the form
// and walked through every sign-off by the right demo users; a return and resubmission that
// arrives in an open inbox without a reload; a user who is not a candidate; bulk approval; the
// calendar import preview; and every main page at 1366×768 and at phone width, screenshotted.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { bundledCalendar } from '../../src/calendar/bundled-calendar.js';
import { businessDate } from '../../src/calendar/working-days.js';
import { type Console, DESKTOP, PHONE, openConsole } from '../support/browser.js';
import { pdf } from '../support/documents.js';
import { type E2E, startE2E } from '../support/e2e-harness.js';
import { H3_CHAIN } from '../support/h3.js';

const H3 = 'huludao-government-conference';
const H3_NAME = '葫芦岛市政府新闻发布会审签 (H3)';
let e2e: E2E;
let ui: Console;
const pages = new Map<string, Page>();
const tokens: Record<string, string> = {};
const token = async (username: string) => (tokens[username] ??= await e2e.login(username));

/** One signed-in page per demo user, kept for the whole file (like each official's own phone). */
async function as(username: string): Promise<Page> {
  let page = pages.get(username);
  if (!page) {
    page = await ui.as(username);
    pages.set(username, page);
  }
  return page;
}

/** A conference date comfortably more than 7 working days ahead (H1, H3). */
const conferenceDate = () => bundledCalendar().addWorkingDays(businessDate(new Date()), 12).date;

async function submitByRest(title: string): Promise<string> {
  const res = await e2e.http('POST', '/api/requests', {
    token: await token('sunli'),
    body: { processKey: H3, title, conferenceDate: conferenceDate(), materials: ['发布稿'] },
  });
  if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

async function openInbox(page: Page, tab = 'open'): Promise<void> {
  await page.goto(`${e2e.url}/#/inbox/${tab}`);
  await page.locator('.tabs .tab.active').waitFor();
}

/** From the inbox, as a user would: the task's row, then its page. */
async function openTaskFromInbox(page: Page, taskId: string): Promise<void> {
  await openInbox(page);
  await page.locator(`li[data-task="${taskId}"] a`).click();
  await page.locator('h1').waitFor();
  await page.locator('[data-testid="diagram"][data-ready="true"]').waitFor();
}

async function decide(page: Page, action: 'approve' | 'reject' | 'return', comment?: string): Promise<void> {
  await page.locator(`button[data-action="${action}"]`).click();
  if (comment) await page.locator('form.action-form textarea[name="comment"]').fill(comment);
  await page.locator('form.action-form button[type="submit"]').click();
  await page.getByRole('status').filter({ hasText: '已提交' }).waitFor();
}

/** No sideways scrolling: the page fits the screen it is shown on. */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
}

beforeAll(async () => {
  e2e = await startE2E();
  ui = await openConsole(e2e);
}, 120_000);

afterEach(() => {
  expect(ui.errors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await ui?.close();
  await e2e?.stop();
});

describe('web console', () => {
  let requestId: string;

  it('starts an H3 request from the generated form, answering the latest submission before submit', async () => {
    const page = await as('sunli');
    await page.goto(`${e2e.url}/#/start`);
    await page.getByRole('link', { name: new RegExp(H3_NAME.replace(/[()]/g, '\\$&')) }).click();
    await page.locator('input[name="title"]').fill('2027年葫芦岛市教育工作新闻发布会');
    await page.locator('input[name="conferenceDate"]').fill(conferenceDate());
    // The plan preview answers H1's 7 working days before anything is submitted.
    const latest = page.getByTestId('latest-submission');
    await latest.waitFor();
    expect(await latest.textContent()).toMatch(/^最迟应于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 前提交$/);
    expect(await page.locator('.plan-items li').count()).toBeGreaterThanOrEqual(6);
    await ui.shot(page, 'start-form');

    await page.getByRole('button', { name: '提交' }).click();
    await page.waitForURL(/#\/requests\/H3-\d{4}-\d{4}/);
    requestId = decodeURIComponent(/#\/requests\/([^?]+)/.exec(page.url())![1]!);
    await page.locator('[data-testid="diagram"][data-ready="true"]').waitFor();
    expect(await page.locator('.page-head .badge').first().textContent()).toBe('审批中');
    // The first step is the applicant's own draft, current on the diagram.
    await page.locator('.djs-element.fabu-current[data-element-id="draft"]').waitFor();
    await ui.shot(page, 'request');
  });

  it('walks every H3 sign-off through the browser, each by the user who holds it, to approved', async () => {
    for (const [step, username] of H3_CHAIN) {
      const page = await as(username);
      const taskId = `${requestId}.${step}.1`;
      await openTaskFromInbox(page, taskId);
      expect(await page.locator('h1').textContent()).toBeTruthy();
      await page.locator(`.djs-element.fabu-current[data-element-id="${step}"]`).waitFor();
      if (step === 'file-materials') {
        // H6 art. 34: the five materials are attached (from the browser) before the filing is approved.
        expect(await page.locator('.materials .warn').textContent()).toContain('尚缺');
        for (const kind of ['release-statement', 'host-script', 'qa-lines', 'background', 'venue-plan']) {
          const file = pdf(requestId, kind);
          await page.locator('form.upload select').selectOption(kind);
          await page.locator('form.upload input[type="file"]').setInputFiles({
            name: file.name,
            mimeType: file.type,
            buffer: file.bytes,
          });
          await page.locator('form.upload button[type="submit"]').click();
          await page.locator(`.documents li[data-kind="${kind}"] code.hash`).waitFor();
        }
        await page.locator('.materials .warn').waitFor({ state: 'detached' });
        await ui.shot(page, 'task-materials');
      }
      if (step === 'guidance') await ui.shot(page, 'task');
      await decide(page, 'approve', `${username} 同意`);
    }
    const page = await as('sunli');
    await page.goto(`${e2e.url}/#/requests/${requestId}`);
    await page.locator('.page-head .badge', { hasText: '已通过' }).waitFor();
    // Every decision is in the history with its comment, and the API agrees.
    const comments = await page.locator('.timeline .comment').allTextContents();
    for (const [, username] of H3_CHAIN) expect(comments).toContain(`${username} 同意`);
    const view = await e2e.http('GET', `/api/requests/${requestId}`, { token: await token('sunli') });
    expect(view.body).toMatchObject({ status: 'completed', outcome: 'approved' });
    expect(view.body.tasks.filter((t: { decision: string }) => t.decision === 'approve')).toHaveLength(H3_CHAIN.length);
  }, 180_000);

  it('returns a request to its draft with a comment; the resubmission arrives in an open inbox without a reload', async () => {
    const id = await submitByRest('2027年葫芦岛市文旅新闻发布会');
    const sunli = await as('sunli');
    await openTaskFromInbox(sunli, `${id}.draft.1`);
    await decide(sunli, 'approve');

    const wangfang = await as('wangfang');
    await openTaskFromInbox(wangfang, `${id}.guidance.1`);
    await wangfang.locator('button[data-action="return"]').click();
    // A return names an earlier step and says why: submitting without a comment is stopped.
    expect(await wangfang.locator('form.action-form select option').allTextContents()).toEqual(['牵头部门起草']);
    await wangfang.locator('form.action-form textarea[name="comment"]').fill('请补充发布会背景材料');
    await wangfang.locator('form.action-form button[type="submit"]').click();
    await wangfang.getByRole('status').filter({ hasText: '已提交' }).waitFor();

    // wangfang waits on her inbox; sunli resubmits; the task shows up there by itself.
    await openInbox(wangfang);
    expect(await wangfang.locator(`li[data-task="${id}.guidance.2"]`).count()).toBe(0);
    await openTaskFromInbox(sunli, `${id}.draft.2`);
    expect(await sunli.locator('.timeline .comment').allTextContents()).toContain('请补充发布会背景材料');
    await decide(sunli, 'approve', '已补充');
    await wangfang.locator(`li[data-task="${id}.guidance.2"]`).waitFor({ timeout: 20_000 });
    await wangfang.getByRole('status').filter({ hasText: '待办已更新' }).waitFor();
    await ui.shot(wangfang, 'inbox');
  });

  it('shows a user who is not a candidate neither the task in the inbox nor the task page', async () => {
    const id = await submitByRest('2027年葫芦岛市卫健新闻发布会');
    const zhaohua = await as('zhaohua');
    await openInbox(zhaohua);
    await zhaohua.locator('.items, .empty').first().waitFor();
    expect(await zhaohua.locator(`li[data-task^="${id}."]`).count()).toBe(0);
    await zhaohua.goto(`${e2e.url}/#/tasks/${id}.draft.1`);
    const problem = zhaohua.getByRole('alert');
    await problem.waitFor();
    expect(await problem.getAttribute('data-code')).toBe('TASK_NOT_FOUND');
    expect(await problem.locator('strong').textContent()).toBe('找不到该事项');
  });

  it('approves several tasks at once and reports one result per task', async () => {
    const ids = [await submitByRest('批量一'), await submitByRest('批量二')];
    const sunli = await as('sunli');
    await openInbox(sunli);
    for (const id of ids) await sunli.locator(`li[data-task="${id}.draft.1"] input[type="checkbox"]`).check();
    await sunli.getByRole('button', { name: '批量同意（2）' }).click();
    const results = sunli.locator('.bulk-results li');
    await results.nth(1).waitFor();
    expect(await sunli.locator('.bulk-results li.ok').count()).toBe(2);
    for (const id of ids) {
      const view = await e2e.http('GET', `/api/requests/${id}`, { token: await token('sunli') });
      expect(view.body.tasks.find((t: { elementId: string }) => t.elementId === 'draft')).toMatchObject({
        decision: 'approve',
        decidedBy: 'sunli',
      });
    }
  });

  it('shows instants in Asia/Shanghai whatever the browser time zone', async () => {
    const id = await submitByRest('时区');
    const sunli = await as('sunli');
    await openTaskFromInbox(sunli, `${id}.draft.1`);
    await decide(sunli, 'approve');
    const wangfang = await as('wangfang');
    await openTaskFromInbox(wangfang, `${id}.guidance.1`);
    // The step is due at 18:00 Shanghai (BUSINESS_DAY_END); the browser runs in Europe/Berlin.
    const due = await wangfang.locator('.page-head .due .muted').textContent();
    expect(due).toMatch(/18:00$/);
    expect(await wangfang.locator('.page-head .due .badge').first().textContent()).toMatch(/^剩余 \d+ 个工作日$/);
  });

  it('imports a year from the pasted notice: preview of the parsed days, then confirm', async () => {
    const admin = await as('admin');
    await admin.goto(`${e2e.url}/#/office/calendar?year=2017`);
    await admin.getByTestId('calendar-months').waitFor();
    await admin.getByLabel('通知全文').fill(await readFile('test/fixtures/holiday-notices/2017.txt', 'utf8'));
    await admin.getByRole('button', { name: '解析预览' }).click();
    await admin.getByTestId('notice-preview').waitFor();
    // 2017: the notice names 5 make-up workdays (调休).
    expect(await admin.getByTestId('notice-year').textContent()).toContain('2017');
    expect(await admin.getByTestId('notice-workdays').textContent()).toContain('5');
    await ui.shot(admin, 'calendar-import-preview');
    // A preview stores nothing.
    const before = await e2e.db.query(`SELECT source FROM calendar_years WHERE year = 2017`);
    await admin.getByTestId('notice-confirm').click();
    await admin.getByTestId('notice-stored').waitFor();
    const after = await e2e.db.query(`SELECT source FROM calendar_years WHERE year = 2017`);
    expect({ before: before.rows[0]?.source, after: after.rows[0]?.source }).toEqual({
      before: 'bundled',
      after: 'notice',
    });
    await admin.locator('td[data-date="2017-01-27"].holiday').waitFor();
    await admin.locator('td[data-date="2017-01-22"].workday').waitFor();
  });

  it('switches to English and back', async () => {
    const page = await as('sunli');
    await openInbox(page);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: 'My tasks' }).waitFor();
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('link', { name: '我的待办' }).waitFor();
  });

  it.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ])('fits the main pages on a %s screen without sideways scrolling', async (name, viewport) => {
    const page = await ui.as('wangfang', viewport);
    const id = await submitByRest(`屏幕 ${name}`);
    for (const [path, shot] of [
      ['#/inbox/open', 'inbox'],
      ['#/inbox/done', 'inbox-done'],
      [`#/requests/${id}`, 'request'],
      [`#/start/${H3}`, 'start-form'],
    ] as const) {
      await page.goto(`${e2e.url}/${path}`);
      await page.locator('main.page').waitFor();
      await page.locator('.muted', { hasText: '加载中' }).waitFor({ state: 'detached' });
      await ui.shot(page, `${shot}-${name}`);
      expect({ path, fits: await fitsWidth(page) }).toEqual({ path, fits: true });
    }
    // The press office's pages, as an administrator sees them.
    const admin = await ui.as('admin', viewport);
    for (const path of [
      'office/processes',
      `office/processes/${H3}`,
      'office/calendar',
      'office/schedules',
      'office/compliance',
      'office/incidents',
      'proxies',
    ]) {
      await admin.goto(`${e2e.url}/#/${path}`);
      await admin.locator('main.page').waitFor();
      await admin.locator('.muted', { hasText: '加载中' }).waitFor({ state: 'detached' });
      if (path.startsWith('office/processes/'))
        await admin.locator('[data-testid="diagram"][data-ready="true"]').waitFor();
      await ui.shot(admin, `${path.replaceAll('/', '-')}-${name}`);
      expect({ path, fits: await fitsWidth(admin) }).toEqual({ path, fits: true });
    }
    const task = `${id}.draft.1`;
    const sunli = await ui.as('sunli', viewport);
    await sunli.goto(`${e2e.url}/#/tasks/${task}`);
    await sunli.locator('[data-testid="diagram"][data-ready="true"]').waitFor();
    await ui.shot(sunli, `task-${name}`);
    expect(await fitsWidth(sunli)).toBe(true);
  });
});
