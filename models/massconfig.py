"""Mass configuration of phone-system licences from a CSV file.

Columns: ``Ext Key``, ``Number``, ``User``, then any number of ``Addon license N``.
Every row is validated first and every fault reported with its line, column and code;
if any row is bad nothing is applied. A valid file is applied in the caller's single
transaction: each user gets a phone_system licence (their existing one is reused), its
extension and number are set, and its add-ons are attached or detached to match.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from models.addons import attach_addon, release_addon
from models.auth import Actor
from models.catalog_cache import catalog
from models.enums import ChangeSource, ErrorCode, LicenseState, ProductKind, SeatEventKind
from models.errors import DomainError
from models.events import record_event
from models.licensing import grant
from models.phone import PHONE_PRODUCT, clean_extension, clean_number
from models.seats import License, SeatPool
from models.tenancy import User

FIXED = ["Ext Key", "Number", "User"]
_ADDON_COLUMN = re.compile(r"^addon license \d+$", re.IGNORECASE)
MAX_ROWS = 20_000
SAMPLE = (
    "Ext Key,Number,User,Addon license 1,Addon license 2,Addon license 3,Addon license 4\n"
    "101,6567891230,john@example.com,device_ip_phone,device_mobile_app,"
    "license_dnc_checking_enabled,call_recording\n"
    "102,6567891231,Alice,device_ip_phone,device_mobile_app,license_dnc_checking_enabled,"
    "call_recording\n"
    "104,6567891232,lucie@example.com,device_ip_phone,device_desktop_app,call_recording\n"
)


@dataclass
class RowError:
    line: int
    column: str | None
    code: ErrorCode
    message: str


@dataclass
class RowPlan:
    line: int
    user: User
    extension: str | None
    number: str | None
    addons: list[str]
    licence: License | None = None
    outcome: str = "UNCHANGED"


@dataclass
class Report:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False
    # add-ons currently attached, by base licence id and code
    attached: dict[int, dict[str, License]] = field(default_factory=dict)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


class Rejected(Exception):
    """Raised inside the transaction so that nothing is applied."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"{len(report.errors)} bad row(s)")
        self.report = report


def _read(text: str, report: Report) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        report.errors.append(
            RowError(reader.line_num, None, ErrorCode.INVALID_INPUT, f"Not CSV: {exc}")
        )
        return [], []
    if not rows:
        report.errors.append(RowError(1, None, ErrorCode.INVALID_INPUT, "The file is empty."))
        return [], []
    header = [h.strip() for h in rows[0][1]]
    if [h.lower() for h in header[:3]] != [h.lower() for h in FIXED]:
        report.errors.append(
            RowError(
                1, None, ErrorCode.INVALID_INPUT, f"The first columns must be {', '.join(FIXED)}."
            )
        )
    for name in header[3:]:
        if name and not _ADDON_COLUMN.match(name):
            report.errors.append(
                RowError(
                    1,
                    name,
                    ErrorCode.INVALID_INPUT,
                    f"Unknown column {name!r}: use 'Addon license N'.",
                )
            )
    body = [(line, row) for line, row in rows[1:] if any(c.strip() for c in row)]
    if len(body) > MAX_ROWS:
        report.errors.append(
            RowError(1, None, ErrorCode.INVALID_INPUT, f"At most {MAX_ROWS} rows per file.")
        )
    return header, body


