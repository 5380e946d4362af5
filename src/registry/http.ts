// HTTP request methods that mark a byte stream as an HTTP request (RFC 9110 §9 and the
// HTTP/2 connection preface's PRI, RFC 9113 §3.4). One table for every layer that asks
// "is this HTTP?": content detection, the SSH peer classifier and the non-TLS preview.

export const HTTP_METHODS: readonly string[] = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'PATCH', 'TRACE', 'PRI'];

/** The byte prefixes content detection matches: each method and a space; HTTP/2's preface whole. */
export const HTTP_REQUEST_PREFIXES: readonly string[] = HTTP_METHODS.map((m) => (m === 'PRI' ? 'PRI * HTTP/2' : `${m} `));

const REQUEST_LINE = new RegExp(`^(${HTTP_METHODS.join('|')}) \\S`);

/** A text line that starts like an HTTP request line ("GET /x HTTP/1.1"). */
export const looksLikeHttpRequestLine = (text: string): boolean => REQUEST_LINE.test(text);
