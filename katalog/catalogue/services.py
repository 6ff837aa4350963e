"""Every write about products. Each runs in one transaction, writes its audit entry, and puts the
product in the search outbox in the same transaction; the index follows after commit."""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from katalog.accounts.selectors import Actor
from katalog.core import audit
from katalog.core.errors import NotAllowed, ValidationFailed
from katalog.core.money import round_money
from katalog.core.permissions import Permission
from katalog.core.workflow import require_reason
from katalog.messaging.services import link_to, send_to_vendor
from katalog.search import services as search_services
from katalog.vendors.models import Vendor

from . import stock as product_stock
from . import workflow
from .models import (
    Category,
    Claim,
    ClaimKind,
    FlagKind,
    Product,
    ProductFlag,
    ProductPhoto,
    ProductStatus,
    ProductVersion,
)
from .photos import process_photo

# The fields of a version (what a vendor writes); anything else is refused.
VERSION_FIELDS = (
    "name",
    "description",
    "category",
    "specifications",
    "unit",
    "price",
    "min_order",
    "lead_time_days",
    "delivery_area",
    "is_domestic",
    "tkdn_percent",
)


@dataclass
class ProductData:
    """What a form, the API or an import hands to the services, already cleaned."""

    name: str
    category: Category
    unit: str
    price: Decimal
    description: str = ""
    specifications: dict[str, str] = field(default_factory=dict)
    min_order: int = 1
    lead_time_days: int = 3
    delivery_area: list[str] = field(default_factory=list)
    is_domestic: bool = True
    tkdn_percent: Decimal | None = None
    claims: dict[str, str] = field(default_factory=dict)  # kind → certificate/permit number

    def version_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in VERSION_FIELDS}


def _reindex(product: Product) -> None:
    """Queue the product for the search index in this transaction; apply after commit."""
    search_services.enqueue(product.katalog_id, [product.pk])
    transaction.on_commit(apply_search_outbox)


def apply_search_outbox() -> None:
    from .selectors import search_documents

    search_services.apply_outbox(search_documents)


def _owns(actor: Actor, product_or_vendor) -> bool:
    vendor = product_or_vendor.vendor if isinstance(product_or_vendor, Product) else product_or_vendor
    return (
        actor.katalog is not None
        and vendor.katalog_id == actor.katalog.pk
        and actor.can(Permission.PRODUCT_EDIT_OWN)
        and actor.is_authenticated
        and vendor.users.filter(pk=actor.user.pk).exists()
    )


def _may_write(actor: Actor, product_or_vendor) -> bool:
    vendor = product_or_vendor.vendor if isinstance(product_or_vendor, Product) else product_or_vendor
    if actor.katalog is None or vendor.katalog_id != actor.katalog.pk:
        return False
    return actor.can(Permission.PRODUCT_IMPORT_ASSISTED) or _owns(actor, vendor)


def _check_category(actor_katalog_id: int, data: ProductData) -> None:
    if data.category.katalog_id != actor_katalog_id:
        raise ValidationFailed(_("Unknown category."), fields={"category": [_("Unknown category.")]})


