/**
 * Cold-init reference (bench lambda section): loading the DynamoDB client's module graph and
 * nothing else. Kept reachable so the bundler cannot drop the import.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

Object.assign(globalThis, { benchSdk: DynamoDBClient });
