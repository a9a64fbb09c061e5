// The TypeScript client against a running callplane (tests/e2e/test_clients.py starts it and
// passes CALLPLANE_URL, CALLPLANE_PLATFORM_KEY and CALLPLANE_SANDBOX_URL).
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import { CallplaneError, SIGNATURE_HEADER, createCallplaneClient, unwrap, verify } from "../src/index.js";

function env(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through tests/e2e/test_clients.py`);
  return value;
}

interface Received {
  headers: IncomingMessage["headers"];
  body: Buffer;
}

/** A tenant app's events endpoint on 127.0.0.1. */
async function eventSink(): Promise<{ url: string; next: () => Promise<Received>; close: () => void }> {
  const waiting: ((r: Received) => void)[] = [];
  const arrived: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const got = { headers: req.headers, body: Buffer.concat(chunks) };
      const taker = waiting.shift();
      if (taker) taker(got);
      else arrived.push(got);
      res.writeHead(204).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callplane/events`,
    next: () => {
      const got = arrived.shift();
      if (got) return Promise.resolve(got);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no event within 20 s")), 20_000);
        waiting.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    close: () => server.close(),
  };
}

test("tenant, number, agent, and a signed event verified, through the running service", async () => {
  const baseUrl = env("CALLPLANE_URL");
  const platform = createCallplaneClient({ baseUrl, apiKey: env("CALLPLANE_PLATFORM_KEY") });

  const plan = unwrap(
    await platform.PUT("/v1/plans/{name}", {
      params: { path: { name: "ts-plan" } },
      body: { quota_phone_numbers: 2 },
    }),
  );
  assert.equal(plan.quota_phone_numbers, 2);
  const slug = `ts-${Date.now().toString(36)}`;
  const tenant = unwrap(await platform.POST("/v1/tenants", { body: { slug, name: "TS Co" } }));
  assert.equal(tenant.slug, slug);
  const tid = tenant.id;
  unwrap(
    await platform.PUT("/v1/tenants/{tid}/subscription", {
      params: { path: { tid } },
      body: { plan: "ts-plan", status: "active" },
    }),
  );
  const key = unwrap(
    await platform.POST("/v1/tenants/{tid}/api-keys", { params: { path: { tid } }, body: { role: "admin" } }),
  );
  assert.ok(key.key);
  const admin = createCallplaneClient({ baseUrl, apiKey: key.key });

  // A refused request: the error envelope, typed, with its stable code.
  const refused = await admin.POST("/v1/tenants", { body: { slug: "nope", name: "Nope" } });
  assert.equal(refused.response.status, 403);
  assert.equal(refused.error?.error.code, "forbidden");
  assert.throws(() => unwrap(refused), (e: unknown) => e instanceof CallplaneError && e.code === "forbidden");

  const found = unwrap(
    await admin.GET("/v1/tenants/{tid}/phone-numbers/available", {
      params: { path: { tid }, query: { country: "US", limit: 1 } },
    }),
  );
  const wanted = found.data[0]?.phone_number;
  assert.ok(wanted);
  const idempotency = `ts-buy-${tid}`;
  const buy = () =>
    admin.POST("/v1/tenants/{tid}/phone-numbers", {
      params: { path: { tid }, header: { "Idempotency-Key": idempotency } },
      body: { phone_number: wanted },
    });
  const bought = unwrap(await buy());
  assert.equal(bought.phone_number, wanted);
  assert.equal(bought.status, "active");
  const again = await buy();
  assert.equal(unwrap(again).id, bought.id);
  assert.equal(again.response.headers.get("Idempotent-Replayed"), "true");

  const sink = await eventSink();
  try {
    const agent = unwrap(
      await admin.POST("/v1/tenants/{tid}/agents", {
        params: { path: { tid } },
        body: {
          name: "TS agent",
          voice: { mode: "stream", stream_url: "wss://ai.example.com/ts" },
          events_url: sink.url,
        },
      }),
    );
    const secret = agent.events_secret;
    assert.ok(secret);
    const attached = unwrap(
      await admin.PATCH("/v1/tenants/{tid}/phone-numbers/{nid}", {
        params: { path: { tid, nid: bought.id } },
        body: { agent_id: agent.id },
      }),
    );
    assert.equal(attached.agent_id, agent.id);

    // "Twilio" calls the number: the sandbox's inbound-call control.
    const rang = await fetch(`${env("CALLPLANE_SANDBOX_URL")}/__sandbox/inbound/call`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ from: "+14155550199", to: bought.phone_number }),
    });
    assert.equal(rang.status, 200, await rang.text());

    const event = await sink.next();
    const header = event.headers[SIGNATURE_HEADER.toLowerCase()];
    assert.equal(typeof header, "string");
    const payload = JSON.parse(event.body.toString("utf8")) as { tenant_id: string; agent_id: string };
    assert.equal(payload.tenant_id, tid);
    assert.equal(payload.agent_id, agent.id);
    assert.ok(verify(event.body, header as string, secret));
    assert.ok(verify(event.body, header as string, ["whsec_old_secret", secret]));
    assert.ok(!verify(Buffer.concat([event.body, Buffer.from(" ")]), header as string, secret));
    assert.ok(!verify(event.body, header as string, "whsec_another_secret"));
    const t = Number(/t=(\d+)/.exec(header as string)?.[1]);
    assert.ok(!verify(event.body, header as string, secret, { now: t + 301 }));
  } finally {
    sink.close();
  }
});