async def validate(*, tenant_id: int, text: str) -> Report:
    """Check every row against the tenant's users, licences, catalog and free seats."""
    report = Report()
    header, body = _read(text, report)
    if report.errors:
        return report
    phone = await catalog.product(PHONE_PRODUCT)
    products = {p.code: p for p in await catalog.products()}
    users = await User.filter(tenant_id=tenant_id)
    by_email = {u.email: u for u in users}
    by_name: dict[str, list[User]] = {}
    for u in users:
        by_name.setdefault(u.name.strip().lower(), []).append(u)
    licences = await License.filter(tenant_id=tenant_id, product_id=phone.id).exclude(
        state=LicenseState.TERMINATED
    )
    held = {lic.assignee_id: lic for lic in licences if lic.assignee_id is not None}
    by_extension = {lic.extension: lic for lic in licences if lic.extension}
    by_number = {lic.number: lic for lic in licences if lic.number}
    attached: dict[int, dict[str, License]] = {}
    ids = [lic.id for lic in held.values()]
    for addon in await License.filter(base_id__in=ids or [-1], state=LicenseState.ASSIGNED):
        code = (await catalog.product_by_id(addon.product_id)).code
        attached.setdefault(addon.base_id or 0, {})[code] = addon

    def bad(line: int, column: str | None, code: ErrorCode, message: str) -> None:
        report.errors.append(RowError(line, column, code, message))

    seen_ext: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    seen_user: dict[int, int] = {}
    for line, cells in body:
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        errors_before = len(report.errors)
        extension = number = None
        try:
            extension = clean_extension(cells[0], ())
            if extension is None:
                bad(line, "Ext Key", ErrorCode.INVALID_INPUT, "Ext Key is required.")
        except DomainError as exc:
            bad(line, "Ext Key", exc.code, exc.message)
        try:
            number = clean_number(cells[1], ())
        except DomainError as exc:
            bad(line, "Number", exc.code, exc.message)
        user = None
        who = cells[2]
        if not who:
            bad(line, "User", ErrorCode.INVALID_INPUT, "User is required.")
        elif "@" in who:
            user = by_email.get(who.lower())
            if user is None:
                bad(line, "User", ErrorCode.NOT_FOUND, f"No user with e-mail {who}.")
        else:
            named = by_name.get(who.lower(), [])
            if not named:
                bad(line, "User", ErrorCode.NOT_FOUND, f"No user named {who!r}.")
            elif len(named) > 1:
                bad(
                    line,
                    "User",
                    ErrorCode.AMBIGUOUS_USER,
                    f"{len(named)} users are named {who!r}: use the e-mail address.",
                )
            else:
                user = named[0]
        if user is not None and not user.status.licensable:
            bad(
                line,
                "User",
                ErrorCode.USER_NOT_LICENSABLE,
                f"{user.email} has status {user.status.value} and cannot hold a licence.",
            )
        addons: list[str] = []
        for column, code in zip(header[3:], cells[3:], strict=False):
            if not code:
                continue
            product = products.get(code)
            if product is None:
                bad(line, column, ErrorCode.NOT_FOUND, f"Unknown add-on code {code!r}.")
            elif (
                product.kind is not ProductKind.ADDON or PHONE_PRODUCT not in product.base_products
            ):
                bad(
                    line,
                    column,
                    ErrorCode.ADDON_NOT_COMPATIBLE,
                    f"{code} cannot be attached to a {PHONE_PRODUCT} licence.",
                )
            elif code in addons:
                bad(line, column, ErrorCode.DUPLICATE, f"{code} appears twice on this row.")
            else:
                addons.append(code)
        for value, seen, column in (
            (extension, seen_ext, "Ext Key"),
            (number, seen_number, "Number"),
        ):
            if value is None:
                continue
            if value in seen:
                bad(line, column, ErrorCode.DUPLICATE, f"{value} is also on line {seen[value]}.")
            else:
                seen[value] = line
        if user is not None:
            if user.id in seen_user:
                bad(
                    line,
                    "User",
                    ErrorCode.DUPLICATE,
                    f"{user.email} is also on line {seen_user[user.id]}.",
                )
            else:
                seen_user[user.id] = line
        if len(report.errors) == errors_before and user is not None:
            report.rows.append(RowPlan(line, user, extension, number, addons, held.get(user.id)))

    # Extensions and numbers held by licences this file does not reconfigure.
    in_file = set(seen_user)
    for plan in report.rows:
        for value, owners, column in (
            (plan.extension, by_extension, "Ext Key"),
            (plan.number, by_number, "Number"),
        ):
            owner = owners.get(value) if value else None
            if owner is not None and owner.assignee_id not in in_file:
                bad(
                    plan.line,
                    column,
                    ErrorCode.DUPLICATE,
                    f"{value} is already used by licence {owner.uuid} in this tenant.",
                )

    # Free seats: phone licences, and add-ons (detaching frees seats before attaching).
    pools = {p.product_id: p for p in await SeatPool.filter(tenant_id=tenant_id)}

    def free(product_id: int) -> int | None:
        pool = pools.get(product_id)
        return 0 if pool is None else pool.available

    needing = [p for p in report.rows if p.licence is None]
    available = free(phone.id)
    if available is not None and len(needing) > available:
        missing = len(needing) - available
        bad(
            needing[available].line,
            "User",
            ErrorCode.SEAT_LIMIT_REACHED,
            f"Not enough free {PHONE_PRODUCT} licences: {len(needing)} needed, {available} free, "
            f"{missing} missing.",
        )
    wanted: dict[str, list[RowPlan]] = {}
    freed: dict[str, int] = {}
    for plan in report.rows:
        current = attached.get(plan.licence.id, {}) if plan.licence else {}
        for code in plan.addons:
            if code not in current:
                wanted.setdefault(code, []).append(plan)
        for code in current:
            if code not in plan.addons:
                freed[code] = freed.get(code, 0) + 1
        changed = (
            plan.licence is None
            or plan.licence.extension != plan.extension
            or plan.licence.number != plan.number
            or set(current) != set(plan.addons)
        )
        plan.outcome = (
            "CREATED" if plan.licence is None else ("UPDATED" if changed else "UNCHANGED")
        )
    for code, plans in sorted(wanted.items()):
        available = free(products[code].id)
        if available is None:
            continue
        available += freed.get(code, 0)
        if len(plans) > available:
            bad(
                plans[available].line,
                None,
                ErrorCode.SEAT_LIMIT_REACHED,
                f"Not enough free {code} licences: {len(plans)} needed, {available} free, "
                f"{len(plans) - available} missing.",
            )
    report.errors.sort(key=lambda e: (e.line, e.column or ""))
    report.attached = attached
    return report


