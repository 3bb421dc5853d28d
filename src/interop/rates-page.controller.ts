import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { READ_ALL, Roles } from '../auth/auth.decorators';
import { todayUtc } from '../common/dates';
import { FxService } from '../fx/fx.service';
import { ratesPageModel } from './rates-page';

/** `/rates`: which currencies have rates, from when to when, and where they are missing. */
@ApiExcludeController()
@Controller('rates')
export class RatesPageController {
  constructor(private readonly fx: FxService) {}

  @Get()
  @Roles(...READ_ALL)
  @Render('rates')
  async page() {
    return ratesPageModel(await this.fx.coverage(), todayUtc());
  }
}
