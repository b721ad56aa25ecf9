import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProcessIR } from './ir.js';
import { ProcessDefinitionEntity } from './process-definition.entity.js';

export interface DeployResult {
  key: string;
  version: number;
  /** False when the same XML was already deployed (a no-op). */
  created: boolean;
}

@Injectable()
export class ProcessDefinitionsRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a compiled chain as a new version, unless this exact XML compiled to this exact IR is
   * already deployed: the checksum covers both, so a compiler that reads the same file differently
   * makes a new version rather than leaving new requests on a stale IR.
   */
  async deploy(xml: string, ir: ProcessIR, source: string | null): Promise<DeployResult> {
    const hash = createHash('sha256').update(xml).update('\0').update(JSON.stringify(ir)).digest('hex');
    return this.db.transaction(async (m) => {
      // Serialise deploys of one key across processes, so versions never collide.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`deploy:${ir.key}`]);
      const repo = m.getRepository(ProcessDefinitionEntity);
      const same = await repo.findOneBy({ key: ir.key, hash });
      if (same) return { key: ir.key, version: same.version, created: false };
      const [{ max }] = (await m.query('SELECT max(version) AS max FROM process_definitions WHERE key = $1', [ir.key])) as [
        { max: number | null },
      ];
      const version = (max ?? 0) + 1;
      await repo.insert({ key: ir.key, version, name: ir.name, code: ir.code, hash, bpmnXml: xml, ir, source });
      return { key: ir.key, version, created: true };
    });
  }

  async latest(key: string): Promise<ProcessDefinitionEntity | null> {
    return this.db.getRepository(ProcessDefinitionEntity).findOne({ where: { key }, order: { version: 'DESC' } });
  }

  async find(key: string, version: number): Promise<ProcessDefinitionEntity | null> {
    return this.db.getRepository(ProcessDefinitionEntity).findOneBy({ key, version });
  }

  /** Every version of a chain, newest first (without XML and IR). */
  async versions(key: string): Promise<Array<Pick<ProcessDefinitionEntity, 'version' | 'hash' | 'source' | 'deployedAt'>>> {
    return this.db.getRepository(ProcessDefinitionEntity).find({
      select: { version: true, hash: true, source: true, deployedAt: true },
      where: { key },
      order: { version: 'DESC' },
    });
  }

  /** The newest version of every chain. */
  async listLatest(): Promise<ProcessDefinitionEntity[]> {
    return this.db
      .getRepository(ProcessDefinitionEntity)
      .createQueryBuilder('d')
      .distinctOn(['d.key'])
      .orderBy('d.key')
      .addOrderBy('d.version', 'DESC')
      .getMany();
  }
}
