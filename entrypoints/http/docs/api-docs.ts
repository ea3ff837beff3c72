import { openapi } from '@elysiajs/openapi';
import { Elysia } from 'elysia';
import { documentation, OPENAPI_VERSION } from '../../../contracts/openapi.ts';
import { SPEC_PATH, swaggerUi } from './swagger-ui.ts';

/**
 * GET /openapi.json and GET /docs. @elysiajs/openapi describes the app's routes
 * from the zod schemas attached to them; `documentation()` adds what is not a
 * route of this process (DELETE, served by the Lambda) and the named schemas.
 * Its own page (which loads Swagger UI from a CDN) is off: /docs is ours.
 */
export function apiDocs() {
  return new Elysia({ name: 'picus-api-docs' })
    .use(
      openapi({
        provider: null,
        specPath: SPEC_PATH,
        openapiVersion: OPENAPI_VERSION,
        // biome-ignore lint/suspicious/noExplicitAny: the plugin types documentation with openapi-types, which we do not depend on.
        documentation: documentation() as any,
      }),
    )
    .use(swaggerUi());
}
