import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { registerViewHelpers } from '../common/presentation/view-helpers';
import type { DigestView } from './digest-content.service';

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

type Template = (view: DigestView) => string;

/**
 * Compiles views/emails/digest.{html,text}.hbs once, in strict mode: a field the view model lacks
 * stops the render instead of printing an empty string into a donor's email. The HTML part escapes
 * every value (donor names, titles, notes); the text part is not HTML and is not escaped.
 */
@Injectable()
export class DigestRenderer {
  private templates: Promise<{ html: Template; text: Template }> | null = null;
  private templatesHash: Promise<string> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private compile(): Promise<{ html: Template; text: Template }> {
    this.templates ??= (async () => {
      const env = Handlebars.create();
      registerViewHelpers(env);
      const dir = join(this.config.rootDir, 'views', 'emails');
      const [html, text] = await Promise.all([readFile(join(dir, 'digest.html.hbs'), 'utf8'), readFile(join(dir, 'digest.text.hbs'), 'utf8')]);
      return {
        html: env.compile<DigestView>(html, { strict: true }),
        text: env.compile<DigestView>(text, { strict: true, noEscape: true }),
      };
    })();
    return this.templates;
  }

  /** SHA-256 of the two templates a digest is rendered with: kept with each message, so a re-render can say whether the templates are the same. */
  async templatesSha256(): Promise<string> {
    this.templatesHash ??= (async () => {
      const dir = join(this.config.rootDir, 'views', 'emails');
      const [html, text] = await Promise.all([readFile(join(dir, 'digest.html.hbs')), readFile(join(dir, 'digest.text.hbs'))]);
      return createHash('sha256').update(html).update('\0').update(text).digest('hex');
    })();
    return this.templatesHash;
  }

  async render(view: DigestView): Promise<RenderedDigest> {
    const templates = await this.compile();
    return {
      subject: `${view.organisation.shortName} funding digest, ${view.periodLabel}: ${view.donor.name}`.replace(/[\r\n]+/g, ' '),
      html: templates.html(view),
      text: templates.text(view),
    };
  }
}
