/**
 * A digest sender in its own process, for the crash test: boots the BUILT app (dist/, run
 * `npm run build` first) as an application context from the environment it is given. The app's
 * DigestSender then delivers the outbox every DIGEST_SENDER_INTERVAL_MS until the process is
 * stopped (SIGTERM) or killed (SIGKILL).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { AppModule } = require(`${root}dist/app.module.js`);
const { loadConfig } = require(`${root}dist/config/app-config.js`);

const app = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig(process.env, root)), { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.init();
process.stdout.write('sender ready\n');
// The sender's interval timer is unref'd; this keeps the process alive until it is stopped.
setInterval(() => undefined, 60_000);
