import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ProcessIR } from './ir.js';

/** One deployed version of a BPMN chain; a changed file becomes a new version, running chains keep theirs. */
@Entity({ name: 'process_definitions' })
export class ProcessDefinitionEntity {
  @PrimaryColumn({ type: 'text' }) key!: string;
  @PrimaryColumn({ type: 'int' }) version!: number;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) code!: string;
  /** SHA-256 of the BPMN XML and the IR it compiled to: redeploying the same file with the same compiler is a no-op. */
  @Column({ type: 'text' }) hash!: string;
  @Column({ type: 'text', name: 'bpmn_xml' }) bpmnXml!: string;
  @Column({ type: 'jsonb' }) ir!: ProcessIR;
  @Column({ type: 'text', name: 'source', nullable: true }) source!: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'deployed_at' }) deployedAt!: Date;
}
