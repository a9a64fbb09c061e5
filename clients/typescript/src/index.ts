/**
 * The callplane API client: openapi-fetch over the types openapi-typescript generates from
 * openapi.json (src/schema.ts), and `verify` for the events callplane sends to your app.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
/** The API's schemas by name, e.g. `Schemas["NumberOut"]`. */
export type Schemas = components["schemas"];
/** The error envelope every failed request answers. */
export type ApiErrorBody = components["schemas"]["ErrorOut"];

export { verify, sign, SIGNATURE_HEADER, DEFAULT_TOLERANCE_SECONDS } from "./webhooks.js";
export type { VerifyOptions } from "./webhooks.js";

export interface CallplaneOptions extends ClientOptions {
  /** The callplane URL, e.g. `https://callplane.example.com`. */
  baseUrl: string;
  /** A platform or tenant API key (`cpk_...`). */
  apiKey: string;
}

/** A typed client: `client.POST("/v1/tenants", { body: {...} })` answers `{ data, error, response }`. */
export function createCallplaneClient({ apiKey, headers, ...options }: CallplaneOptions): Client<paths> {
  return createClient<paths>({
    ...options,
    headers: { ...(headers as Record<string, string> | undefined), Authorization: `Bearer ${apiKey}` },
  });
}

/** A failed request: `code` is the stable error code, `details` the rest of the envelope. */
export class CallplaneError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = "CallplaneError";
  }
}

/** The data of an answer, or a `CallplaneError` thrown for an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  const { data, error, response } = result;
  if (error !== undefined || data === undefined) {
    const body = (error ?? {}) as Partial<ApiErrorBody>;
    const { code = "error", message = response.statusText, ...details } = body.error ?? {};
    throw new CallplaneError(response.status, String(code), String(message), details);
  }
  return data;
}
