"""Product services: immutable versions, curation transitions, pending changes, claims, flags."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from katalog.accounts.selectors import system_actor
from katalog.catalogue import services
from katalog.catalogue.models import Claim, Product, ProductFlag, ProductStatus, ProductVersion
from katalog.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from katalog.core.models import AuditLog
from katalog.vendors.models import VendorStatus
from tests import factories as f

S = ProductStatus


def state(product):
    p = Product.objects.get(pk=product.pk)
    return (p.status, p.status_reason, p.listed_version_id, p.latest_version_id, p.name)


# --- Versions ------------------------------------------------------------------------------------


def test_a_new_product_is_a_draft_with_its_first_version(shop, owner, paper):
    product = services.product_create(
        actor=f.actor(owner),
        vendor=shop,
        stock=7,
        data=f.product_data(paper, name="Kertas HVS A4", price="55000", specifications={"Ukuran": "A4"}),
    )
    version = product.latest_version
    assert (product.status, product.stock, product.listed_version_id) == (S.DRAFT, 7, None)
    assert (version.number, version.name, version.price, version.specifications) == (
        1,
        "Kertas HVS A4",
        Decimal("55000"),
        {"Ukuran": "A4"},
    )
    assert (version.created_by, version.approved_at) == (owner, None)
    assert AuditLog.objects.filter(action="product.create", object_id=str(product.pk)).count() == 1


def test_a_version_refuses_to_be_updated(shop, paper):
    product = f.make_product(shop, paper, price="55000")
    version = ProductVersion.objects.get(pk=product.listed_version_id)
    version.price = Decimal("1")
    with pytest.raises(ValueError, match="immutable"):
        version.save()
    with pytest.raises(ValueError, match="immutable"):
        version.save(update_fields=["price"])
    assert ProductVersion.objects.get(pk=version.pk).price == Decimal("55000")


def test_every_change_is_a_new_version_and_saving_the_same_is_not(shop, owner, paper):
    me = f.actor(owner)
    product = services.product_create(actor=me, vendor=shop, data=f.product_data(paper, price="55000"))
    services.product_update(actor=me, product=product, data=f.product_data(paper, price="55000"))
    assert list(product.versions.values_list("number", "price")) == [(1, Decimal("55000"))]
    services.product_update(actor=me, product=product, data=f.product_data(paper, price="56000"))
    assert list(product.versions.values_list("number", "price")) == [
        (1, Decimal("55000")),
        (2, Decimal("56000")),
    ]
    assert Product.objects.get(pk=product.pk).latest_version.number == 2


def test_stock_changes_without_a_new_version(shop, owner, paper):
    product = f.make_product(shop, paper, stock=10)
    services.product_set_stock(actor=f.actor(owner), product=product, stock=3)
    assert Product.objects.get(pk=product.pk).stock == 3
    assert product.versions.count() == 1
    with pytest.raises(ValidationFailed):
        services.product_set_stock(actor=f.actor(owner), product=product, stock=-1)
    assert Product.objects.get(pk=product.pk).stock == 3


@pytest.mark.parametrize("role", [r for r in f.ALL_ROLES if r not in ("penyedia", "catalogue_manager")])
def test_only_the_owner_or_the_desk_writes_a_product(users, shop, paper, role):
    product = f.make_product(shop, paper, listed=False)
    with pytest.raises(NotAllowed):
        services.product_update(actor=f.actor(users[role]), product=product, data=f.product_data(paper, price="1"))
    with pytest.raises(NotAllowed):
        services.product_create(actor=f.actor(users[role]), vendor=shop, data=f.product_data(paper))
    assert list(Product.objects.values_list("pk", flat=True)) == [product.pk]
    assert product.versions.count() == 1


def test_another_vendor_cannot_write_my_product(medan, shop, paper):
    stranger = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[stranger])
    product = f.make_product(shop, paper, listed=False)
    with pytest.raises(NotAllowed):
        services.product_update(actor=f.actor(stranger), product=product, data=f.product_data(paper, price="1"))
    with pytest.raises(NotAllowed):
        services.product_submit(actor=f.actor(stranger), product=product)
    assert state(product)[0] == S.DRAFT and product.versions.count() == 1


def test_a_category_of_another_tenant_is_refused(binjai, shop, owner):
    theirs = f.make_category(binjai, "Alat Tulis Kantor")
    with pytest.raises(ValidationFailed) as err:
        services.product_create(actor=f.actor(owner), vendor=shop, data=f.product_data(theirs))
    assert list(err.value.fields) == ["category"]
    assert not Product.objects.exists()


# --- Curation ------------------------------------------------------------------------------------


def test_a_product_goes_from_draft_to_listed(shop, owner, manager, paper):
    product = f.make_product(shop, paper, listed=False)
    product = services.product_submit(actor=f.actor(owner), product=product)
    assert (product.status, product.submitted_at is not None) == (S.SUBMITTED, True)
    product = services.product_approve(actor=f.actor(manager), product=product)
    p = Product.objects.get(pk=product.pk)
    assert (p.status, p.listed_version_id, p.curated_by) == (S.LISTED, p.latest_version_id, manager)
    assert p.listed_version.approved_at is not None and p.listed_at is not None
    actions = list(AuditLog.objects.filter(object_id=str(p.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["product.create", "product.submit", "product.approve"]


def test_only_verified_vendors_can_submit(medan, users, paper):
    owner = users["penyedia"]
    vendor = f.make_vendor(medan, users=[owner], status=VendorStatus.SUBMITTED)
    product = services.product_create(actor=f.actor(owner), vendor=vendor, data=f.product_data(paper))
    with pytest.raises(ValidationFailed) as err:
        services.product_submit(actor=f.actor(owner), product=product)
    assert err.value.code == "vendor_not_verified"
    assert state(product)[0] == S.DRAFT


@pytest.mark.parametrize("service", ["product_reject", "product_request_revision", "product_freeze", "product_delist"])
def test_a_curator_decision_needs_a_reason(shop, manager, paper, service):
    product = f.make_product(shop, paper, listed=service in ("product_freeze", "product_delist"), submitted=True)
    before = state(product)
    with pytest.raises(ValidationFailed) as err:
        getattr(services, service)(actor=f.actor(manager), product=product, reason="   ")
    assert err.value.code == "reason_required"
    assert state(product) == before


def test_a_transition_outside_the_table_is_refused(shop, owner, manager, paper):
    draft = f.make_product(shop, paper, listed=False)
    listed = f.make_product(shop, paper, name="Map Plastik")
    with pytest.raises(TransitionNotAllowed):
        services.product_approve(actor=f.actor(manager), product=draft)
    with pytest.raises(TransitionNotAllowed):
        services.product_withdraw(actor=f.actor(owner), product=draft)
    with pytest.raises(TransitionNotAllowed):  # no pending change to reject
        services.product_reject(actor=f.actor(manager), product=listed, reason="Harga tidak wajar")
    assert state(draft)[0] == S.DRAFT and state(listed)[:2] == (S.LISTED, "")


def test_the_vendor_cannot_curate_and_the_curator_cannot_withdraw(shop, owner, manager, paper):
    submitted = f.make_product(shop, paper, listed=False, submitted=True)
    listed = f.make_product(shop, paper, name="Map Plastik")
    with pytest.raises(NotAllowed):
        services.product_approve(actor=f.actor(owner), product=submitted)
    with pytest.raises(NotAllowed):
        services.product_withdraw(actor=f.actor(manager), product=listed)
    assert state(submitted)[0] == S.SUBMITTED and state(listed)[0] == S.LISTED


def test_another_tenants_curator_cannot_decide(binjai, shop, paper):
    product = f.make_product(shop, paper, listed=False, submitted=True)
    with pytest.raises(NotAllowed):
        services.product_approve(actor=f.actor(f.make_user(binjai, "catalogue_manager")), product=product)
    assert state(product)[0] == S.SUBMITTED


def test_freeze_then_unfreeze_keeps_the_listed_version(shop, manager, paper):
    product = f.make_product(shop, paper)
    listed_version, listed_at = product.listed_version_id, Product.objects.get(pk=product.pk).listed_at
    product = services.product_freeze(actor=f.actor(manager), product=product, reason="Laporan KPK")
    assert state(product)[:3] == (S.FROZEN, "Laporan KPK", listed_version)
    product = services.product_approve(actor=f.actor(manager), product=product)
    p = Product.objects.get(pk=product.pk)
    assert (p.status, p.listed_version_id, p.listed_at) == (S.LISTED, listed_version, listed_at)


def test_a_withdrawn_product_can_be_submitted_again(shop, owner, paper):
    product = f.make_product(shop, paper)
    product = services.product_withdraw(actor=f.actor(owner), product=product)
    assert state(product)[0] == S.WITHDRAWN
    product = services.product_submit(actor=f.actor(owner), product=product)
    assert state(product)[0] == S.SUBMITTED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.FROZEN, S.DELISTED])
def test_a_product_under_a_decision_cannot_be_changed(shop, owner, manager, paper, status):
    product = f.make_product(shop, paper, listed=status != S.SUBMITTED, submitted=True, price="55000")
    if status == S.FROZEN:
        services.product_freeze(actor=f.actor(manager), product=product, reason="Diperiksa")
    if status == S.DELISTED:
        services.product_delist(actor=f.actor(manager), product=product, reason="Tidak dijual lagi")
    with pytest.raises(ValidationFailed) as err:
        services.product_update(actor=f.actor(owner), product=product, data=f.product_data(paper, price="60000"))
    assert err.value.code == "locked"
    assert product.versions.count() == 1


# --- A change to a listed product ----------------------------------------------------------------


@pytest.fixture
def changed(shop, owner, paper):
    """A listed product (Rp55.000) whose vendor raised the price to Rp60.000 and renamed it."""
    product = f.make_product(shop, paper, name="Kertas HVS A4", price="55000")
    services.product_update(
        actor=f.actor(owner),
        product=product,
        data=f.product_data(paper, name="Kertas HVS A4 Premium", price="60000"),
    )
    return Product.objects.get(pk=product.pk)


def test_a_change_to_a_listed_product_waits_while_the_old_version_stays_on_sale(changed, manager):
    assert changed.status == S.LISTED and changed.has_pending_change
    assert (changed.listed_version.number, changed.listed_version.price) == (1, Decimal("55000"))
    assert (changed.latest_version.number, changed.latest_version.price) == (2, Decimal("60000"))
    assert changed.name == "Kertas HVS A4 Premium"
    from katalog.catalogue.selectors import curation_queue

    assert list(curation_queue(f.actor(manager))) == [changed]


def test_approving_the_change_puts_it_on_sale(changed, manager):
    services.product_approve(actor=f.actor(manager), product=changed)
    p = Product.objects.get(pk=changed.pk)
    assert (p.status, p.listed_version.number, p.listed_version.price) == (S.LISTED, 2, Decimal("60000"))
    assert not p.has_pending_change


@pytest.mark.parametrize("service", ["product_reject", "product_request_revision"])
def test_refusing_the_change_drops_it_and_keeps_the_product_listed(changed, manager, service):
    getattr(services, service)(actor=f.actor(manager), product=changed, reason="Kenaikan harga tanpa alasan")
    p = Product.objects.get(pk=changed.pk)
    assert (p.status, p.status_reason) == (S.LISTED, "Kenaikan harga tanpa alasan")
    assert (p.listed_version.number, p.latest_version.number, p.name) == (1, 1, "Kertas HVS A4")
    assert not p.has_pending_change


# --- Price jumps ---------------------------------------------------------------------------------


def test_a_price_raised_more_than_a_quarter_is_flagged(shop, owner, paper):
    product = f.make_product(shop, paper, price="100000")
    services.product_update(actor=f.actor(owner), product=product, data=f.product_data(paper, price="125000"))
    assert not ProductFlag.objects.exists()  # exactly 25% is not more than 25%
    services.product_update(actor=f.actor(owner), product=product, data=f.product_data(paper, price="130000"))
    flag = ProductFlag.objects.get()
    latest = Product.objects.get(pk=product.pk).latest_version
    assert (flag.product_id, flag.version_id, flag.kind, flag.katalog_id) == (
        product.pk,
        latest.pk,
        "price_jump",
        shop.katalog_id,
    )
    assert flag.detail == {"from": "100000.00", "to": "130000.00", "percent": "30.0"}


def test_a_price_older_than_thirty_days_is_not_compared(shop, owner, paper):
    product = f.make_product(shop, paper, listed=False, price="100000")
    product.versions.update(created_at=timezone.now() - timedelta(days=31))
    services.product_update(actor=f.actor(owner), product=product, data=f.product_data(paper, price="200000"))
    assert not ProductFlag.objects.exists()


# --- Claims --------------------------------------------------------------------------------------


def test_approval_verifies_only_the_claims_the_curator_checked(shop, manager, paper):
    product = f.make_product(
        shop,
        paper,
        listed=False,
        submitted=True,
        tkdn_percent=Decimal("40"),
        claims={"halal": "ID1234", "sni": "SNI 7274"},
    )
    services.product_approve(actor=f.actor(manager), product=product, verify_claims=["halal", "pdn"])
    claims = dict(Claim.objects.filter(version__product=product).values_list("kind", "verified_by"))
    assert claims == {"halal": manager.pk, "pdn": manager.pk, "sni": None, "tkdn": None}


def test_an_unchanged_claim_keeps_its_verification_and_a_changed_one_loses_it(shop, owner, paper):
    product = f.make_product(shop, paper, tkdn_percent=Decimal("40"), claims={"halal": "ID1234"})
    services.product_update(
        actor=f.actor(owner),
        product=product,
        data=f.product_data(paper, name="Kertas HVS A4 baru", tkdn_percent=Decimal("55"), claims={"halal": "ID1234"}),
    )
    latest = Product.objects.get(pk=product.pk).latest_version
    verified = {c.kind: c.verified_at is not None for c in latest.claims.all()}
    assert verified == {"halal": True, "pdn": True, "tkdn": False}


# --- Photos --------------------------------------------------------------------------------------


def jpeg_with_exif(size=(2400, 1200)) -> bytes:
    import io

    from PIL import Image

    img = Image.new("RGB", size, (30, 120, 200))
    exif = img.getexif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0131] = "Kamera Rahasia"  # Software
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def test_a_photo_is_reencoded_without_exif_with_a_small_thumbnail(shop, owner, paper):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    raw = jpeg_with_exif()
    assert Image.open(__import__("io").BytesIO(raw)).getexif()[0x010F] == "Canon"  # the upload has EXIF
    product = f.make_product(shop, paper)
    photo = services.product_add_photo(
        actor=f.actor(owner),
        product=product,
        upload=SimpleUploadedFile("ulos.jpg", raw, content_type="image/jpeg"),
    )
    with Image.open(photo.image.path) as full:
        assert (full.format, full.size, dict(full.getexif())) == ("JPEG", (1600, 800), {})
    assert b"Exif" not in open(photo.image.path, "rb").read()
    assert b"Canon" not in open(photo.image.path, "rb").read()
    with Image.open(photo.thumbnail.path) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 400 and thumb.size == (400, 200)
        assert dict(thumb.getexif()) == {}
    assert (photo.width, photo.height, photo.position) == (1600, 800, 0)


def test_a_text_file_named_jpg_is_refused(shop, owner, paper):
    from django.core.files.uploadedfile import SimpleUploadedFile

    product = f.make_product(shop, paper)
    with pytest.raises(ValidationFailed) as err:
        services.product_add_photo(
            actor=f.actor(owner),
            product=product,
            upload=SimpleUploadedFile("foto.jpg", b"bukan foto\n" * 20, "image/jpeg"),
        )
    assert err.value.code == "bad_image"
    assert list(err.value.fields) == ["photo"]
    assert product.photos.count() == 0


def test_a_png_is_accepted_and_stored_as_jpeg(shop, owner, paper, png):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    product = f.make_product(shop, paper)
    photo = services.product_add_photo(
        actor=f.actor(owner), product=product, upload=SimpleUploadedFile("foto.png", png, "image/png")
    )
    with Image.open(photo.image.path) as img:
        assert (img.format, img.size) == ("JPEG", (40, 30))


def test_another_vendor_cannot_add_a_photo(medan, shop, paper, png):
    from django.core.files.uploadedfile import SimpleUploadedFile

    stranger = f.make_user(medan, "penyedia")
    f.make_vendor(medan, users=[stranger])
    product = f.make_product(shop, paper)
    with pytest.raises(NotAllowed):
        services.product_add_photo(
            actor=f.actor(stranger), product=product, upload=SimpleUploadedFile("foto.png", png, "image/png")
        )
    assert product.photos.count() == 0


def test_the_system_actor_lists_for_a_umkm(shop, paper):
    product = f.make_product(shop, paper)
    p = Product.objects.get(pk=product.pk)
    assert p.status == S.LISTED and p.curated_by is None
    assert system_actor(shop.katalog).db_user is None
