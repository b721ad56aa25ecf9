import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A user (principal) covered by another (proxy) for a period, for every chain or one process key. */
@Entity({ name: 'proxies' })
export class ProxyEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'text' }) principal!: string;
  @Column({ type: 'text' }) proxy!: string;
  @Column({ type: 'text', name: 'process_key', nullable: true }) processKey!: string | null;
  @Column({ type: 'timestamptz', name: 'starts_at' }) startsAt!: Date;
  @Column({ type: 'timestamptz', name: 'ends_at' }) endsAt!: Date;
  @Column({ type: 'text', nullable: true }) reason!: string | null;
  @Column({ type: 'text', name: 'created_by' }) createdBy!: string;
  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column({ type: 'timestamptz', name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