async def mass_configure(
    *,
    actor: Actor,
    tenant_id: int,
    text: str,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Validate, then (unless ``dry_run`` or a row is bad) apply, inside the caller's
    transaction. Raises Rejected (carrying every row's faults) so that nothing is kept."""
    actor.require_admin_of(tenant_id, field=("input", "tenantId"))
    report = await validate(tenant_id=tenant_id, text=text)
    if report.errors:
        raise Rejected(report)
    if dry_run:
        return report
    phone = await catalog.product(PHONE_PRODUCT)
    attached = report.attached
    total = len(report.rows)
    for plan in report.rows:
        if plan.licence is None:
            plan.licence = (
                await grant(actor=actor, user=plan.user, product=phone, source=ChangeSource.IMPORT)
            ).license
    # Free every extension and number that moves, then set them: no transient clash.
    moving = [
        p
        for p in report.rows
        if p.licence and (p.licence.extension, p.licence.number) != (p.extension, p.number)
    ]
    if moving:
        await License.filter(id__in=[p.licence.id for p in moving if p.licence]).update(
            extension=None, number=None
        )
        for plan in moving:
            assert plan.licence is not None
            await License.filter(id=plan.licence.id).update(
                extension=plan.extension, number=plan.number
            )
    for plan in report.rows:  # detach first: it frees seats for the attaches below
        assert plan.licence is not None
        for code, addon in attached.get(plan.licence.id, {}).items():
            if code not in plan.addons:
                await release_addon(
                    addon=addon, base=plan.licence, actor=actor, source=ChangeSource.IMPORT
                )
    for i, plan in enumerate(report.rows, 1):
        assert plan.licence is not None
        current = attached.get(plan.licence.id, {})
        for code in plan.addons:
            if code not in current:
                await attach_addon(
                    actor=actor, base=plan.licence, product_code=code, source=ChangeSource.IMPORT
                )
        if progress is not None:
            progress(i, total)
    await record_event(
        tenant_id=tenant_id,
        kind=SeatEventKind.CONFIGURATION_IMPORTED,
        source=ChangeSource.IMPORT,
        actor_id=actor.user_id,
        product=PHONE_PRODUCT,
        message=(
            f"Phone configuration imported: {total} rows ({report.count('CREATED')} created, "
            f"{report.count('UPDATED')} updated, {report.count('UNCHANGED')} unchanged)."
        ),
    )
    report.applied = True
    return report


async def export_csv(*, actor: Actor, tenant_id: int) -> str:
    """The tenant's phone configuration in the import format (export -> edit -> import)."""
    actor.require_admin_of(tenant_id, field=("tenantId",))
    phone = await catalog.product(PHONE_PRODUCT)
    licences = await License.filter(
        tenant_id=tenant_id, product_id=phone.id, state=LicenseState.ASSIGNED
    ).order_by("extension", "id")
    users = {u.id: u for u in await User.filter(tenant_id=tenant_id)}
    addons: dict[int, list[str]] = {}
    attached = await License.filter(
        base_id__in=[lic.id for lic in licences] or [-1], state=LicenseState.ASSIGNED
    ).order_by("product_id")  # catalog order: the same file for the same configuration
    for addon in attached:
        if addon.base_id is not None:
            code = (await catalog.product_by_id(addon.product_id)).code
            addons.setdefault(addon.base_id, []).append(code)
    rows = []
    for lic in licences:
        if lic.extension is None or lic.assignee_id not in users:
            continue  # not configured yet: nothing to round-trip
        rows.append(
            [lic.extension, lic.number or "", users[lic.assignee_id].email, *addons.get(lic.id, [])]
        )
    width = max([len(r) - 3 for r in rows] + [1])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIXED + [f"Addon license {i}" for i in range(1, width + 1)])
    writer.writerows(rows)
    return out.getvalue()
