"""The request context: relay, the authenticated actor and the DataLoaders."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

from models.auth import Actor
from models.events import UnitOfWork
from notifications.delivery import DeliveryWorker
from notifications.relay import EventRelay
from resolvers.loaders import Loaders


@dataclass
class Context:
    relay: EventRelay
    delivery: DeliveryWorker | None = None
    request: Any = None
    response: Any = None
    actor: Actor | None = None
    loaders: Loaders = field(default_factory=Loaders)
    connection_params: dict[str, Any] | None = None
    request_id: str = field(default_factory=lambda: secrets.token_hex(8))

    def require_actor(self) -> Actor:
        if self.actor is None:
            raise GraphQLError(
                "Authentication required: send `Authorization: Bearer <token>`.",
                extensions={"code": "UNAUTHENTICATED"},
            )
        return self.actor

    def publish(self, uow: UnitOfWork | None) -> None:
        """After commit: wake the relay for the tenants whose log grew."""
        if uow is not None and not uow.dry_run and uow.events:
            self.relay.wake(uow.tenant_ids)
            if self.delivery is not None:
                self.delivery.wake()
