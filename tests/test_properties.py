"""Property-based: random sequences of seat operations never break the invariants.

A Hypothesis state machine drives the running server (assign, unassign, reassign,
resize, terminate, status changes, add-ons) and after every step checks, through the
API, that each pool's counter equals its assigned licences, that capacity holds unless
the pool was flagged over-allocated, and that only licensable users hold licences.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.support import Server, TenantFixture, new_tenant

PRODUCTS = ["bi_psa", "phone_system"]
STATUSES = ["ACTIVE", "LOCKED", "INACTIVE", "ROOM"]
STATE = """query($t: ID!) { tenant(id: $t) {
  seatPools { product { code } capacity assigned overAllocated }
  licenses(first: 100) { nodes { uuid state product { code kind } assignee { id status } base { uuid state } } }
  events(first: 100, kinds: [POOL_OVER_ALLOCATED]) { nodes { product } } } }"""


def machine(server: Server) -> type[RuleBasedStateMachine]:
    class Seats(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.t: TenantFixture = new_tenant(server, "Prop")
            self.users = [self.t.member_id, self.t.admin_id] + [
                self.t.add_user(f"p{i}@acme.example") for i in range(3)
            ]
            for code in PRODUCTS:
                self.t.set_capacity(code, 2)
            self.t.set_capacity("call_recording", 1)

        def licence_of(self, user: str, product: str) -> dict[str, Any] | None:
            for lic in self.state()["licenses"]["nodes"]:
                if (
                    lic["assignee"]
                    and lic["assignee"]["id"] == user
                    and lic["product"]["code"] == product
                ):
                    return dict(lic)
            return None

        def state(self) -> dict[str, Any]:
            return dict(self.t.operator.query(STATE, {"t": self.t.id})["tenant"])

        @rule(user=st.integers(0, 4), product=st.sampled_from(PRODUCTS), buy=st.booleans())
        def assign(self, user: int, product: str, buy: bool) -> None:
            self.t.admin.mutate(
                "assignLicense",
                {
                    "userId": self.users[user],
                    "product": product,
                    "increaseCapacity": buy,
                    "acceptTerms": buy,
                },
                "license { id }",
            )

        @rule(user=st.integers(0, 4), product=st.sampled_from(PRODUCTS))
        def unassign(self, user: int, product: str) -> None:
            self.t.admin.mutate(
                "unassignLicense",
                {"userId": self.users[user], "product": product},
                "license { id }",
            )

        @rule(a=st.integers(0, 4), b=st.integers(0, 4), product=st.sampled_from(PRODUCTS))
        def reassign(self, a: int, b: int, product: str) -> None:
            lic = self.licence_of(self.users[a], product)
            if lic is not None:
                lic_id = self.t.admin.query(
                    "query($t: ID!, $u: String!) { tenant(id: $t) { license(uuid: $u) { id } } }",
                    {"t": self.t.id, "u": lic["uuid"]},
                )["tenant"]["license"]["id"]
                self.t.admin.mutate(
                    "reassignLicense",
                    {"licenseId": lic_id, "userId": self.users[b]},
                    "license { id }",
                )

        @rule(product=st.sampled_from(PRODUCTS), capacity=st.integers(0, 4))
        def resize(self, product: str, capacity: int) -> None:
            self.t.operator.mutate(
                "adjustSeatCapacity",
                {"tenantId": self.t.id, "product": product, "capacity": capacity},
                "seatPool { id }",
            )

        @rule(product=st.sampled_from(PRODUCTS), force=st.booleans(), pick=st.integers(0, 10))
        def terminate(self, product: str, force: bool, pick: int) -> None:
            live = [
                lic
                for lic in self.state()["licenses"]["nodes"]
                if lic["product"]["code"] == product and lic["state"] != "TERMINATED"
            ]
            if live:
                self.t.admin.mutate(
                    "terminateLicense",
                    {"uuid": live[pick % len(live)]["uuid"], "force": force},
                    "license { id }",
                )

        @rule(user=st.integers(2, 4), status=st.sampled_from(STATUSES))
        def status(self, user: int, status: str) -> None:
            self.t.admin.mutate(
                "updateUser", {"userId": self.users[user], "status": status}, "user { id }"
            )

        @rule(user=st.integers(0, 4))
        def addon(self, user: int) -> None:
            lic = self.licence_of(self.users[user], "phone_system")
            if lic is not None:
                lic_id = self.t.admin.query(
                    "query($t: ID!, $u: String!) { tenant(id: $t) { license(uuid: $u) { id } } }",
                    {"t": self.t.id, "u": lic["uuid"]},
                )["tenant"]["license"]["id"]
                self.t.admin.mutate(
                    "attachAddon",
                    {"baseLicenseId": lic_id, "product": "call_recording"},
                    "addon { id }",
                )

        @invariant()
        def seats_hold(self) -> None:
            state = self.state()
            flagged = {e["product"] for e in state["events"]["nodes"]}
            licences = state["licenses"]["nodes"]
            for pool in state["seatPools"]:
                code = pool["product"]["code"]
                held = [
                    lic
                    for lic in licences
                    if lic["product"]["code"] == code and lic["state"] == "ASSIGNED"
                ]
                assert pool["assigned"] == len(held), (code, pool, len(held))
                if pool["capacity"] is not None and pool["assigned"] > pool["capacity"]:
                    assert (
                        code in flagged
                        and pool["overAllocated"] == pool["assigned"] - pool["capacity"]
                    )
            holders = [
                (lic["assignee"]["id"], lic["product"]["code"])
                for lic in licences
                if lic["assignee"]
            ]
            assert len(holders) == len(set(holders)), "a user holds two licences of one product"
            for lic in licences:
                if lic["assignee"]:
                    assert lic["state"] == "ASSIGNED" and lic["assignee"]["status"] in (
                        "ACTIVE",
                        "LOCKED",
                    )
                if lic["product"]["kind"] == "ADDON" and lic["state"] == "ASSIGNED":
                    assert lic["base"] is not None and lic["base"]["state"] != "TERMINATED"

    return Seats


def test_random_operation_sequences_keep_the_invariants(server: Server) -> None:
    run_state_machine_as_test(
        machine(server),
        settings=settings(
            max_examples=8,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
