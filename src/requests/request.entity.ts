import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Read model of one request (one workflow). Written by the workflow's projection activity. */
@Entity({ name: 'requests' })
@Index(['orgCode', 'createdAt'])
export class RequestEntity {
  /** The business id, also the workflow id, e.g. H3-2026-0012. */
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text', name: 'process_key' }) processKey!: string;
  @Column({ type: 'int', name: 'process_version' }) processVersion!: number;
  @Column({ type: 'text' }) title!: string;
  @Column({ type: 'text', name: 'org_code' }) orgCode!: string;
  @Column({ type: 'date', name: 'conference_date', nullable: true }) conferenceDate!: string | null;
  @Column({ type: 'jsonb' }) materials!: string[];
  @Column({ type: 'boolean' }) major!: boolean;
  @Column({ type: 'text' }) initiator!: string;
  /** running | completed */
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) stage!: string;
  @Column({ type: 'text', nullable: true }) outcome!: string | null;
  /** The declared variables' values, plus what messages and service tasks added. */
  @Column({ type: 'jsonb' }) variables!: Record<string, unknown>;
  /** 1, then one more after each return (退回). */
  @Column({ type: 'int' }) round!: number;
  /** A pending timer (reminder, escalation, wait) was counted across a year without holiday data. */
  @Column({ type: 'boolean', name: 'timers_provisional' }) timersProvisional!: boolean;
  /** 抄送: who may read the request without acting on it. */
  @Column({ type: 'text', array: true }) cc!: string[];
  /** Projection order: an older write never overwrites a newer one. */
  @Column({ type: 'int' }) seq!: number;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'updated_at' }) updatedAt!: Date;
  @Column({ type: 'timestamptz', name: 'completed_at', nullable: true }) completedAt!: Date | null;
}

/** An Idempotency-Key seen on POST /requests: a repeat returns the first request, never a second workflow. */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'text' }) principal!: string;
  @PrimaryColumn({ type: 'text' }) key!: string;
  @Column({ type: 'text', name: 'body_hash' }) bodyHash!: string;
  @Column({ type: 'text', name: 'request_id' }) requestId!: string;
  @Column({ type: 'jsonb', name: 'start_input' }) startInput!: object;
  @Column({ type: 'timestamptz', name: 'created_at' }) createdAt!: Date;
}
