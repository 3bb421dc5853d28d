import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * HTTP security headers for every response. The CSP allows only this site's own stylesheet,
 * scripts and images: no inline script, no CDN. Pages may not be framed anywhere.
 * `style-src 'unsafe-inline'` is not given: SVG charts style through attributes and classes.
 */
export function securityHeaders(): RequestHandler {
  const forPages = headers(["'self'"]);
  // Swagger UI (the API documentation, served by @nestjs/swagger) sets inline styles; it still runs no inline script.
  const forApiDocs = headers(["'self'", "'unsafe-inline'"]);
  return (req, res, next) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    // Pages and API answers carry ledger figures, names and tokens: no browser or proxy keeps a
    // copy (a shared computer's back button, a corporate cache). The stylesheet and static files
    // set their own caching.
    if (!req.path.startsWith('/static/')) res.setHeader('Cache-Control', 'no-store');
    (req.path.startsWith('/api/docs') ? forApiDocs : forPages)(req, res, next);
  };
}

/** The app uses none of these browser features; no page or embedded content may ask for them. */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'encrypted-media=()',
  'fullscreen=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'picture-in-picture=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'sync-xhr=()',
  'usb=()',
  'xr-spatial-tracking=()',
].join(', ');

function headers(styleSrc: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc,
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
}
