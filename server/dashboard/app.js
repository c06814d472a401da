// Seatgraph live seat dashboard: GraphQL over HTTP for the first picture, then
// seatEvents over graphql-transport-ws (hand-written, no build step) for live updates.
// On a lost connection it resubscribes with `after` = the last cursor: nothing is missed.
"use strict";

const httpUrl = new URL("../graphql", location.href).href;
const wsUrl = httpUrl.replace(/^http/, "ws");
const NOTICE_KINDS = new Set(["SEATS_ADJUSTED", "POOL_OVER_ALLOCATED", "SUBSCRIPTION_CREATED",
  "SUBSCRIPTION_CANCELLED", "BOOKING_PAGES_DISABLED", "PLAN_CHANGED"]);
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("seatgraph-token") || "";
let cursor = null;
let socket = null;

async function graphql(query, variables = {}) {
  const response = await fetch(httpUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}

function renderPool(pool) {
  let row = document.querySelector(`.pool[data-product="${pool.product}"]`);
  if (!row) {
    row = document.createElement("div");
    row.className = "pool";
    row.dataset.product = pool.product;
    row.innerHTML = `<div class="label"><strong class="name"></strong><span class="numbers"></span></div>
      <div class="track"><div class="fill"></div></div>`;
    row.querySelector(".name").textContent = pool.name || pool.product;
    $("pools").appendChild(row);
  }
  const unlimited = pool.capacity === null;
  const over = !unlimited && pool.assigned > pool.capacity;
  row.classList.toggle("over", over);
  row.querySelector(".numbers").textContent = unlimited
    ? `${pool.assigned} assigned (unlimited)`
    : `${pool.assigned} / ${pool.capacity} assigned, ${pool.available} available` +
      (over ? `, over-allocated by ${pool.assigned - pool.capacity}` : "");
  const width = unlimited ? 100 : pool.capacity === 0 ? 100 : Math.min(100, (100 * pool.assigned) / pool.capacity);
  row.querySelector(".fill").style.width = `${width}%`;
}

function addNotice(title, body, prepend = true) {
  const item = document.createElement("li");
  item.innerHTML = "<strong></strong> <span></span>";
  item.querySelector("strong").textContent = title;
  item.querySelector("span").textContent = body;
  if (prepend) $("notices").prepend(item); else $("notices").appendChild(item);
  while ($("notices").children.length > 10) $("notices").lastChild.remove();
}

function subscribe(tenantId) {
  socket = new WebSocket(wsUrl, "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "connection_ack") {
      $("status").textContent = "Live: seat events stream in as they happen.";
      socket.send(JSON.stringify({ id: "seats", type: "subscribe", payload: {
        query: `subscription($t: ID!, $after: String) { seatEvents(tenantId: $t, after: $after) {
          cursor kind message pool { product capacity assigned available } } }`,
        variables: { t: tenantId, after: cursor } } }));
    } else if (data.type === "next" && data.payload.data) {
      const event = data.payload.data.seatEvents;
      cursor = event.cursor;
      if (event.pool) renderPool(event.pool);
      if (NOTICE_KINDS.has(event.kind)) addNotice(event.kind.replaceAll("_", " ").toLowerCase(), event.message);
    } else if (data.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (data.type === "error") {
      $("status").textContent = `Subscription refused: ${data.payload[0].message}`;
    }
  };
  socket.onclose = () => {
    $("status").textContent = "Connection lost: resuming from the last event…";
    setTimeout(() => subscribe(tenantId), 1000);
  };
}

async function signIn(event) {
  if (event) event.preventDefault();
  token = $("token").value.trim() || token;
  sessionStorage.setItem("seatgraph-token", token);
  try {
    const data = await graphql(`{ viewer { user { email } tenant { id name
      seatPools { product { code name } capacity assigned available }
      notifications(first: 10) { nodes { title body } } events(first: 1) { totalCount } } } }`);
    const tenant = data.viewer.tenant;
    if (!tenant) throw new Error("this token belongs to no tenant");
    $("tenant").hidden = false;
    $("tenant-name").textContent = tenant.name;
    $("pools").innerHTML = "";
    $("notices").innerHTML = "";
    tenant.seatPools.forEach((p) => renderPool({ ...p, product: p.product.code, name: p.product.name }));
    tenant.notifications.nodes.forEach((n) => addNotice(n.title, n.body)); // newest ends on top
    // Resume live from the current end of the log.
    const last = await graphql(`query($t: ID!, $a: String) { tenant(id: $t) { events(first: 100, after: $a) { pageInfo { endCursor hasNextPage } } } }`,
      { t: tenant.id, a: null });
    cursor = null;
    let page = last.tenant.events.pageInfo;
    while (page.endCursor) {
      cursor = page.endCursor;
      if (!page.hasNextPage) break;
      page = (await graphql(`query($t: ID!, $a: String) { tenant(id: $t) { events(first: 100, after: $a) { pageInfo { endCursor hasNextPage } } } }`,
        { t: tenant.id, a: cursor })).tenant.events.pageInfo;
    }
    $("status").textContent = `Signed in as ${data.viewer.user.email}. Connecting…`;
    if (socket) { socket.onclose = null; socket.close(); }
    subscribe(tenant.id);
  } catch (error) {
    $("status").textContent = `Sign-in failed: ${error.message}`;
  }
}

$("signin").addEventListener("submit", signIn);
if (token) signIn();
