import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'orgs' })
export class OrgEntity {
  @PrimaryColumn({ type: 'text' }) code!: string;
  @Column({ type: 'text' }) name!: string;
  /** party-committee | government | office | department | county */
  @Column({ type: 'text' }) kind!: string;
  @Column({ type: 'text' }) city!: string;
  @Column({ type: 'text', name: 'parent_code', nullable: true }) parentCode!: string | null;
}

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ type: 'text' }) username!: string;
  @Column({ type: 'text', name: 'display_name' }) displayName!: string;
  @Column({ type: 'text', name: 'org_code' }) orgCode!: string;
  @Column({ type: 'boolean', name: 'is_admin', default: false }) isAdmin!: boolean;
}

/** A user holding a position in an org; "leader-in-charge" in org X = the leader in charge of X. */
@Entity({ name: 'user_positions' })
@Index(['position', 'orgCode'])
export class UserPositionEntity {
  @PrimaryColumn({ type: 'text' }) username!: string;
  @PrimaryColumn({ type: 'text' }) position!: string;
  @PrimaryColumn({ type: 'text', name: 'org_code' }) orgCode!: string;
}
