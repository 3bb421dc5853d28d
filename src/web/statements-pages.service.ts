import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { DomainError, type FieldProblem } from '../common/errors/domain-errors';
import { parsePageRequest } from '../common/http/pagination';
import { formatDateTime, formatDateWords } from '../common/presentation/format';
import { idempotencyContext } from '../idempotency/idempotency.service';
import { PublishStatementDto } from '../statements/dto';
import { periodEnd } from '../statements/statement-document';
import { StatementDocuments } from '../statements/statement-documents.service';
import { knownOnWords } from '../statements/statement-narrative';
import { StatementsService } from '../statements/statements.service';
import { dtoProblems } from './dto-problems';
import { errorsByField, withFieldIds } from './form-errors';
import type { FormOutcome } from './pledge-pages.service';
import { single } from './form-fields';

const PUBLISHERS = ['admin', 'leadership'];

type PublishValues = { period: string; asOf: string; knownOn: string; title: string; idempotencyKey: string };

function readForm(body: Record<string, unknown>): { values: PublishValues; request: Record<string, unknown> } {
  const values = {
    period: single(body.period, 8).trim(),
    asOf: single(body.asOf, 10).trim(),
    knownOn: single(body.knownOn, 30).trim(),
    title: single(body.title, 201).trim(),
    idempotencyKey: single(body.idempotencyKey, 200).trim() || randomUUID(),
  };
  const request: Record<string, unknown> = {};
  for (const field of ['period', 'asOf', 'knownOn', 'title'] as const) if (values[field]) request[field] = values[field];
  return { values, request };
}

/** /statements: the published statements, the publish form and its confirmation, each statement as a printable page, and what changed. */
@Injectable()
export class StatementsPagesService {
  constructor(
    private readonly statements: StatementsService,
    private readonly documents: StatementDocuments,
  ) {}

  async listPage(actor: Actor, open: { values: PublishValues; problems: FieldProblem[] } | null = null) {
    const page = await this.statements.list(actor, parsePageRequest('100', undefined));
    const problems = open?.problems ?? [];
    return {
      title: 'Statements',
      statements: page.items.map((s) => ({
        ...s,
        asOfText: formatDateWords(s.asOf),
        knownOnText: knownOnWords(s.knownOn),
        publishedText: formatDateTime(s.publishedAt),
      })),
      canPublish: PUBLISHERS.includes(actor.role),
      form: open?.values ?? { period: '', asOf: '', knownOn: '', title: '', idempotencyKey: randomUUID() },
      errors: errorsByField(problems),
      errorList: withFieldIds(problems),
    };
  }

  /** The confirmation before publishing: what will be frozen. Bad input goes back to the form with its errors. */
  async confirm(actor: Actor, query: Record<string, unknown>): Promise<FormOutcome> {
    const { values, request } = readForm(query);
    const problems = await this.problems(request);
    if (problems.length) return { status: 400, view: 'statements/index', page: await this.listPage(actor, { values, problems }) };
    const asOf = values.period ? (periodEnd(values.period) as string) : values.asOf;
    return {
      status: 200,
      view: 'statements/confirm',
      page: {
        title: 'Publish this statement?',
        form: values,
        asOfText: formatDateWords(asOf),
        knownOnText: values.knownOn ? knownOnWords(values.knownOn) : 'as known at the moment of publication',
      },
    };
  }

  async publish(actor: Actor, body: Record<string, unknown>): Promise<FormOutcome> {
    const { values, request } = readForm(body);
    const problems = await this.problems(request);
    let status = 400;
    if (!problems.length) {
      try {
        const result = await this.statements.publish(actor, request, idempotencyContext(actor, values.idempotencyKey, 'POST /statements', request));
        return { redirectTo: `/statements/${result.body.id}` };
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        status = error.status;
        problems.push(...(error.details.length ? error.details : [{ field: 'period', message: error.message }]));
      }
    }
    return { status, view: 'statements/index', page: await this.listPage(actor, { values, problems }) };
  }

  private async problems(request: Record<string, unknown>): Promise<FieldProblem[]> {
    const { problems } = await dtoProblems(PublishStatementDto, request);
    if (!problems.length && request.period === undefined && request.asOf === undefined)
      problems.push({ field: 'period', message: 'Give a quarter (such as 2025-Q1) or an as-of date' });
    if (!problems.length && request.period !== undefined && request.asOf !== undefined)
      problems.push({ field: 'period', message: 'Give a quarter or an as-of date, not both' });
    if (!problems.length && typeof request.period === 'string' && periodEnd(request.period) === null)
      problems.push({ field: 'period', message: 'Write the quarter like 2025-Q1' });
    return problems;
  }

  async showPage(actor: Actor, id: number) {
    const { summary } = await this.statements.read(actor, id);
    const narrative = await this.documents.narrative(actor, id);
    return {
      title: summary.title,
      statement: { ...summary, publishedText: formatDateTime(summary.publishedAt) },
      narrative,
      canDiff: actor.role !== 'donor',
      /** Who published it is ANAMA's own business: staff see it, donors do not. */
      staff: actor.role !== 'donor',
    };
  }

  async diffPage(actor: Actor, id: number) {
    const diff = await this.statements.diff(actor, id);
    // Staff only (READ_ALL), who read the whole statement.
    const { summary } = await this.statements.read(actor, id);
    return {
      title: `What changed: ${summary.title}`,
      statement: summary,
      diff,
      anyChange: diff.newPledges.length + diff.receipts.length + diff.cancellations.length + diff.changedTargets.length > 0,
    };
  }
}
