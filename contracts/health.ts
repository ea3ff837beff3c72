import { z } from 'zod';

export const HealthResponse = z
  .object({ status: z.literal('ok') })
  .strict()
  .meta({ id: 'HealthResponse' });
export const ReadyResponse = z
  .object({ status: z.literal('ready') })
  .strict()
  .meta({ id: 'ReadyResponse' });
