import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../access/actor';
import { CurrentActor, READ_ALL, READ_ALL_AND_DONOR, Roles } from '../access/roles';
import { ParseIdPipe } from '../common/http/params';
import { parsePageRequest } from '../common/http/pagination';
import { Idempotency } from '../idempotency/idempotency.decorator';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { replayHeader } from '../idempotency/replay';
import { PublishStatementDto } from './dto';
import { StatementDocuments } from './statement-documents.service';
import { StatementsService } from './statements.service';

@ApiTags('statements')
@ApiBearerAuth()
@Controller('api/statements')
export class StatementsController {
  constructor(
    private readonly statements: StatementsService,
    private readonly documents: StatementDocuments,
  ) {}

  @Post()
  @Roles('admin', 'leadership')
  @ApiOperation({ summary: 'Publish a statement: the funding figures frozen at (asOf, knownOn), stored with their SHA-256; never changed afterwards' })
  async publish(
    @CurrentActor() actor: Actor,
    @Body() dto: PublishStatementDto,
    @Idempotency() idem: IdempotencyContext | null,
    @Res({ passthrough: true }) res: Response,
  ) {
    return replayHeader(res, await this.statements.publish(actor, dto, idem));
  }

  @Get()
  @Roles(...READ_ALL_AND_DONOR)
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiOperation({ summary: 'Published statements, newest first, without their figures' })
  list(@CurrentActor() actor: Actor, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.statements.list(actor, parsePageRequest(limit, cursor));
  }

  @Get(':id')
  @Roles(...READ_ALL_AND_DONOR)
  @ApiOperation({ summary: "A statement with its frozen figures and records (a donor user: the national picture and its own donor's section)" })
  read(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.statements.view(actor, id);
  }

  @Get(':id/diff')
  @Roles(...READ_ALL)
  @ApiOperation({ summary: 'What changed since the statement published before it: new pledges, receipts, cancellations, targets, the shares' })
  diff(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number) {
    return this.statements.diff(actor, id);
  }

  @Get(':id/document.json')
  @Roles(...READ_ALL_AND_DONOR)
  @ApiOperation({ summary: 'The stored content as canonical JSON: the bytes its sha256 is of' })
  async json(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const body = await this.statements.documentJson(actor, id);
    res.type('application/json').attachment(`statement-${id}.json`).send(body);
  }

  @Get(':id/document.docx')
  @Roles(...READ_ALL_AND_DONOR)
  @ApiOperation({ summary: 'The statement as a Word document (A4, as-of line and page numbers in the footer)' })
  async docx(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const body = await this.documents.docx(actor, id);
    res.type('application/vnd.openxmlformats-officedocument.wordprocessingml.document').attachment(`statement-${id}.docx`).send(body);
  }

  @Get(':id/document.pdf')
  @Roles(...READ_ALL_AND_DONOR)
  @ApiOperation({ summary: 'The statement as a PDF (A4, as-of line and "Page N of M" on every page)' })
  async pdf(@CurrentActor() actor: Actor, @Param('id', ParseIdPipe) id: number, @Res() res: Response) {
    const body = await this.documents.pdf(actor, id);
    res.type('application/pdf').attachment(`statement-${id}.pdf`).send(body);
  }
}
