import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Everything the server sent, as text. */
  readonly text: string;
}

/**
 * Sends bytes no HTTP client library would send (a malformed Host, HTTP/1.0 without Host,
 * pipelined requests) and returns what came back before the server closed the connection or
 * `timeoutMs` passed. Parses the first response's status line, headers and body.
 */
export function rawRequest(port: number, request: string, timeoutMs = 3_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const finish = () => {
      socket.destroy();
      clearTimeout(timer);
      resolve(parse(text));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const parsed = parse(text);
      const length = Number(parsed.headers['content-length'] ?? Number.NaN);
      if (parsed.status > 0 && Buffer.byteLength(parsed.body, 'latin1') >= length) finish();
    });
    socket.on('end', finish);
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (text) resolve(parse(text));
      else reject(error);
    });
    socket.write(request, 'latin1');
  });
}

function parse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0),
    headers,
    body: end < 0 ? '' : text.slice(end + 4),
    text,
  };
}
