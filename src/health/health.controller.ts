import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { DatabaseHealth } from '../database/database-health';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly database: DatabaseHealth) {}

  @Get()
  @Public()
  async health() {
    try {
      await this.database.ping();
    } catch {
      throw new ServiceUnavailableException({ message: 'The database is not answering', details: [{ field: 'db', message: 'down' }] });
    }
    return { status: 'ok', db: 'up' };
  }
}
