"""Reading, validating and loading a catalog file (TOML or JSON)."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from models.catalog import CatalogVersion, Plan, Product
from models.enums import AssignmentMode, PlanMode, ProductKind

DEFAULT_CATALOG = Path(__file__).with_name("catalog.toml")


class CatalogError(Exception):
    """A catalog file that cannot be loaded; ``problems`` lists every fault found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


@dataclass
class CatalogSpec:
    version: int
    products: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    source: str = ""


@dataclass
class LoadReport:
    version: int
    products_added: list[str] = field(default_factory=list)
    products_updated: list[str] = field(default_factory=list)
    plans_added: list[str] = field(default_factory=list)
    plans_updated: list[str] = field(default_factory=list)
    kept_unlisted: list[str] = field(default_factory=list)


_PRODUCT_KEYS = {"code", "name", "kind", "assignment", "base_products", "price_per_seat"}
_PLAN_KEYS = {"code", "name", "mode", "products", "price_per_seat", "currency", "changeable_to"}


def _enum(value: Any, enum: type[Any], where: str, problems: list[str]) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        problems.append(f"{where}: {value!r} is not one of {allowed}")
        return None


def _str_list(value: Any, where: str, problems: list[str]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: expected a list of codes")
        return []
    return list(value)


def _price(value: Any, where: str, problems: list[str]) -> Decimal:
    try:
        price = Decimal(str(value))
        if price < 0 or not price.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        problems.append(f"{where}: must be a non-negative amount")
        return Decimal(0)
    return price.quantize(Decimal("0.01"))


def parse_catalog(path: Path) -> CatalogSpec:
    """Parse and validate a catalog file; raise CatalogError listing every problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(source, [f"cannot read file: {exc.strerror}"]) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(
            source, [f"not valid {path.suffix.lstrip('.') or 'toml'}: {exc}"]
        ) from None
    return validate_catalog(data, source)


def validate_catalog(data: Any, source: str) -> CatalogSpec:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise CatalogError(source, ["top level must be a table/object"])
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("version: must be a positive integer")
    products = data.get("products") or []
    plans = data.get("plans") or []
    if not isinstance(products, list) or not products:
        problems.append("products: at least one product is required")
        products = []
    if not isinstance(plans, list):
        problems.append("plans: must be a list")
        plans = []

    catalog_currency = data.get("currency", "USD")
    valid = isinstance(catalog_currency, str) and len(catalog_currency) == 3
    if not valid or not catalog_currency.isupper():
        problems.append("currency: must be a 3-letter ISO code")
        catalog_currency = "USD"
    clean_products: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(products):
        where = f"products[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        unknown = set(raw) - _PRODUCT_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        code = raw.get("code")
        if not isinstance(code, str) or not code or not code.replace("_", "").isalnum():
            problems.append(f"{where}.code: must be a non-empty code of letters, digits and _")
            continue
        where = f"product {code!r}"
        if code in seen:
            problems.append(f"{where}: duplicate code")
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: required")
        kind = _enum(raw.get("kind", "BASE"), ProductKind, f"{where}.kind", problems)
        assignment = _enum(
            raw.get("assignment", "EXPLICIT"), AssignmentMode, f"{where}.assignment", problems
        )
        bases = _str_list(raw.get("base_products", []), f"{where}.base_products", problems)
        if kind is ProductKind.ADDON and not bases:
            problems.append(f"{where}: an add-on needs base_products")
        if kind is ProductKind.BASE and bases:
            problems.append(f"{where}: only add-ons have base_products")
        if kind is ProductKind.ADDON and assignment is AssignmentMode.BY_STATUS:
            problems.append(f"{where}: an add-on cannot be assigned BY_STATUS")
        seen[code] = kind.value if kind else ""
        clean_products.append(
            {
                "code": code,
                "name": name,
                "kind": kind,
                "assignment": assignment,
                "base_products": bases,
                "price_per_seat": _price(
                    raw.get("price_per_seat", "0"), f"{where}.price_per_seat", problems
                ),
            }
        )
    for p in clean_products:
        for base in p["base_products"]:
            if seen.get(base) != ProductKind.BASE.value:
                problems.append(
                    f"product {p['code']!r}.base_products: {base!r} is not a base product"
                )

    clean_plans: list[dict[str, Any]] = []
    plan_codes = {p.get("code") for p in plans if isinstance(p, dict)}
    seen_plans: set[str] = set()
    for i, raw in enumerate(plans):
        where = f"plans[{i}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: must be a table")
            continue
        unknown = set(raw) - _PLAN_KEYS
        if unknown:
            problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        code = raw.get("code")
        if not isinstance(code, str) or not code:
            problems.append(f"{where}.code: required")
            continue
        where = f"plan {code!r}"
        if code in seen_plans:
            problems.append(f"{where}: duplicate code")
            continue
        seen_plans.add(code)
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name: required")
        mode = _enum(raw.get("mode"), PlanMode, f"{where}.mode", problems)
        included = _str_list(raw.get("products", []), f"{where}.products", problems)
        if not included:
            problems.append(f"{where}.products: at least one product")
        for c in included:
            if c not in seen:
                problems.append(f"{where}.products: unknown product {c!r}")
        price = _price(raw.get("price_per_seat"), f"{where}.price_per_seat", problems)
        currency = raw.get("currency", catalog_currency)
        if currency != catalog_currency:
            problems.append(
                f"{where}.currency: {currency!r} differs from the catalog's {catalog_currency!r}"
            )
        changeable = _str_list(raw.get("changeable_to", []), f"{where}.changeable_to", problems)
        for c in changeable:
            if c not in plan_codes or c == code:
                problems.append(f"{where}.changeable_to: {c!r} is not another plan")
        clean_plans.append(
            {
                "code": code,
                "name": name,
                "mode": mode,
                "products": included,
                "price_per_seat": price,
                "currency": currency,
                "changeable_to": changeable,
            }
        )
    if problems:
        raise CatalogError(source, problems)
    assert isinstance(version, int)
    return CatalogSpec(version=version, products=clean_products, plans=clean_plans, source=source)


async def load_catalog(spec: CatalogSpec) -> LoadReport:
    """Upsert the catalog in one transaction. Products and plans missing from the file
    are kept (licences may refer to them); a product's kind never changes in place."""
    report = LoadReport(version=spec.version)
    async with in_transaction():
        existing = {p.code: p for p in await Product.all()}
        for p in spec.products:
            row = existing.get(p["code"])
            if row is None:
                await Product.create(**p)
                report.products_added.append(p["code"])
                continue
            if row.kind != p["kind"]:
                raise CatalogError(
                    spec.source,
                    [
                        f"product {p['code']!r}: kind cannot change from "
                        f"{row.kind.value} to {p['kind'].value}"
                    ],
                )
            changed = {k: v for k, v in p.items() if getattr(row, k) != v}
            if changed:
                await Product.filter(id=row.id).update(**changed)
                report.products_updated.append(p["code"])
        listed = {p["code"] for p in spec.products}
        report.kept_unlisted = sorted(set(existing) - listed)
        existing_plans = {p.code: p for p in await Plan.all()}
        for p in spec.plans:
            plan_row = existing_plans.get(p["code"])
            if plan_row is None:
                await Plan.create(**p)
                report.plans_added.append(p["code"])
                continue
            changed = {k: v for k, v in p.items() if getattr(plan_row, k) != v}
            if changed:
                await Plan.filter(id=plan_row.id).update(**changed)
                report.plans_updated.append(p["code"])
        await CatalogVersion.create(version=spec.version, source=spec.source[:500])
    from models.catalog_cache import catalog

    catalog.invalidate()
    return report


async def ensure_default_catalog() -> LoadReport | None:
    """Load the bundled catalog unless a catalog was ever loaded into this database."""
    if await CatalogVersion.exists():
        return None
    return await load_catalog(parse_catalog(DEFAULT_CATALOG))
