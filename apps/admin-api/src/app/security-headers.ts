import type { INestApplication } from '@nestjs/common';
import type { Express, RequestHandler } from 'express';

/** Headers on every answer: nothing is sniffed, framed, cached or sent on as a referrer. */
const securityHeaders: RequestHandler = (request, response, next) => {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  if (!request.path.startsWith('/docs')) {
    // The API answers JSON only; the Swagger UI under /docs needs its scripts and styles.
    response.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    response.setHeader('Cache-Control', 'no-store');
  }
  next();
};

export function useSecurityHeaders(app: INestApplication): void {
  (app.getHttpAdapter().getInstance() as Express).disable('x-powered-by');
  app.use(securityHeaders);
}
