// Subscribe to a tenant's seat events with graphql-ws and print them.
// usage: SEATGRAPH_URL=ws://127.0.0.1:8000/graphql SEATGRAPH_TOKEN=... TENANT_ID=... \
//        [AFTER=<cursor>] [COUNT=n] node notices.mjs
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const client = createClient({
  url: process.env.SEATGRAPH_URL ?? "ws://127.0.0.1:8000/graphql",
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${process.env.SEATGRAPH_TOKEN}` },
});

let remaining = Number(process.env.COUNT ?? Infinity);
const unsubscribe = client.subscribe(
  {
    query: `subscription($t: ID!, $after: String) {
      seatEvents(tenantId: $t, after: $after) { cursor sequence kind message } }`,
    variables: { t: process.env.TENANT_ID, after: process.env.AFTER ?? null },
  },
  {
    next: ({ data, errors }) => {
      if (errors) { console.error("error:", errors[0].message); process.exitCode = 1; return; }
      const e = data.seatEvents;
      console.log(`notice ${e.sequence} ${e.kind}: ${e.message} [cursor ${e.cursor}]`);
      if (--remaining === 0) { unsubscribe(); client.dispose(); }
    },
    error: (err) => { console.error("subscription failed:", err); process.exitCode = 1; },
    complete: () => {},
  },
);
