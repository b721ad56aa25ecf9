// Replay: every saved history in test/fixtures/histories is replayed against the current workflow
// code, so a change that would break chains already running fails CI. A change meant to alter
// running code ships behind patched() and keeps these fixtures passing; new fixtures are recorded
// with test/support/record-histories.ts. Each file is named after the workflow id it ran under.
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowsPath } from '../support/paths.js';
import { fixtureName } from '../support/record-histories.js';
import { quietTemporalRuntime } from '../support/quiet-runtime.js';

const dir = 'test/fixtures/histories';
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();

async function load(file: string) {
  return historyFromJSON(JSON.parse(await readFile(join(dir, file), 'utf8')));
}

describe('approvalProcess replay', () => {
  beforeAll(quietTemporalRuntime);

  it("has the first interpreter's fixtures and an approve path for the current version of every process under the newest patch", async () => {
    const processes = (await readdir('processes'))
      .filter((f) => f.endsWith('.bpmn'))
      .map((f) => f.replace(/\.bpmn$/, ''));
    expect(processes.length).toBeGreaterThan(0);
    const current = await Promise.all(processes.map(async (key) => `${await fixtureName(key, 'approved')}.json`));
    expect(files).toEqual(
      expect.arrayContaining(['h3-approved.json', 'h3-rejected.json', 'h3-overdue-then-approved.json', ...current]),
    );
  });

  it.each(files)('replays %s deterministically', async (file) => {
    await expect(
      Worker.runReplayHistory({ workflowsPath }, await load(file), basename(file, '.json')),
    ).resolves.toBeUndefined();
  });

  it('fails when the code no longer issues the commands a history recorded', async () => {
    // As if the code had changed to schedule another activity where it used to project.
    const history = await load('h3-approved.json');
    const scheduled = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    expect(scheduled.activityTaskScheduledEventAttributes!.activityType!.name).toBe('project');
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'projectV2';

    const replay = Worker.runReplayHistory({ workflowsPath }, history, 'h3-approved');
    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
    await expect(replay).rejects.toThrow(/projectV2/);
  });
});
