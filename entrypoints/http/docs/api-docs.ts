import { toOpenAPISchema } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import { completeDocument, type DocumentedAuth, OPENAPI_VERSION } from '../../../contracts/openapi.ts';
import type { AuthSettings } from '../../shared/auth/authorizer.ts';
import { SPEC_PATH, swaggerUi } from './swagger-ui.ts';

/**
 * GET /openapi.json and GET /docs. @elysiajs/openapi's generator describes the
 * app's routes from the zod schemas attached to them and their `detail`;
 * `completeDocument` adds what is not a route of this process (DELETE, served by
 * the Lambda) and the named schemas. The plugin's own page is not used: it loads
 * Swagger UI from a CDN. /docs is ours (./swagger-ui.ts).
 */
export function apiDocs(auth: AuthSettings) {
  const documentedAuth: DocumentedAuth | undefined =
    auth.mode === 'jwt' ? { tokenUrl: auth.tokenUrl } : undefined;
  const docs = new Elysia({ name: 'picus-api-docs' });
  let cached: { routes: number; document: object } | undefined;
  return docs
    .get(
      SPEC_PATH,
      () => {
        // Every route of the app, once they are all registered (the route list is shared).
        const routes = docs.routes.length;
        if (cached?.routes !== routes) {
          const generated = toOpenAPISchema(docs, undefined, undefined, undefined, OPENAPI_VERSION);
          // biome-ignore lint/suspicious/noExplicitAny: the generator types its output with openapi-types, which we do not depend on.
          cached = { routes, document: completeDocument(generated as any, documentedAuth) };
        }
        return cached.document;
      },
      { detail: { hide: true } },
    )
    .use(swaggerUi(documentedAuth));
}
