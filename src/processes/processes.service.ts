import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { FabuException } from '../common/problem.js';
import { BpmnCompileError, compileBpmn } from './compiler.js';
import type { ProcessIR } from './ir.js';
import { SchedulesService } from '../schedules/schedules.service.js';
import { type DeployResult, ProcessDefinitionsRepository } from './process-definitions.repository.js';

@Injectable()
export class ProcessesService {
  constructor(
    private readonly definitions: ProcessDefinitionsRepository,
    private readonly schedules: SchedulesService,
  ) {}

  /**
   * Compiles and deploys one BPMN document; an invalid one is refused naming the element at fault.
   * A recurring process (timer start event) gets its Temporal Schedule created or updated.
   */
  async deploy(xml: string, source: string | null): Promise<DeployResult & { schedule?: 'created' | 'updated' }> {
    const ir = await this.compile(xml, source);
    const result = await this.definitions.deploy(xml, ir, source);
    const schedule = await this.schedules.sync({ key: result.key, version: result.version, ir, source });
    return { ...result, ...(schedule ? { schedule } : {}) };
  }

  /** Compiles one BPMN document without deploying it; an invalid one is refused naming the element at fault. */
  async compile(xml: string, source: string | null): Promise<ProcessIR> {
    try {
      return await compileBpmn(xml, { fileName: source ?? undefined });
    } catch (err) {
      if (err instanceof BpmnCompileError) {
        throw new FabuException(
          'BPMN_INVALID',
          `${source ?? 'the BPMN document'} is not a valid fabu chain: ${err.errors.length} problem(s)`,
          err.errors.map((e) => ({ element: e.element, line: e.line, column: e.column, message: e.message })),
        );
      }
      throw err;
    }
  }

  /** Deploys every .bpmn file in a folder, in name order; stops at the first invalid file. */
  async deployFolder(dir: string): Promise<Array<DeployResult & { file: string }>> {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.bpmn')).sort();
    const results: Array<DeployResult & { file: string }> = [];
    for (const file of files) {
      const xml = await readFile(join(dir, file), 'utf8');
      results.push({ file, ...(await this.deploy(xml, `processes/${file}`)) });
    }
    // A recurring process whose file was removed stops starting runs (a redeploy resumes it).
    await this.schedules.pauseRemoved(new Set(results.map((r) => r.key)));
    return results;
  }

  versions(key: string) {
    return this.definitions.versions(key);
  }

  list() {
    return this.definitions.listLatest();
  }

  async get(key: string, version?: number) {
    const def = version ? await this.definitions.find(key, version) : await this.definitions.latest(key);
    if (!def) throw new FabuException('PROCESS_NOT_FOUND', `no deployed process ${key}${version ? ` version ${version}` : ''}`);
    return def;
  }
}
