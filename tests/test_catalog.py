"""The catalog file: bundled content and validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models.catalog_file import DEFAULT_CATALOG, CatalogError, parse_catalog, validate_catalog


def test_bundled_catalog_has_the_domain_products_and_plans() -> None:
    spec = parse_catalog(DEFAULT_CATALOG)
    products = {p["code"]: p for p in spec.products}
    assert {
        "nextticket",
        "bi_psa",
        "bi_rmm",
        "scheduled_meeting",
        "live_engagement",
        "crm_user",
        "auto_attendant",
        "call_group",
        "developer",
        "phone_system",
        "call_recording",
        "device_desktop_app",
        "license_dnc_checking_enabled",
        "device_ip_phone",
        "device_mobile_app",
        "device_web_rtc",
        "license_number",
        "team_chat",
        "license_call_recording_unlimited_enabled",
    } == set(products)
    assert products["crm_user"]["assignment"].value == "BY_STATUS"
    assert all(
        p["base_products"] == ["phone_system"] for p in spec.products if p["kind"].value == "ADDON"
    )
    plans = {p["code"]: p for p in spec.plans}
    assert plans["startup"]["changeable_to"] == ["professional"]
    assert plans["professional"]["changeable_to"] == ["startup"]
    assert plans["bundle"]["changeable_to"] == [] and plans["a_la_carte"]["changeable_to"] == []


def _catalog(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 2,
        "products": [
            {"code": "base", "name": "Base", "kind": "BASE"},
            {"code": "extra", "name": "Extra", "kind": "ADDON", "base_products": ["base"]},
        ],
        "plans": [
            {
                "code": "p",
                "name": "P",
                "mode": "BUNDLE",
                "products": ["base"],
                "price_per_seat": "5.00",
            }
        ],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"version": 0}, "version: must be a positive integer"),
        (
            {"products": [{"code": "a", "name": "A", "kind": "BASE"}] * 2},
            "product 'a': duplicate code",
        ),
        (
            {"products": [{"code": "a", "name": "A", "kind": "THING"}]},
            "'THING' is not one of BASE, ADDON",
        ),
        (
            {"products": [{"code": "x", "name": "X", "kind": "ADDON", "base_products": ["nope"]}]},
            "'nope' is not a base product",
        ),
        (
            {"products": [{"code": "x", "name": "X", "kind": "ADDON"}]},
            "an add-on needs base_products",
        ),
        ({"products": [{"code": "x", "name": "X", "colour": "red"}]}, "unknown key(s) colour"),
        (
            {
                "plans": [
                    {
                        "code": "p",
                        "name": "P",
                        "mode": "BUNDLE",
                        "products": ["ghost"],
                        "price_per_seat": "1",
                    }
                ]
            },
            "unknown product 'ghost'",
        ),
        (
            {
                "plans": [
                    {
                        "code": "p",
                        "name": "P",
                        "mode": "BUNDLE",
                        "products": ["base"],
                        "price_per_seat": "-1",
                    }
                ]
            },
            "price_per_seat: must be a non-negative amount",
        ),
        (
            {
                "plans": [
                    {
                        "code": "p",
                        "name": "P",
                        "mode": "BUNDLE",
                        "products": ["base"],
                        "price_per_seat": "1",
                        "changeable_to": ["q"],
                    }
                ]
            },
            "'q' is not another plan",
        ),
    ],
)
def test_invalid_catalogs_list_every_problem(change: dict[str, Any], problem: str) -> None:
    with pytest.raises(CatalogError) as err:
        validate_catalog(_catalog(**change), "test.toml")
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_a_valid_catalog_passes() -> None:
    spec = validate_catalog(_catalog(), "test.toml")
    assert [p["code"] for p in spec.products] == ["base", "extra"]


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read file"):
        parse_catalog(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [")
    with pytest.raises(CatalogError, match="not valid toml"):
        parse_catalog(broken)
