"""A per-process cache of the catalog: it is small, read on every request, rarely changed."""

from __future__ import annotations

import asyncio

from models.catalog import Plan, Product
from models.errors import NotFound


class CatalogCache:
    def __init__(self) -> None:
        self._by_id: dict[int, Product] = {}
        self._by_code: dict[str, Product] = {}
        self._plans: dict[str, Plan] = {}
        self._loaded = False
        self._loading: asyncio.Future[None] | None = None

    def invalidate(self) -> None:
        self._loaded = False

    async def _load(self) -> None:
        """Read the catalog; concurrent callers share one read (single flight)."""
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._read())
            self._loading.add_done_callback(self._done_loading)
        await asyncio.shield(self._loading)

    def _done_loading(self, future: asyncio.Future[None]) -> None:
        self._loading = None
        if not future.cancelled():
            future.exception()  # retrieved here; the awaiting callers raise it

    async def _read(self) -> None:
        products = await Product.all().order_by("id")
        self._by_id = {p.id: p for p in products}
        self._by_code = {p.code: p for p in products}
        self._plans = {p.code: p for p in await Plan.all().order_by("id")}
        self._loaded = True

    async def products(self) -> list[Product]:
        if not self._loaded:
            await self._load()
        return list(self._by_id.values())

    async def plans(self) -> list[Plan]:
        if not self._loaded:
            await self._load()
        return list(self._plans.values())

    async def product_by_id(self, product_id: int) -> Product:
        if not self._loaded or product_id not in self._by_id:
            await self._load()  # loaded by another process since we last looked
        return self._by_id[product_id]

    def cached_product(self, product_id: int) -> Product | None:
        return self._by_id.get(product_id)

    async def product(self, code: str, *, field: tuple[str, ...] | None = None) -> Product:
        """The product with this code; NotFound (with the input field) when there is none."""
        if not self._loaded or code not in self._by_code:
            await self._load()
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound(f"Unknown product {code!r}.", field=field) from None


catalog = CatalogCache()
