import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Read model of one user task (one element, one round). */
@Entity({ name: 'tasks' })
@Index(['requestId'])
export class TaskEntity {
  /** `<request id>.<BPMN element id>.<round>` */
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'request_id' }) requestId!: string;
  @Column({ type: 'text', name: 'element_id' }) elementId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'int' }) round!: number;
  @Column({ type: 'jsonb' }) rules!: string[];
  /** opening | open | completed | cancelled */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'timestamptz', name: 'due_at', nullable: true }) dueAt!: Date | null;
  /** The due time was counted across a year without holiday data (weekdays only). */
  @Column({ type: 'boolean', name: 'due_provisional' }) dueProvisional!: boolean;
  @Column({ type: 'text', name: 'due_basis', nullable: true }) dueBasis!: string | null;
  @Column({ type: 'boolean' }) overdue!: boolean;
  @Column({ type: 'text', nullable: true }) decision!: string | null;
  @Column({ type: 'text', name: 'decided_by', nullable: true }) decidedBy!: string | null;
  @Column({ type: 'text', nullable: true }) comment!: string | null;
  @Column({ type: 'timestamptz', name: 'opened_at', nullable: true }) openedAt!: Date | null;
  @Column({ type: 'timestamptz', name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'int' }) seq!: number;
  /** A return's (退回) target step. */
  @Column({ type: 'text', name: 'return_to', nullable: true }) returnTo!: string | null;
  /** The candidate who claimed the task: only they see and decide it until they unclaim it. */
  @Column({ type: 'text', nullable: true }) assignee!: string | null;
  /** 委派: who works on the task until they resolve it back. */
  @Column({ type: 'text', name: 'delegated_to', nullable: true }) delegatedTo!: string | null;
  /** Cover while away: candidate (proxy) → the one they stand in for. */
  @Column({ type: 'jsonb', name: 'on_behalf_of', nullable: true }) onBehalfOf!: Record<string, string> | null;
  /** 加签: the task this sign-off was added to, how, and by whom. */
  @Column({ type: 'text', name: 'added_for', nullable: true }) addedFor!: string | null;
  @Column({ type: 'text', name: 'add_mode', nullable: true }) addMode!: string | null;
  @Column({ type: 'text', name: 'added_by', nullable: true }) addedBy!: string | null;
  /** The sign-off added before this task (前加签) that it waits for. */
  @Column({ type: 'text', name: 'blocked_by', nullable: true }) blockedBy!: string | null;
  /** Closed without a decision: `already-approved` / `applicant` (role policies), `missed` (fabu:onDue="miss"). */
  @Column({ type: 'text', nullable: true }) skipped!: string | null;
}

/** Who may act on a task, resolved from the BPMN candidate expressions when it opened. */
@Entity({ name: 'task_candidates' })
@Index(['username'])
export class TaskCandidateEntity {
  @PrimaryColumn({ type: 'text', name: 'task_id' }) taskId!: string;
  @PrimaryColumn({ type: 'text' }) username!: string;
}
