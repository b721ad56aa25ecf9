import {
  Body,
  type CallHandler,
  Controller,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  type NestInterceptor,
  Param,
  ParseIntPipe,
  PayloadTooLargeException,
  Post,
  Res,
  UploadedFile,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor, FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { CurrentUser } from '../auth/auth.guard.js';
import { apiSchema } from '../common/openapi.js';
import { ProblemSchema } from '../common/problem.js';
import type { DirectoryUser } from '../directory/directory.repository.js';
import { RUNTIME, type RuntimeSettings } from '../runtime.js';
import { DOCUMENT_KINDS, DOCUMENT_KIND_NAMES } from './document-kinds.js';
import {
  DocumentBatchSchema,
  DocumentListSchema,
  DocumentVersionSchema,
  type UploadFields,
  UploadFieldsSchema,
} from './documents.schemas.js';
import { DocumentsService, type UploadedDocument, tooLarge } from './documents.service.js';

/**
 * Parses a multipart upload into memory, at most DOCUMENTS_MAX_BYTES a file: a larger body is cut
 * off by the parser, refused as DOCUMENT_TOO_LARGE naming its part before anything is stored.
 */
abstract class UploadInterceptor implements NestInterceptor {
  private readonly multer: NestInterceptor;
  private readonly max: number;

  constructor(
    runtime: RuntimeSettings,
    interceptor: (limits: { fileSize: number; fields: number }) => NestInterceptor,
  ) {
    this.max = runtime.config.env.DOCUMENTS_MAX_BYTES;
    this.multer = interceptor({ fileSize: this.max, fields: 10 });
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await this.multer.intercept(context, next);
    } catch (err) {
      if (err instanceof PayloadTooLargeException && /file too large/i.test(err.message)) {
        const part = (err.cause as { field?: string } | undefined)?.field;
        throw tooLarge(this.max, part);
      }
      throw err;
    }
  }
}

// File names in Chinese arrive as UTF-8 (multer's own default reads them as latin1).
const CHARSET = { defParamCharset: 'utf8' } as const;

/** One document: the part `file`, its kind in the field `kind`. */
@Injectable()
class DocumentUploadInterceptor extends UploadInterceptor {
  constructor(@Inject(RUNTIME) runtime: RuntimeSettings) {
    super(runtime, (limits) => new (FileInterceptor('file', { limits: { ...limits, files: 1 }, ...CHARSET }))());
  }
}

/** Several documents: one part per kind, named by it. */
@Injectable()
class DocumentsUploadInterceptor extends UploadInterceptor {
  constructor(@Inject(RUNTIME) runtime: RuntimeSettings) {
    super(
      runtime,
      (limits) => new (AnyFilesInterceptor({ limits: { ...limits, files: DOCUMENT_KIND_NAMES.length }, ...CHARSET }))(),
    );
  }
}

@ApiTags('documents')
@ApiBearerAuth()
@Controller('requests/:id/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @UseInterceptors(DocumentUploadInterceptor)
  @ApiOperation({
    summary:
      'Attach a document (multipart: kind, file): a new version of its kind, stored by SHA-256; the chain is told (H6: a change after approval re-runs it where the chain says so)',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['kind', 'file'],
      properties: {
        kind: { type: 'string', enum: DOCUMENT_KIND_NAMES },
        file: { type: 'string', format: 'binary' },
      },
    },
  })
  @ApiResponse({ status: 201, description: 'A new version', schema: apiSchema(DocumentVersionSchema) })
  @ApiResponse({
    status: 200,
    description: "The same content as the kind's latest version",
    schema: apiSchema(DocumentVersionSchema),
  })
  @ApiResponse({
    status: 413,
    description:
      'DOCUMENT_TOO_LARGE (DOCUMENTS_MAX_BYTES); 415 DOCUMENT_TYPE_NOT_ALLOWED (DOCUMENTS_TYPES); 422 DOCUMENT_KIND_INVALID; 403 UPLOAD_NOT_ALLOWED',
    schema: apiSchema(ProblemSchema),
  })
  async upload(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Body({ schema: UploadFieldsSchema }) body: UploadFields,
    @Res({ passthrough: true }) res: Response,
    @UploadedFile() file?: UploadedDocument,
  ) {
    const { document, created } = await this.documents.upload(user, id, body.kind, file);
    res.status(created ? 201 : 200).location(document.href);
    return document;
  }

  @Post('batch')
  @UseInterceptors(DocumentsUploadInterceptor)
  @ApiOperation({
    summary:
      'Attach several documents at once (multipart: one part per kind, named by the kind): each a new version of its kind as a single upload would be, the chain told of all of them in one step',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      minProperties: 1,
      properties: Object.fromEntries(
        DOCUMENT_KIND_NAMES.map((kind) => [
          kind,
          { type: 'string', format: 'binary', description: DOCUMENT_KINDS[kind] },
        ]),
      ),
    },
  })
  @ApiResponse({
    status: 201,
    description: 'At least one new version; `created` says which',
    schema: apiSchema(DocumentBatchSchema),
  })
  @ApiResponse({
    status: 200,
    description: "Every part had the same content as its kind's latest version",
    schema: apiSchema(DocumentBatchSchema),
  })
  @ApiResponse({
    status: 413,
    description:
      'DOCUMENT_TOO_LARGE; 415 DOCUMENT_TYPE_NOT_ALLOWED; 422 DOCUMENT_KIND_INVALID; 400 VALIDATION_FAILED (no part, a kind twice); 403 UPLOAD_NOT_ALLOWED. The path names the part at fault; nothing is stored',
    schema: apiSchema(ProblemSchema),
  })
  async uploadMany(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
    @UploadedFiles() files?: Array<UploadedDocument & { fieldname: string }>,
  ) {
    const { documents, created } = await this.documents.uploadMany(user, id, files ?? []);
    res.status(created ? 201 : 200);
    return { items: documents };
  }

  @Get()
  @ApiOperation({ summary: "The request's documents: each kind's latest version and every earlier one" })
  @ApiResponse({ status: 200, schema: apiSchema(DocumentListSchema) })
  list(@CurrentUser() user: DirectoryUser, @Param('id') id: string) {
    return this.documents.list(user, id);
  }

  @Get(':kind/versions/:version')
  @ApiOperation({ summary: 'Download one version; ETag and Digest carry its SHA-256, checked before it is sent' })
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'The bytes as uploaded' })
  @ApiResponse({ status: 404, description: 'DOCUMENT_NOT_FOUND, REQUEST_NOT_FOUND', schema: apiSchema(ProblemSchema) })
  async download(
    @CurrentUser() user: DirectoryUser,
    @Param('id') id: string,
    @Param('kind') kind: string,
    @Param('version', ParseIntPipe) version: number,
    @Res() res: Response,
  ): Promise<void> {
    const { document, bytes } = await this.documents.download(user, id, kind, version);
    const digest = Buffer.from(document.sha256, 'hex').toString('base64');
    res
      .status(200)
      .type(document.contentType)
      .set({
        // A version never changes: its hash is its entity tag (express answers If-None-Match with 304).
        ETag: `"${document.sha256}"`,
        Digest: `sha-256=${digest}`,
        'Repr-Digest': `sha-256=:${digest}:`,
        'Cache-Control': 'private, max-age=31536000, immutable',
        'Content-Disposition': contentDisposition(document.name),
      })
      .send(bytes);
  }
}

/** `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266), so 发布稿.pdf keeps its name. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
