"""Seatgraph from Python with gql: list pools, assign a licence, subscribe, resume.

usage: SEATGRAPH_URL=http://127.0.0.1:8000/graphql SEATGRAPH_TOKEN=<admin token> \\
       python seat_client.py USER_ID PRODUCT
"""

from __future__ import annotations

import asyncio
import os
import sys

from gql import Client, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport

URL = os.environ.get("SEATGRAPH_URL", "http://127.0.0.1:8000/graphql")
TOKEN = os.environ["SEATGRAPH_TOKEN"]
AUTH = {"Authorization": f"Bearer {TOKEN}"}

POOLS = gql(
    """{ viewer { tenant { id
         seatPools { product { code } capacity assigned available }
         events(first: 1) { edges { cursor } } } } }"""
)
ASSIGN = gql(
    """mutation($user: ID!, $product: String!) {
         assignLicense(input: {userId: $user, product: $product}) {
           license { uuid } seatPool { assigned available } userErrors { code message } } }"""
)
EVENTS = gql(
    """subscription($tenant: ID!, $after: String) {
         seatEvents(tenantId: $tenant, after: $after) { cursor sequence kind message } }"""
)


async def events(tenant: str, after: str | None, count: int, label: str) -> str | None:
    """Print ``count`` events after the cursor ``after``; return the last cursor."""
    transport = WebsocketsTransport(url=URL.replace("http", "ws", 1), init_payload=AUTH)
    async with Client(transport=transport) as session:
        async for data in session.subscribe(
            EVENTS, variable_values={"tenant": tenant, "after": after}
        ):
            event = data["seatEvents"]
            after = event["cursor"]
            print(f"{label} {event['sequence']} {event['kind']}: {event['message']}")
            count -= 1
            if count == 0:
                break
    return after


async def main(user_id: str, product: str) -> None:
    async with Client(transport=HTTPXAsyncTransport(url=URL, headers=AUTH)) as session:
        tenant = (await session.execute(POOLS))["viewer"]["tenant"]
        for pool in tenant["seatPools"]:
            print(f"pool {pool['product']['code']}: {pool['assigned']}/{pool['capacity']} assigned")
        answer = await session.execute(
            ASSIGN, variable_values={"user": user_id, "product": product}
        )
        errors = answer["assignLicense"]["userErrors"]
        print("assign:", errors[0]["code"] if errors else "ok")
    # Start after the first event of the log: one event, then the connection "drops"...
    first = tenant["events"]["edges"][0]["cursor"]
    cursor = await events(tenant["id"], first, 1, "event")
    # ...and the client resumes from its last cursor: nothing missed, nothing twice.
    await events(tenant["id"], cursor, int(os.environ.get("RESUME_COUNT", "1")), "resumed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    asyncio.run(main(sys.argv[1], sys.argv[2]))
