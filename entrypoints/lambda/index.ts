import { ItemService } from '../../domain/item-service.ts';
import { createLogger } from '../shared/access-log.ts';
import { loadConfig } from '../shared/config.ts';
import { openItemStore } from '../shared/item-store.ts';
import { createDeleteHandler } from './delete-handler.ts';

/**
 * The Lambda function's entry (bundled to dist/lambda/index.cjs). Configuration,
 * the DynamoDB client and its sockets are set up once per execution environment,
 * in the init phase, and reused by every invocation.
 */
const config = loadConfig();
const store = openItemStore(config);

export const handler = createDeleteHandler(new ItemService(store.repository), createLogger(config.LOG_LEVEL));
