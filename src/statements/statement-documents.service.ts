import { Injectable } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { statementDocx } from './statement-docx';
import { statementNarrative, type StatementNarrative } from './statement-narrative';
import { statementPdf } from './statement-pdf';
import { StatementsService } from './statements.service';

/** A statement's documents, each written from its frozen content only (statement-narrative.ts), so they never change either. */
@Injectable()
export class StatementDocuments {
  constructor(private readonly statements: StatementsService) {}

  async narrative(actor: Actor, id: number): Promise<StatementNarrative> {
    return statementNarrative((await this.statements.read(actor, id)).content);
  }

  async docx(actor: Actor, id: number): Promise<Buffer> {
    return statementDocx(await this.narrative(actor, id));
  }

  async pdf(actor: Actor, id: number): Promise<Buffer> {
    return statementPdf(await this.narrative(actor, id));
  }
}