def _write_version(*, actor: Actor, product: Product, data: ProductData) -> ProductVersion:
    number = (product.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ProductVersion.objects.create(
        product=product,
        number=number,
        created_by=actor.db_user,
        **data.version_fields(),
    )
    claims = dict(data.claims)
    if data.is_domestic:
        claims.setdefault(ClaimKind.PDN, "")
    if data.tkdn_percent is not None:
        claims.setdefault(ClaimKind.TKDN, "")
    previous = {c.kind: c for c in product.listed_version.claims.all()} if product.listed_version_id else {}
    for kind, number_text in claims.items():
        old = previous.get(kind)
        # A claim carried over unchanged from the version on sale keeps its verification.
        same = old is not None and old.number == number_text and old.verified_at is not None
        if kind == ClaimKind.TKDN and product.listed_version_id:
            same = same and product.listed_version.tkdn_percent == data.tkdn_percent
        Claim.objects.create(
            version=version,
            kind=kind,
            number=number_text,
            verified_at=old.verified_at if same else None,
            verified_by=old.verified_by if same else None,
        )
    _flag_price_jump(product=product, version=version)
    product.name = version.name
    product.latest_version = version
    return version


def _flag_price_jump(*, product: Product, version: ProductVersion) -> None:
    """KPK's pattern: a price raised just before a purchase. Compare with the lowest price of the
    product in the window (its versions of the last N days and the version on sale)."""
    since = timezone.now() - timedelta(days=settings.KATALOG_PRICE_JUMP_DAYS)
    recent = product.versions.filter(created_at__gte=since).exclude(pk=version.pk)
    low = recent.aggregate(p=Min("price"))["p"]
    if product.listed_version_id:
        listed = product.listed_version.price
        low = listed if low is None else min(low, listed)
    if low and version.price > low * (1 + Decimal(settings.KATALOG_PRICE_JUMP_RATIO)):
        ProductFlag.objects.create(
            katalog_id=product.katalog_id,
            product=product,
            version=version,
            kind=FlagKind.PRICE_JUMP,
            detail={
                "from": str(round_money(low)),
                "to": str(round_money(version.price)),
                "percent": str(((version.price / low - 1) * 100).quantize(Decimal("0.1"))),
            },
        )


@transaction.atomic
def product_create(*, actor: Actor, vendor: Vendor, data: ProductData, stock: int = 0) -> Product:
    """A new product (a draft) with its first version."""
    if not _may_write(actor, vendor):
        raise NotAllowed()
    _check_category(vendor.katalog_id, data)
    product = Product.objects.create(katalog_id=vendor.katalog_id, vendor=vendor, name=data.name, stock=stock)
    _write_version(actor=actor, product=product, data=data)
    product.save(update_fields=["name", "latest_version", "updated_at"])
    audit.record(actor=actor.user, action="product.create", obj=product, katalog=product.katalog)
    return product


@transaction.atomic
def product_update(*, actor: Actor, product: Product, data: ProductData, stock: int | None = None) -> Product:
    """Change a product: a new version. On a listed product the change goes to curation while the
    listed version stays on sale."""
    if not _may_write(actor, product):
        raise NotAllowed()
    product = Product.objects.select_for_update(of=("self",)).select_related("listed_version").get(pk=product.pk)
    if product.status in (ProductStatus.SUBMITTED, ProductStatus.FROZEN, ProductStatus.DELISTED):
        raise ValidationFailed(
            _("This product cannot be changed while it is “%(status)s”.") % {"status": product.get_status_display()},
            code="locked",
        )
    _check_category(product.katalog_id, data)
    current = product.latest_version
    changed = (
        current is None
        or any(getattr(current, f) != v for f, v in data.version_fields().items())
        or ({c.kind: c.number for c in current.claims.all()} != _claims_with_defaults(data))
    )
    if changed:
        _write_version(actor=actor, product=product, data=data)
        if product.status == ProductStatus.LISTED:
            product.submitted_at = timezone.now()
            product.status_reason = ""
    product.save()
    if stock is not None and stock != product.stock:
        # On hand only (a quantity, not a specification: no new version, not in the index), and
        # never below what orders hold: through the one module that changes stock.
        product_stock.set_on_hand(product, stock)
        audit.record(actor=actor.user, action="product.stock", obj=product, katalog=product.katalog, stock=stock)
    if changed:
        audit.record(
            actor=actor.user,
            action="product.update",
            obj=product,
            katalog=product.katalog,
            version=product.latest_version.number,
        )
    return product


def _claims_with_defaults(data: ProductData) -> dict[str, str]:
    claims = dict(data.claims)
    if data.is_domestic:
        claims.setdefault(ClaimKind.PDN, "")
    if data.tkdn_percent is not None:
        claims.setdefault(ClaimKind.TKDN, "")
    return claims


@transaction.atomic
def product_set_stock(*, actor: Actor, product: Product, stock: int) -> Product:
    """The vendor's stock on hand: a quantity, not a specification, so no new version; never below
    what orders hold (catalogue/stock.py)."""
    if not _may_write(actor, product):
        raise NotAllowed()
    product_stock.set_on_hand(product, stock)
    Product.objects.filter(pk=product.pk).update(updated_at=timezone.now())
    audit.record(actor=actor.user, action="product.stock", obj=product, katalog=product.katalog, stock=stock)
    return product


def _transition(*, actor: Actor, product: Product, action: str, reason: str = "") -> tuple[Product, str]:
    if actor.katalog is None or product.katalog_id != actor.katalog.pk:
        raise NotAllowed()
    vendor_side = action in (workflow.SUBMIT, workflow.WITHDRAW)
    if vendor_side and not _may_write(actor, product):
        raise NotAllowed()
    if not vendor_side and not actor.can(Permission.PRODUCT_CURATE):
        raise NotAllowed()
    product = (
        Product.objects.select_for_update(of=("self",))
        .select_related("vendor", "listed_version", "latest_version")
        .get(pk=product.pk)
    )
    old = product.status
    target = workflow.next_status(product=product, action=action, roles=actor.roles)
    if action in workflow.NEEDS_REASON:
        reason = require_reason(reason, limit=1000)
    product.status = target
    product.status_reason = reason
    return product, old


def _finish(*, actor: Actor, product: Product, old: str, action: str, **extra) -> Product:
    if action in (workflow.APPROVE, workflow.REJECT, workflow.REQUEST_REVISION):
        # The curator has decided on what the flags pointed at: they leave the queue.
        product.flags.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    product.save()
    _reindex(product)
    audit.record(
        actor=actor.user,
        action=f"product.{action}",
        obj=product,
        katalog=product.katalog,
        old=old,
        new=product.status,
        reason=product.status_reason,
        **extra,
    )
    return product


@transaction.atomic
def product_submit(*, actor: Actor, product: Product) -> Product:
    """Send a product to the curation queue. Its vendor must be verified."""
    # Who may, and from which state, first: an outsider learns nothing about the vendor.
    product, old = _transition(actor=actor, product=product, action=workflow.SUBMIT)
    if not product.vendor.is_verified:
        raise ValidationFailed(
            _("Only verified vendors can list products. Your registration is still being checked."),
            code="vendor_not_verified",
        )
    if product.latest_version_id is None:
        raise ValidationFailed(_("The product has no details yet."), code="incomplete")
    product.submitted_at = timezone.now()
    return _finish(actor=actor, product=product, old=old, action="submit")


@transaction.atomic
def product_approve(*, actor: Actor, product: Product, verify_claims: list[str] | None = None) -> Product:
    """Put the newest version on sale (listing, a pending change, or unfreezing). The claims named
    in `verify_claims` (all of them when None) are marked verified by this curator."""
    product, old = _transition(actor=actor, product=product, action=workflow.APPROVE)
    now = timezone.now()
    if old != ProductStatus.FROZEN:
        version = product.latest_version
        claims = version.claims.filter(verified_at__isnull=True)
        if verify_claims is not None:
            claims = claims.filter(kind__in=verify_claims)
        claims.update(verified_at=now, verified_by=actor.db_user)
        version.approved_at = now
        version.save(update_fields=["approved_at"])
        product.listed_version = version
    product.listed_at = product.listed_at if old == ProductStatus.FROZEN else now
    product.curated_by = actor.db_user
    product = _finish(actor=actor, product=product, old=old, action="approve", version=product.listed_version.number)
    _tell(product, "product.approved", _("Your product %(name)s is approved and on sale."), page="catalogue:product")
    return product


def _drop_pending(product: Product) -> None:
    if product.has_pending_change:
        product.latest_version = product.listed_version
        product.name = product.listed_version.name


@transaction.atomic
def product_request_revision(*, actor: Actor, product: Product, reason: str) -> Product:
    product, old = _transition(actor=actor, product=product, action=workflow.REQUEST_REVISION, reason=reason)
    _drop_pending(product)
    product = _finish(actor=actor, product=product, old=old, action="request-revision")
    _tell(product, "product.revision_requested", _("Your product %(name)s was sent back for a change: %(reason)s"))
    return product


@transaction.atomic
def product_reject(*, actor: Actor, product: Product, reason: str) -> Product:
    product, old = _transition(actor=actor, product=product, action=workflow.REJECT, reason=reason)
    _drop_pending(product)
    product = _finish(actor=actor, product=product, old=old, action="reject")
    _tell(product, "product.rejected", _("Your product %(name)s was rejected. Reason: %(reason)s"))
    return product


@transaction.atomic
def product_freeze(*, actor: Actor, product: Product, reason: str) -> Product:
    product, old = _transition(actor=actor, product=product, action=workflow.FREEZE, reason=reason)
    product = _finish(actor=actor, product=product, old=old, action="freeze")
    _tell(product, "product.frozen", _("Your product %(name)s is frozen: buyers cannot order it. Reason: %(reason)s"))
    return product


@transaction.atomic
def product_delist(*, actor: Actor, product: Product, reason: str) -> Product:
    product, old = _transition(actor=actor, product=product, action=workflow.DELIST, reason=reason)
    product = _finish(actor=actor, product=product, old=old, action="delist")
    _tell(product, "product.delisted", _("Your product %(name)s was removed from the catalogue. Reason: %(reason)s"))
    return product


def _tell(product: Product, kind: str, text: str, page: str = "catalogue:edit") -> None:
    """Message the product's vendor about a curation decision (sent by the worker after the commit)."""
    send_to_vendor(
        vendor=product.vendor,
        subject=_("%(catalogue)s: your product") % {"catalogue": product.katalog.name},
        text=text % {"name": product.name, "reason": product.status_reason},
        link=link_to(product.katalog, page, product.pk),
        kind=kind,
    )


@transaction.atomic
def product_withdraw(*, actor: Actor, product: Product, reason: str = "") -> Product:
    product, old = _transition(actor=actor, product=product, action=workflow.WITHDRAW, reason=reason)
    return _finish(actor=actor, product=product, old=old, action="withdraw")


TRANSITION_SERVICES = {
    workflow.SUBMIT: product_submit,
    workflow.APPROVE: product_approve,
    workflow.REQUEST_REVISION: product_request_revision,
    workflow.REJECT: product_reject,
    workflow.FREEZE: product_freeze,
    workflow.DELIST: product_delist,
    workflow.WITHDRAW: product_withdraw,
}


@transaction.atomic
def product_add_photo(*, actor: Actor, product: Product, upload) -> ProductPhoto:
    if not _may_write(actor, product):
        raise NotAllowed()
    try:
        image, thumb, width, height = process_photo(upload)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code=exc.code or "invalid", fields={"photo": exc.messages}) from exc
    position = product.photos.count()
    photo = ProductPhoto(product=product, token=secrets.token_hex(8), width=width, height=height, position=position)
    photo.image.save("-full.jpg", image, save=False)
    photo.thumbnail.save("-thumb.jpg", thumb, save=False)
    photo.save()
    if product.status == ProductStatus.LISTED:
        _reindex(product)
    audit.record(actor=actor.user, action="product.photo", obj=product, katalog=product.katalog)
    return photo


