// Hour clocks (H7, O2, U2) in the pure machine: wall-clock windows from the moment the event was
// known, unchanged across a night and a public holiday (never working days).
import { ApprovalMachine } from '../../workflows/approval-machine.js';
import { loadProcess } from '../support/chains.js';

const ir = await loadProcess('liuzhou-opinion-response');

function machineKnownAt(knownAt: string, severity: string) {
  const machine = new ApprovalMachine(ir, 'O1-2026-0001', undefined, {
    severity,
    knownAt,
    units: ['lz-transport'],
    orgCode: 'lz-transport',
  });
  // The report reaches fabu a while after the event was known: the clocks count from the event.
  const effects = machine.start('2026-09-30T14:30:00.000Z', 'weili');
  return { machine, effects };
}

describe('hour clocks', () => {
  it('counts 48 hours across a night and the National Day holiday, as hours', () => {
    // 22:00 on 30 September (Asia/Shanghai): the night, then 1–2 October (public holidays).
    const { machine, effects } = machineKnownAt('2026-09-30T22:00:00+08:00', 'general');
    expect(effects).toContainEqual({ type: 'startClock', clockId: 'first-release' });
    expect(machine.state.clocks!['first-release']).toMatchObject({
      status: 'running',
      startedAt: '2026-09-30T14:00:00.000Z',
      windowMs: 48 * 3_600_000,
      dueAt: '2026-10-02T14:00:00.000Z',
      warnAt: '2026-10-02T04:24:00.000Z',
    });
  });

  it('gives a major event one hour from the moment it was known, not from the report', () => {
    const { machine } = machineKnownAt('2026-09-30T22:00:00+08:00', 'major');
    expect(machine.state.clocks!['first-release']).toMatchObject({ dueAt: '2026-09-30T15:00:00.000Z' });
    expect(machine.state.clocks!.conference).toBeUndefined();
  });

  it('never lengthens a running window: a downgrade keeps the hour', () => {
    const { machine } = machineKnownAt('2026-09-30T22:00:00+08:00', 'major');
    expect(machine.validateReassess({ severity: 'general' })).toBeNull();
    expect(machine.reassess({ actor: 'weili', severity: 'general' }, '2026-09-30T14:40:00.000Z')).toEqual([]);
    expect(machine.state.clocks!['first-release']).toMatchObject({ windowMs: 3_600_000 });
    expect(machine.validateReassess({ severity: 'catastrophic' })).toMatchObject({ code: 'OUTPUT_INVALID' });
  });

  it('stops a running clock when the chain ends before it is met', () => {
    const { machine } = machineKnownAt('2026-09-30T22:00:00+08:00', 'general');
    machine.end('cancelled', 'admin', 'duplicate report', '2026-09-30T15:00:00.000Z');
    expect(machine.state.clocks!['first-release']).toMatchObject({
      status: 'stopped',
      stoppedAt: '2026-09-30T15:00:00.000Z',
    });
    expect(machine.clockBreached('first-release', '2026-10-02T14:00:00.000Z', [])).toBe(false);
  });
});
