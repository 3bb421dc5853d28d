import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import hbs from 'hbs';
import type { AppConfig } from './config/app-config';
import { HttpExceptionFilter } from './common/http/http-exception.filter';
import { WebPageExceptionFilter } from './web/web-exception.filter';
import { createValidationPipe } from './common/http/validation';
import { refuseControlCharactersInUrl } from './common/http/url-text';
import { bodyDepthLimit } from './web/body-depth';
import { csrfMiddleware } from './web/csrf';
import { securityHeaders } from './web/security-headers';
import { registerViewHelpers } from './common/presentation/view-helpers';

/** The largest JSON or form body any route accepts: a pledge with long notes is a few KB. */
export const JSON_BODY_LIMIT = '256kb';

/**
 * The single place that makes an app what users get: main.ts and every e2e test call it.
 * Async because Handlebars partials must be registered before the first render.
 */
export async function configureApp(app: NestExpressApplication, config: AppConfig): Promise<NestExpressApplication> {
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders());
  app.use(refuseControlCharactersInUrl());
  // Small bodies only, for every route and before sign-in. CSV files are read by their import
  // routes after the caller is signed in and allowed (common/http/upload-body.ts), never here.
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: JSON_BODY_LIMIT, extended: false });
  app.use(bodyDepthLimit());
  app.use(cookieParser());
  app.use(csrfMiddleware(config.csrfSecret ?? undefined));
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter(new WebPageExceptionFilter()));
  app.useStaticAssets(join(config.rootDir, 'public'), { prefix: '/static/', maxAge: '1h' });
  app.setBaseViewsDir(join(config.rootDir, 'views'));
  app.setViewEngine('hbs');
  // Compile each template once, whatever NODE_ENV says (Express only caches in production by default).
  app.set('view cache', true);
  registerViewHelpers(hbs);
  // Partials keep their file names (`{{> error-summary}}`); hbs would otherwise turn dashes into underscores.
  await new Promise<void>((resolve) => hbs.registerPartials(join(config.rootDir, 'views', 'partials'), { rename: (name) => name }, () => resolve()));
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
