import { Elysia } from 'elysia';
import favicon from 'swagger-ui-dist/favicon-32x32.png' with { type: 'file' };
import css from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' };
import bundleJs from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' };
import { API_TITLE, type DocumentedAuth } from '../../../contracts/openapi.ts';

/**
 * Swagger UI at /docs, served entirely by us: the page, swagger-ui-dist's files and
 * the script that starts it. No CDN, so it renders on a machine with no internet;
 * the files are imported `with { type: 'file' }`, so a `bun build --compile`
 * binary carries them and never looks for node_modules at run time.
 */

export const DOCS_PATH = '/docs';
export const SPEC_PATH = '/openapi.json';

/**
 * Only our own scripts run (no inline script, no eval); Swagger UI sets inline
 * styles and uses data: images; "Try it out" calls this origin only, and "Authorize"
 * the token endpoint's origin when it is another one (Cognito's, in AWS).
 */
export function docsCsp(auth: DocumentedAuth | undefined): string {
  const tokenOrigin =
    auth !== undefined && URL.canParse(auth.tokenUrl) ? new URL(auth.tokenUrl).origin : undefined;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    tokenOrigin !== undefined ? `connect-src 'self' ${tokenOrigin}` : "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const INIT_JS = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(SPEC_PATH)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    displayRequestDuration: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${API_TITLE} API</title>
  <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
  <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
</head>
<body>
  <noscript>This page needs JavaScript; the API itself is described at ${SPEC_PATH}.</noscript>
  <div id="swagger-ui"></div>
  <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
  <script src="${DOCS_PATH}/swagger-init.js"></script>
</body>
</html>
`;

function text(body: string, contentType: string): Response {
  return new Response(body, { headers: { 'content-type': contentType } });
}

function file(path: string, contentType: string): Response {
  return new Response(Bun.file(path), { headers: { 'content-type': contentType } });
}

/** The Swagger UI routes (not operations of the API: the document never lists them). */
export function swaggerUi(auth: DocumentedAuth | undefined) {
  const csp = docsCsp(auth);
  return new Elysia({ name: 'picus-swagger-ui' })
    .get(
      DOCS_PATH,
      () =>
        new Response(PAGE, {
          headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp },
        }),
    )
    .get(`${DOCS_PATH}/swagger-init.js`, () => text(INIT_JS, 'text/javascript; charset=utf-8'))
    .get(`${DOCS_PATH}/swagger-ui-bundle.js`, () => file(bundleJs, 'text/javascript; charset=utf-8'))
    .get(`${DOCS_PATH}/swagger-ui.css`, () => file(css, 'text/css; charset=utf-8'))
    .get(`${DOCS_PATH}/favicon-32x32.png`, () => file(favicon, 'image/png'));
}
