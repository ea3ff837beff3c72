import { ItemService } from '../../domain/item-service.ts';
import { authSettingsFrom } from '../shared/auth/auth-settings.ts';
import { createAuthorizer } from '../shared/auth/authorizer.ts';
import { loadConfig } from '../shared/config.ts';
import { openItemStore } from '../shared/item-store.ts';
import { createLogger } from '../shared/logger.ts';
import { createDeleteHandler } from './delete-handler.ts';

/**
 * The Lambda function's entry (bundled to dist/lambda/index.cjs). Configuration,
 * the DynamoDB client and its sockets, and the token verifier (with its cached signing
 * keys and verified tokens) are set up once per execution environment, in the init
 * phase, and reused by every invocation.
 */
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, undefined, { metrics: config.APP_METRICS === 'emf' });
const auth = authSettingsFrom(config);
if (auth.mode === 'none') logger.event('warn', 'AUTH_MODE=none: DELETE needs no token');
const store = openItemStore(config);

export const handler = createDeleteHandler(
  new ItemService(store.repository),
  logger,
  createAuthorizer(auth),
  config.CORS_ALLOWED_ORIGINS,
);
