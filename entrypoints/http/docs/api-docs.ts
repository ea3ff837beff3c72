import { Elysia } from 'elysia';
import { type DocumentedAuth, openApiDocument } from '../../../contracts/openapi.ts';
import type { AuthSettings } from '../../shared/auth/authorizer.ts';
import { SPEC_PATH, swaggerUi } from './swagger-ui.ts';

/**
 * GET /openapi.json and GET /docs. The document is built once from the contracts
 * (contracts/openapi.ts), not from this process's routes: it describes the whole API,
 * DELETE included, whichever backend serves each operation. /docs is Swagger UI, served by
 * us (./swagger-ui.ts).
 */
export function apiDocs(auth: AuthSettings) {
  const documentedAuth: DocumentedAuth | undefined =
    auth.mode === 'jwt' ? { tokenUrl: auth.tokenUrl } : undefined;
  let document: object | undefined;
  return new Elysia({ name: 'picus-api-docs' })
    .get(SPEC_PATH, () => {
      document ??= openApiDocument(documentedAuth);
      return document;
    })
    .use(swaggerUi(documentedAuth));
}
