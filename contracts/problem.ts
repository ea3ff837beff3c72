import { z } from 'zod';

/** RFC 9457 problem details, as every error response of this API carries them. */
export const Problem = z
  .object({
    type: z.string().describe('A URI naming the kind of problem; `about:blank` when the status says it all.'),
    title: z.string().describe('Short summary of the kind of problem.'),
    status: z.int().min(400).max(599),
    detail: z.string().describe('What went wrong with this request, for a human.'),
    request_id: z.string().describe('The x-request-id of the request, for finding its log line.'),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;
