import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';

/**
 * Renders a view to HTML without the layout, with the app's own engine (its helpers, partials and
 * compiled-template cache), for content kept between requests: what one user's request puts into
 * `res.locals` (the user, the navigation, the CSRF token) never reaches it.
 */
@Injectable()
export class ViewRenderer {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  render(view: string, model: object): Promise<string> {
    const app = this.adapterHost.httpAdapter.getInstance<Application>();
    return new Promise((resolve, reject) =>
      app.render(view, { ...model, layout: false }, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html ?? ''))),
    );
  }
}
