import { Column, Entity, PrimaryColumn } from 'typeorm';

export type CalendarSource = 'bundled' | 'notice' | 'manual';

/** A year whose holidays are known; its source says where they came from. */
@Entity({ name: 'calendar_years' })
export class CalendarYearEntity {
  @PrimaryColumn({ type: 'int' }) year!: number;
  @Column({ type: 'text' }) source!: CalendarSource;
  /** The notice's title, e.g. 国务院办公厅关于2025年部分节假日安排的通知. */
  @Column({ type: 'text', nullable: true }) title!: string | null;
  @Column({ type: 'text', name: 'loaded_by', nullable: true }) loadedBy!: string | null;
  @Column({ type: 'timestamptz', name: 'loaded_at' }) loadedAt!: Date;
}

/** A day that differs from Monday–Friday: a holiday (workday false) or a make-up workday (true). */
@Entity({ name: 'calendar_days' })
export class CalendarDayEntity {
  @PrimaryColumn({ type: 'date' }) date!: string;
  @Column({ type: 'int' }) year!: number;
  @Column({ type: 'boolean' }) workday!: boolean;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) source!: CalendarSource;
}
