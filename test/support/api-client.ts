import { expect } from 'chai';
import { DEMO_PASSWORD } from './server.ts';

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly body: T;
  readonly bytes: Buffer;
}

/** Talks to a test server over real HTTP, as a client of the API would. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  static async signIn(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<ApiClient> {
    const response = await new ApiClient(baseUrl).request('POST', '/api/sessions', { email, password });
    if (response.status !== 201) throw new Error(`sign-in as ${email} failed: ${response.status} ${JSON.stringify(response.body)}`);
    return new ApiClient(baseUrl, response.body.token);
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown) => this.request('POST', path, body);
  put = (path: string, body?: unknown) => this.request('PUT', path, body);

  /** POSTs a file as the body, as `curl --data-binary @file -H 'content-type: ...'` would. */
  upload = (path: string, bytes: Buffer, contentType: string) => this.request('POST', path, undefined, bytes, contentType);

  async request(
    method: string,
    path: string,
    body?: unknown,
    rawBody?: string | Buffer,
    bodyType = 'application/json',
  ): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined || rawBody !== undefined) headers['content-type'] = bodyType;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const contentType = response.headers.get('content-type') ?? '';
    const isJson = /json/.test(contentType);
    return {
      status: response.status,
      contentType,
      headers: response.headers,
      body: isJson ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8'),
      bytes,
    };
  }
}

/** The body of a response that has the expected status (200 unless told); else the test fails showing the body. */
export function ok(response: ApiResponse, status = 200) {
  expect(response.status, JSON.stringify(response.body)).to.equal(status);
  return response.body;
}
