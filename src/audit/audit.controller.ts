import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { parsePageRequest, toPage } from '../common/http/pagination';
import { Roles } from '../auth/auth.decorators';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('admin')
  async list(@Query('entityType') entityType?: string, @Query('entityId') entityId?: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    const page = parsePageRequest(limit, cursor);
    const rows = await this.audit.list({ entityType, entityId, ...page });
    return toPage(rows, page, (e) => ({
      id: e.id,
      at: e.at,
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
