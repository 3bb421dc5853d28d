import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../access/roles';
import { DatabaseHealth, type DatabaseState } from '../database/database-health';

const SAY: Record<Exclude<DatabaseState, 'up'>, { message: string; retryAfterSeconds: number }> = {
  unreachable: { message: 'The database is not answering', retryAfterSeconds: 5 },
  busy: { message: 'The database is too busy to answer in time', retryAfterSeconds: 2 },
  'read-only': { message: 'The database answers but cannot save anything (read-only)', retryAfterSeconds: 60 },
};

class DatabaseNotUp extends HttpException {
  readonly retryAfterSeconds: number;
  constructor(state: Exclude<DatabaseState, 'up'>) {
    super({ message: SAY[state].message, details: [{ field: 'db', message: state }] }, HttpStatus.SERVICE_UNAVAILABLE);
    this.retryAfterSeconds = SAY[state].retryAfterSeconds;
  }
}

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(private readonly database: DatabaseHealth) {}

  /** 200 `{ status: "ok", db: "up" }`; otherwise 503 with Retry-After, naming the state in `details` (db: unreachable, busy or read-only). */
  @Get()
  @Public()
  async health() {
    const state = await this.database.state();
    if (state !== 'up') throw new DatabaseNotUp(state);
    return { status: 'ok', db: 'up' };
  }
}