@transaction.atomic
def product_remove_photo(*, actor: Actor, photo: ProductPhoto) -> None:
    """Remove one photo of a product (and its files); the search card follows."""
    product = photo.product
    if not _may_write(actor, product):
        raise NotAllowed()
    files = [(f.storage, f.name) for f in (photo.image, photo.thumbnail) if f]
    photo.delete()
    # The files go once the removal is committed: a rollback must not leave a row without its file.
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    if product.status == ProductStatus.LISTED:
        _reindex(product)
    audit.record(actor=actor.user, action="product.photo_removed", obj=product, katalog=product.katalog)


def _parse_attributes(text: str) -> list[dict[str, str]]:
    """`key: Label` per line → [{"key", "label"}] (a line without a colon is its own key)."""
    attributes = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, _sep, label = line.partition(":")
        key = key.strip().lower()[:40]
        attributes.append({"key": key, "label": (label.strip() or key)[:80]})
    return attributes


@transaction.atomic
def category_save(
    *,
    actor: Actor,
    name: str,
    code: str,
    parent: Category | None = None,
    attributes_text: str = "",
    category: Category | None = None,
) -> Category:
    """Create or rename a category of the tenant's tree (three levels at most)."""
    if not actor.can(Permission.CATEGORY_MANAGE) or actor.katalog is None:
        raise NotAllowed()
    katalog = actor.katalog
    if parent is not None and parent.katalog_id != katalog.pk:
        raise NotAllowed()
    level = (parent.level + 1) if parent else 1
    if level > 3:
        raise ValidationFailed(
            _("Categories go three levels deep at most."),
            code="too_deep",
            fields={"parent": [_("Choose a higher-level parent.")]},
        )
    code = code.strip().upper()[:30]
    clash = Category.objects.filter(katalog=katalog, code=code).exclude(pk=category.pk if category else None)
    if clash.exists():
        raise ValidationFailed(
            _("Another category uses the code %(code)s.") % {"code": code},
            code="code_taken",
            fields={"code": [_("This code is taken.")]},
        )
    if category is None:
        category = Category(katalog=katalog)
    elif category.katalog_id != katalog.pk:
        raise NotAllowed()
    moved = category.pk is not None and category.parent_id != (parent.pk if parent else None)
    if moved and category.children.exists():
        raise ValidationFailed(
            _("Move or empty its sub-categories first."),
            code="has_children",
            fields={"parent": [_("This category has sub-categories.")]},
        )
    category.name, category.code, category.parent, category.level = name.strip()[:120], code, parent, level
    category.required_attributes = _parse_attributes(attributes_text)
    category.save()
    # The category path (names) is part of each listed product's search entry: refresh them.
    subtree = (
        Q(listed_version__category=category)
        | Q(listed_version__category__parent=category)
        | Q(listed_version__category__parent__parent=category)
    )
    ids = list(Product.objects.filter(subtree).values_list("pk", flat=True))
    if ids:
        search_services.enqueue(katalog.pk, ids)
        transaction.on_commit(apply_search_outbox)
    audit.record(actor=actor.user, action="category.save", obj=category, katalog=katalog, code=code)
    return category
