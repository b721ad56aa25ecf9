import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only trail of what happened to a request; `eventKey` makes a retried projection a no-op. */
@Entity({ name: 'audit_events' })
@Index(['requestId', 'seq'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  /** `<request id>:<seq>` — unique. */
  @Column({ type: 'text', name: 'event_key', unique: true }) eventKey!: string;
  @Column({ type: 'text', name: 'request_id' }) requestId!: string;
  @Column({ type: 'int' }) seq!: number;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text', name: 'task_id', nullable: true }) taskId!: string | null;
  @Column({ type: 'text', nullable: true }) actor!: string | null;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ type: 'timestamptz', name: 'occurred_at' }) occurredAt!: Date;
  @Column({ type: 'timestamptz', name: 'recorded_at', default: () => 'now()' }) recordedAt!: Date;
  /** The previous row's hash ('' for the first): the link of the chain. */
  @Column({ type: 'text', name: 'prev_hash' }) prevHash!: string;
  /** SHA-256 over prev_hash and this row's content (SQL function audit_event_hash). */
  @Column({ type: 'text' }) hash!: string;
}
