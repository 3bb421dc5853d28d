import { Controller, Get, Query } from '@nestjs/common';
import type { Actor } from '../access/actor';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parsePageRequest, toPage } from '../common/http/pagination';
import { CurrentActor, READ_ALL, Roles } from '../access/roles';
import { auditTimeRange, parseAuditFilter } from './audit-query';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Desk officers and above read the log. Every filter is optional; without `order` the oldest entry comes first, as in version 1. */
  @Get()
  @Roles(...READ_ALL)
  @ApiQuery({ name: 'entityType', required: false, description: 'pledge, disbursement, donor, donor_contact, user, priority…' })
  @ApiQuery({ name: 'entityId', required: false, description: 'the record id (or code: P05, 2025-03)' })
  @ApiQuery({ name: 'actorId', required: false, description: 'the id of the user who acted' })
  @ApiQuery({ name: 'action', required: false, description: 'an action code, such as pledge.cancel' })
  @ApiQuery({ name: 'from', required: false, description: 'first day, YYYY-MM-DD, in the app time zone (Asia/Baku)' })
  @ApiQuery({ name: 'to', required: false, description: 'last day, YYYY-MM-DD, included, in the app time zone (Asia/Baku)' })
  @ApiQuery({ name: 'order', required: false, enum: ['oldest', 'newest'], description: 'oldest (default) or newest first' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  async list(@CurrentActor() actor: Actor, @Query() query: Record<string, unknown>) {
    const filter = parseAuditFilter(query, 'oldest');
    const page = parsePageRequest(query.limit, query.cursor);
    const rows = await this.audit.list(actor, { ...filter, ...auditTimeRange(filter), newestFirst: filter.order === 'newest', ...page });
    return toPage(rows, page, (e) => ({
      id: e.id,
      at: e.at,
      actorId: e.actorId,
      actorEmail: e.actorEmail,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      before: e.before,
      after: e.after,
      reason: e.reason,
    }));
  }
}
