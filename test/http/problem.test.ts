import { Readable } from 'node:stream';
import { expect } from 'chai';
import { doubleCsrf } from 'csrf-csrf';
import express, { type RequestHandler } from 'express';
import multer from 'multer';
import {
  DomainError,
  ERROR_TABLE,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  type ErrorCode,
} from '../../server/errors.ts';
import { TechnicalError, toDomainError } from '../../server/http/problem.ts';

/** The error a real body-parser middleware passes on for this request. */
function parserErrorFor(parser: RequestHandler, headers: Record<string, string>, body: Readable): Promise<unknown> {
  const request = Object.assign(body, { headers, method: 'POST', url: '/' });
  return new Promise((resolve) => parser(request as never, {} as never, resolve));
}
const jsonBody = (text: string, headers: Record<string, string> = {}) =>
  parserErrorFor(
    express.json({ limit: 16 }),
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers },
    Readable.from([Buffer.from(text)]),
  );

function expectMapped(thrown: unknown, code: ErrorCode, status: number): DomainError {
  const mapped = toDomainError(thrown);
  expect(mapped).to.be.an.instanceOf(DomainError);
  expect(mapped.code).to.equal(code);
  expect(ERROR_TABLE[mapped.code].status).to.equal(status);
  expect(mapped.detail).to.be.a('string').and.not.equal('');
  return mapped;
}

describe('toDomainError: anything thrown while answering a request, in the one error model', () => {
  it('when a DomainError is thrown, then it is itself, detail and extensions included', () => {
    const notFound = new NotFoundError('No agreement 7');
    const throttled = new TooManyRequestsError('Too many failed attempts', 60);
    expect(toDomainError(notFound)).to.equal(notFound);
    expect(toDomainError(throttled)).to.equal(throttled);
  });

  it('when body-parser refuses a body (too large, not JSON, a charset or encoding it cannot read), then 413, 400 or 415', async () => {
    expectMapped(await jsonBody('{"text": "longer than sixteen bytes"}'), 'PAYLOAD_TOO_LARGE', 413);
    expectMapped(await jsonBody('{"email": '), 'MALFORMED_REQUEST', 400);
    expect(
      expectMapped(await jsonBody('{}', { 'content-type': 'application/json; charset=latin-9' }), 'UNSUPPORTED_MEDIA_TYPE', 415).detail,
    ).to.include('LATIN-9');
    expectMapped(await jsonBody('{}', { 'content-encoding': 'zstdx' }), 'UNSUPPORTED_MEDIA_TYPE', 415);
  });

  it('when body-parser refuses a form with too many fields (another 4xx), then 400', async () => {
    const form = 'a=1&b=2&c=3';
    const tooMany = await parserErrorFor(
      express.urlencoded({ extended: false, parameterLimit: 2 }),
      { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(form.length) },
      Readable.from([Buffer.from(form)]),
    );
    expectMapped(tooMany, 'MALFORMED_REQUEST', 400);
  });

  it('when multer refuses an upload, then 413 for a file too large and 400 for its other limits', () => {
    expectMapped(new multer.MulterError('LIMIT_FILE_SIZE', 'pdf'), 'PAYLOAD_TOO_LARGE', 413);
    expectMapped(new multer.MulterError('LIMIT_FILE_COUNT', 'pdf'), 'MALFORMED_REQUEST', 400);
    expectMapped(new multer.MulterError('LIMIT_UNEXPECTED_FILE', 'other'), 'MALFORMED_REQUEST', 400);
  });

  it('when csrf-csrf refuses a form, then CSRF_REJECTED, a 403 of its own rather than a malformed request', () => {
    const { invalidCsrfTokenError } = doubleCsrf({ getSecret: () => 'secret', getSessionIdentifier: () => '' });
    expectMapped(invalidCsrfTokenError, 'CSRF_REJECTED', 403);
  });

  it('when the database is busy or gone, then the ServiceUnavailableError that says when to try again', () => {
    const busy = Object.assign(new Error('SQLITE_BUSY: database is locked'), { errno: 5, code: 'SQLITE_BUSY' });
    const restarting = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    for (const thrown of [busy, new Error('knex query failed', { cause: restarting })]) {
      const mapped = expectMapped(thrown, 'SERVICE_UNAVAILABLE', 503);
      expect(mapped).to.be.an.instanceOf(ServiceUnavailableError);
      expect((mapped as ServiceUnavailableError).retryAfterSeconds).to.be.greaterThan(0);
    }
  });

  it('when anything else is thrown, even a non-Error, then INTERNAL, whose detail tells nothing of the cause', () => {
    for (const thrown of [
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      Object.assign(new Error('boom'), { status: 500 }),
      'a string',
      null,
      undefined,
    ]) {
      const mapped = expectMapped(thrown, 'INTERNAL', 500);
      expect(mapped.detail).to.not.match(/undefined|boom|string/);
    }
  });

  it('when the value was not a DomainError, then the mapping marks it technical, so pages show their title and not its detail', () => {
    expect(toDomainError(new multer.MulterError('LIMIT_FILE_SIZE'))).to.be.an.instanceOf(TechnicalError);
    expect(toDomainError(new Error('boom'))).to.be.an.instanceOf(TechnicalError);
    expect(toDomainError(new NotFoundError('No agreement 7'))).to.not.be.an.instanceOf(TechnicalError);
  });
});
