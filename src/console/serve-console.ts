import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';
import { projectRoot } from '../../scripts/temporal-tools.mjs';
import type { RuntimeSettings } from '../runtime.js';

/** Where `npm run build` puts the web console (scripts/build-console.mjs). */
export const DEFAULT_CONSOLE_DIR = join(projectRoot(), 'dist', 'console');

// The console loads only its own files: no CDN, nothing fetched from elsewhere (offline machines).
// bpmn-js sets inline styles on the diagram's SVG, hence 'unsafe-inline' for styles only.
// The one other origin it talks to is the OIDC provider's token endpoint (the code exchange).
function contentSecurityPolicy(tokenUrl: string | undefined): string {
  return [
    "default-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${tokenUrl ? ` ${new URL(tokenUrl).origin}` : ''}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** Serves the built web console at `/`; the API stays under /api. */
export function serveConsole(app: NestExpressApplication, runtime: RuntimeSettings): void {
  const dir = runtime.config.env.CONSOLE_DIR ? resolve(runtime.config.env.CONSOLE_DIR) : DEFAULT_CONSOLE_DIR;
  if (!existsSync(join(dir, 'index.html'))) {
    runtime.logger.warn({ dir }, 'the web console is not built (npm run build): / answers 404');
    return;
  }
  const csp = contentSecurityPolicy(runtime.config.env.AUTH_OIDC_TOKEN_URL);
  app.useStaticAssets(dir, {
    index: 'index.html',
    setHeaders: (res: Response, path: string) => {
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (path.endsWith('.html')) {
        res.setHeader('Content-Security-Policy', csp);
        // The page names its assets by build id, so only the page itself must always be fresh.
        res.setHeader('Cache-Control', 'no-cache');
      }
    },
  });
}
