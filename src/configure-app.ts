import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from './config/app-config';
import { HttpExceptionFilter } from './common/http/http-exception.filter';
import { createValidationPipe } from './common/http/validation';

/** The single place that makes an app what users get: main.ts and every e2e test call it. */
export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('text', { limit: '50mb', type: ['text/csv', 'text/plain'] });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useStaticAssets(join(config.rootDir, 'public'), { prefix: '/static/', maxAge: '1h' });
  app.setBaseViewsDir(join(config.rootDir, 'views'));
  app.setViewEngine('hbs');
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('Mine Action Funding Tracker')
    .setDescription('HTTP contract v1: pledges, disbursements, in-kind deliveries, dated exchange rates and the funding gap for ANAMA.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}
