/**
 * Request log lines as the container (ECS awslogs) and the DELETE Lambda write them: one JSON
 * object per request, the EMF part (`_aws` plus the dimension and metric values) on operation
 * requests only. The saved queries and the alarms are checked against these: a query may read
 * only fields they have, an alarm only metrics they declare. The first line is the format as
 * issue 16 fixed it; the others vary it the ways the issue describes (a 5xx carries `error` at
 * level error, StoreLatency is absent when no store call was made, non-operation requests carry
 * no `_aws`, no Operation and no Outcome, client_id/sub only when a token proved the caller).
 */

const emf = (metrics: string[]) => ({
  Timestamp: 1763870000000,
  CloudWatchMetrics: [
    {
      Namespace: 'Picus',
      Dimensions: [['Operation', 'Outcome'], ['Operation']],
      Metrics: metrics.map((Name) => ({
        Name,
        Unit: Name === 'Latency' || Name === 'StoreLatency' ? 'Milliseconds' : 'Count',
      })),
    },
  ],
});

export const CONTAINER_LINES: readonly string[] = [
  // POST /picus/put, 201 (verbatim from the issue).
  '{"_aws":{"Timestamp":1763870000000,"CloudWatchMetrics":[{"Namespace":"Picus","Dimensions":[["Operation","Outcome"],["Operation"]],"Metrics":[{"Name":"Requests","Unit":"Count"},{"Name":"Latency","Unit":"Milliseconds"},{"Name":"StoreLatency","Unit":"Milliseconds"},{"Name":"IdempotentReplay","Unit":"Count"},{"Name":"IdempotencyConflict","Unit":"Count"}]}]},"time":"2026-11-23T04:40:00.000Z","level":"info","request_id":"1-6b03c15e-eea70005f0c7611687f690be","method":"POST","path":"/picus/put","status":201,"latency_ms":1.23,"client_id":"abc123","sub":"abc123","Operation":"put","Outcome":"ok","Requests":1,"Latency":1.23,"StoreLatency":0.8,"IdempotentReplay":0,"IdempotencyConflict":0}',
  // GET /picus/get/{key}, 503: the store was unavailable.
  JSON.stringify({
    _aws: emf(['Requests', 'Latency', 'StoreLatency']),
    time: '2026-11-23T04:40:01.000Z',
    level: 'error',
    request_id: '1-6b03c15f-0123456789abcdef01234567',
    method: 'GET',
    path: '/picus/get/abc',
    status: 503,
    latency_ms: 1002.5,
    client_id: 'abc123',
    sub: 'abc123',
    error:
      'StoreUnavailable: The item store is temporarily unavailable. (cause: TimeoutError: socket hang up)',
    Operation: 'get',
    Outcome: 'unavailable',
    Requests: 1,
    Latency: 1002.5,
    StoreLatency: 1000.1,
  }),
  // GET /picus/list without a token: 401, no store call, no caller.
  JSON.stringify({
    _aws: emf(['Requests', 'Latency']),
    time: '2026-11-23T04:40:02.000Z',
    level: 'info',
    request_id: 'c0ffee00-0000-4000-8000-000000000001',
    method: 'GET',
    path: '/picus/list',
    status: 401,
    latency_ms: 0.2,
    Operation: 'list',
    Outcome: 'client_error',
    Requests: 1,
    Latency: 0.2,
  }),
  // An abandoned upload: 499 at warn.
  JSON.stringify({
    _aws: emf(['Requests', 'Latency', 'IdempotentReplay', 'IdempotencyConflict']),
    time: '2026-11-23T04:40:03.000Z',
    level: 'warn',
    request_id: 'c0ffee00-0000-4000-8000-000000000002',
    method: 'POST',
    path: '/picus/put',
    status: 499,
    latency_ms: 15000,
    client_id: 'abc123',
    sub: 'abc123',
    Operation: 'put',
    Outcome: 'client_error',
    Requests: 1,
    Latency: 15000,
    IdempotentReplay: 0,
    IdempotencyConflict: 0,
  }),
  // The health check: no operation, no EMF.
  JSON.stringify({
    time: '2026-11-23T04:40:04.000Z',
    level: 'info',
    request_id: 'c0ffee00-0000-4000-8000-000000000003',
    method: 'GET',
    path: '/health',
    status: 200,
    latency_ms: 0.05,
  }),
];

export const LAMBDA_LINES: readonly string[] = [
  // DELETE /picus/{key} through the ALB, 200.
  JSON.stringify({
    _aws: emf(['Requests', 'Latency', 'StoreLatency']),
    time: '2026-11-23T04:40:05.000Z',
    level: 'info',
    request_id: '1-6b03c161-89abcdef0123456789abcdef',
    method: 'DELETE',
    path: '/picus/abc',
    status: 200,
    latency_ms: 6.1,
    client_id: 'abc123',
    sub: 'abc123',
    Operation: 'delete',
    Outcome: 'ok',
    Requests: 1,
    Latency: 6.1,
    StoreLatency: 5.9,
  }),
];
