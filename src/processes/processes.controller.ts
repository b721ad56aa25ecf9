import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { FabuException, ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { requestForm } from './request-form.js';
import { ProcessesService } from './processes.service.js';

export const DeploySchema = z.strictObject({
  xml: z.string().min(1).describe('BPMN 2.0 XML with fabu: extensions'),
  source: z.string().max(200).optional().describe('Where it came from, e.g. a file name'),
});

const VersionQuerySchema = z.strictObject({
  version: z.coerce.number().int().positive().optional().describe('A past version; the newest when absent'),
});

const ProcessSummarySchema = z.object({
  key: z.string(),
  version: z.number().int(),
  name: z.string(),
  code: z.string(),
  rules: z.array(z.string()),
  deployedAt: z.string(),
});
const DeployResultSchema = z.object({
  key: z.string(),
  version: z.number().int(),
  created: z.boolean(),
  schedule: z
    .enum(['created', 'updated'])
    .optional()
    .describe('A recurring process (timer start event): what happened to its Temporal Schedule'),
});

@ApiTags('processes')
@ApiBearerAuth()
@Controller('processes')
export class ProcessesController {
  constructor(private readonly processes: ProcessesService) {}

  @Get()
  @ApiOperation({ summary: 'Deployed chains, newest version of each' })
  @ApiResponse({ status: 200, schema: apiSchema(z.object({ items: z.array(ProcessSummarySchema) })) })
  async list() {
    const defs = await this.processes.list();
    return {
      items: defs.map((d) => ({
        key: d.key,
        version: d.version,
        name: d.name,
        code: d.code,
        rules: d.ir.rules,
        deployedAt: d.deployedAt.toISOString(),
      })),
    };
  }

  @Get(':key')
  @ApiOperation({
    summary: 'A chain: the newest version (or ?version=n) with its BPMN XML for a viewer, compiled IR and variables, and every version',
  })
  @ApiResponse({ status: 404, description: 'PROCESS_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  async get(@Param('key') key: string, @Query({ schema: VersionQuerySchema }) query: z.infer<typeof VersionQuerySchema>) {
    const d = await this.processes.get(key, query.version);
    const versions = await this.processes.versions(key);
    return {
      key: d.key,
      version: d.version,
      name: d.name,
      code: d.code,
      rules: d.ir.rules,
      checksum: d.hash,
      deployedAt: d.deployedAt.toISOString(),
      variables: d.ir.variables ?? [],
      bpmnXml: d.bpmnXml,
      ir: d.ir,
      versions: versions.map((v) => ({
        version: v.version,
        checksum: v.hash,
        source: v.source,
        deployedAt: v.deployedAt.toISOString(),
      })),
    };
  }

  @Get(':key/form')
  @ApiOperation({
    summary: "A chain's start form: the JSON Schema of the request fields it uses and its declared variables",
  })
  @ApiResponse({ status: 404, description: 'PROCESS_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  async form(@Param('key') key: string) {
    const d = await this.processes.get(key);
    return { key: d.key, version: d.version, name: d.name, code: d.code, rules: d.ir.rules, ...requestForm(d.ir) };
  }

  @Post()
  @ApiOperation({ summary: 'Deploy a BPMN chain (admin); an invalid one is refused naming the element at fault' })
  @ApiResponse({ status: 201, description: 'a new version', schema: apiSchema(DeployResultSchema) })
  @ApiResponse({ status: 200, description: 'this exact XML was already deployed', schema: apiSchema(DeployResultSchema) })
  @ApiResponse({ status: 422, description: 'BPMN_INVALID, errors[].element names the element', schema: apiSchema(ProblemSchema) })
  async deploy(
    @CurrentUser() user: DirectoryUser,
    @Body({ schema: DeploySchema }) body: z.infer<typeof DeploySchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!user.isAdmin) throw new FabuException('FORBIDDEN', 'only an administrator deploys chains');
    const result = await this.processes.deploy(body.xml, body.source ?? null);
    res.status(result.created ? 201 : 200);
    return result;
  }
}
