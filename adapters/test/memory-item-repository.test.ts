import { MemoryItemRepository } from '../memory/memory-item-repository.ts';
import { describeRepositoryContract } from './repository-contract.ts';

describeRepositoryContract('in-memory', async () => new MemoryItemRepository());
