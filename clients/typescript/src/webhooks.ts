/**
 * Verify that an event comes from callplane: the `Callplane-Signature` header,
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 *
 * While a secret is being rotated the header carries one `v1=` per secret, and a receiver may
 * hold the old and the new secret: any match verifies. The timestamp is signed with the body, so
 * a captured request replayed later than `tolerance` seconds is refused.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Callplane-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface VerifyOptions {
  /** Seconds the timestamp may be away from now (default 300). */
  tolerance?: number;
  /** Now, in unix seconds (for tests). */
  now?: number;
}

const HEX = /^[0-9a-f]+$/;

function bytes(payload: string | Uint8Array): Buffer {
  return typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
}

function mac(secret: string, timestamp: number, body: Buffer): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

/** A `Callplane-Signature` value for `payload` (to test a receiver). */
export function sign(payload: string | Uint8Array, secret: string, timestamp?: number): string {
  const t = timestamp ?? Math.floor(Date.now() / 1000);
  return `t=${t},v1=${mac(secret, t, bytes(payload)).toString("hex")}`;
}

/**
 * True when `header` signs the raw `payload` (the body exactly as received) with `secret`, or
 * one of several secrets, and its timestamp is at most `tolerance` seconds away from now.
 */
export function verify(
  payload: string | Uint8Array,
  header: string | null | undefined,
  secret: string | readonly string[],
  options: VerifyOptions = {},
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const [name, ...rest] = part.trim().split("=");
    const value = rest.join("=");
    if (name === "t") {
      if (!/^\d+$/.test(value)) return false;
      timestamp = Number(value);
    } else if (name === "v1" && HEX.test(value.toLowerCase()) && value.length % 2 === 0) {
      signatures.push(Buffer.from(value, "hex"));
    }
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - timestamp) > (options.tolerance ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const body = bytes(payload);
  const secrets = typeof secret === "string" ? [secret] : secret;
  for (const key of secrets) {
    const expected = mac(key, timestamp, body);
    for (const candidate of signatures) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return true;
    }
  }
  return false;
}
