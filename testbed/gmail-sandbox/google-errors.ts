/**
 * Google's JSON error shape (https://developers.google.com/gmail/api/guides/handle-errors):
 * `{"error":{"code","message","errors":[{message,domain,reason}],"status"}}`. Handlers throw
 * GmailApiError; the server turns it into that body.
 */

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    errors: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
    status: string;
    details?: unknown[];
  };
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  413: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class GmailApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string,
    readonly domain = 'global',
    readonly headers: Record<string, string> = {},
    readonly extra: Partial<GoogleErrorBody['error']> = {},
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
        status: STATUS_NAMES[this.code] ?? 'UNKNOWN',
        ...this.extra,
      },
    };
  }
}

export function invalidArgument(message: string): GmailApiError {
  return new GmailApiError(400, message, 'invalidArgument');
}

export function notFound(message = 'Requested entity was not found.'): GmailApiError {
  return new GmailApiError(404, message, 'notFound');
}

const WWW_AUTHENTICATE = 'Bearer realm="https://accounts.google.com/"';

export function missingCredentials(): GmailApiError {
  return new GmailApiError(
    401,
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    'required',
    'global',
    { 'WWW-Authenticate': WWW_AUTHENTICATE },
  );
}

export function invalidCredentials(): GmailApiError {
  return new GmailApiError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    'authError',
    'global',
    { 'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"` },
  );
}

export function insufficientScopes(requiredScopes: readonly string[]): GmailApiError {
  return new GmailApiError(
    403,
    'Request had insufficient authentication scopes.',
    'insufficientPermissions',
    'global',
    {
      'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="insufficient_scope", scope="${requiredScopes.join(' ')}"`,
    },
    {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
          domain: 'googleapis.com',
          metadata: { service: 'gmail.googleapis.com' },
        },
      ],
    },
  );
}

/** Google documents both 429 and 403 for this reason; the status stays RESOURCE_EXHAUSTED. */
export function userRateLimitExceeded(code: 429 | 403): GmailApiError {
  return new GmailApiError(
    code,
    'User-rate limit exceeded.',
    'userRateLimitExceeded',
    'usageLimits',
    {},
    {
      status: 'RESOURCE_EXHAUSTED',
    },
  );
}

export function tooManyConcurrentRequests(): GmailApiError {
  return new GmailApiError(429, 'Too many concurrent requests for user', 'rateLimitExceeded', 'usageLimits');
}

export function backendError(code: number): GmailApiError {
  const message = code === 503 ? 'The service is currently unavailable.' : 'Backend Error';
  return new GmailApiError(code, message, 'backendError');
}
