"""Every event a vendor must act on or know about sends a message with the reason and a link to
the page to act on; order events also go out on the person's channel."""

from decimal import Decimal

import pytest
from django.utils import translation

from katalog.accounts.models import Channel, Profile
from katalog.buying import notifications
from katalog.buying.models import BudgetLine, Notification, Order
from katalog.catalogue import services as catalogue
from katalog.catalogue.models import Product
from katalog.messaging.models import MessageStatus, OutgoingMessage
from katalog.vendors import services as vendors
from katalog.vendors.models import VendorStatus
from tests import factories as f

SITE = "http://katalog.test"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.KATALOG_SITE_URL = SITE


@pytest.fixture(autouse=True)
def _english():
    # Messages are written in the active language (Indonesian by default); these tests read English.
    with translation.override("en"):
        yield


@pytest.fixture
def owner(users):
    Profile.objects.update_or_create(user=users["penyedia"], defaults={"phone": "+6281234567890"})
    return users["penyedia"]


def _sent(kind):
    return list(
        OutgoingMessage.objects.filter(kind=kind)
        .order_by("channel")
        .values_list("channel", "to", "text", "link", "status")
    )


def test_verification_sends_whatsapp_and_in_app(medan, manager, owner):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[owner], name="UD Sinar Medan")
    vendors.vendor_approve(actor=f.actor(manager), vendor=vendor)
    text = "Your business UD Sinar Medan is verified: you can now list products."
    assert _sent("vendor.verified") == [
        (Channel.IN_APP, "", text, f"{SITE}/penyedia/usaha-saya/", MessageStatus.DELIVERED),
        (Channel.WHATSAPP, "+6281234567890", text, f"{SITE}/penyedia/usaha-saya/", MessageStatus.QUEUED),
    ]


@pytest.mark.parametrize(
    ("service", "kind", "expected"),
    [
        (
            vendors.vendor_reject,
            "vendor.rejected",
            "The registration of UD Sinar Medan was rejected. Reason: NIB palsu",
        ),
        (
            vendors.vendor_request_revision,
            "vendor.revision_requested",
            "Please revise the registration of UD Sinar Medan: NIB palsu",
        ),
    ],
)
def test_a_negative_verification_carries_the_reason(medan, manager, owner, service, kind, expected):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[owner], name="UD Sinar Medan")
    service(actor=f.actor(manager), vendor=vendor, reason="NIB palsu")
    assert [(c, text) for c, _to, text, _link, _s in _sent(kind)] == [
        (Channel.IN_APP, expected),
        (Channel.WHATSAPP, expected),
    ]


def test_a_refused_verification_sends_nothing(medan, users, owner):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED, users=[owner])
    with pytest.raises(Exception):  # noqa: B017 (NotAllowed; what matters is that nothing is sent)
        vendors.vendor_approve(actor=f.actor(users["pp"]), vendor=vendor)
    assert OutgoingMessage.objects.count() == 0


@pytest.fixture
def submitted(medan, owner):
    vendor = f.make_vendor(medan, users=[owner])
    return f.make_product(vendor, listed=False, submitted=True, name="Bolu Meranti")


def test_product_approval_links_to_the_product_page(medan, manager, submitted):
    catalogue.product_approve(actor=f.actor(manager), product=submitted)
    [(channel, to, text, link, _status)] = [m for m in _sent("product.approved") if m[0] == Channel.WHATSAPP]
    assert (to, text, link) == (
        "+6281234567890",
        "Your product Bolu Meranti is approved and on sale.",
        f"{SITE}/produk/{submitted.pk}/",
    )


@pytest.mark.parametrize(
    ("action", "kind", "expected"),
    [
        (
            "request_revision",
            "product.revision_requested",
            "Your product Bolu Meranti was sent back for a change: Foto buram",
        ),
        ("reject", "product.rejected", "Your product Bolu Meranti was rejected. Reason: Foto buram"),
    ],
)
def test_product_sent_back_or_rejected_carries_the_reason(medan, manager, submitted, action, kind, expected):
    getattr(catalogue, f"product_{action}")(actor=f.actor(manager), product=submitted, reason="Foto buram")
    rows = _sent(kind)
    assert {(c, text, link) for c, _to, text, link, _s in rows} == {
        (Channel.IN_APP, expected, f"{SITE}/penyedia/produk/{submitted.pk}/"),
        (Channel.WHATSAPP, expected, f"{SITE}/penyedia/produk/{submitted.pk}/"),
    }


@pytest.mark.parametrize(
    ("action", "kind", "expected"),
    [
        ("freeze", "product.frozen", "Your product Bolu Meranti is frozen: buyers cannot order it. Reason: Harga naik"),
        ("delist", "product.delisted", "Your product Bolu Meranti was removed from the catalogue. Reason: Harga naik"),
    ],
)
def test_a_listed_product_frozen_or_delisted_carries_the_reason(medan, manager, owner, action, kind, expected):
    vendor = f.make_vendor(medan, users=[owner])
    product = f.make_product(vendor, name="Bolu Meranti")
    getattr(catalogue, f"product_{action}")(
        actor=f.actor(manager), product=Product.objects.get(pk=product.pk), reason="Harga naik"
    )
    assert [text for c, _to, text, _l, _s in _sent(kind) if c == Channel.WHATSAPP] == [expected]


def test_order_notifications_keep_their_row_and_go_out_on_the_channel(medan, office, users, owner):
    vendor = f.make_vendor(medan, users=[owner])
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-1", name="ATK", fiscal_year=2026, ceiling=Decimal("1000000")
    )
    order = Order.objects.create(katalog=medan, office=office, vendor=vendor, budget_line=line, created_by=users["pp"])
    # when
    notifications.vendor(order, "Order #%(n)s: a Surat Pesanan waits for your confirmation.")
    notifications.user(order, users["pp"], "Order #%(n)s was confirmed by the vendor.")
    # then: the page's rows, and no second in-app copy from messaging
    assert Notification.objects.count() == 2
    assert not OutgoingMessage.objects.filter(channel=Channel.IN_APP).exists()
    link = f"{SITE}/belanja/pesanan/{order.pk}/"
    assert sorted(OutgoingMessage.objects.values_list("channel", "to", "text", "link")) == [
        (Channel.EMAIL, users["pp"].email, f"Order #{order.pk} was confirmed by the vendor.", link),
        (Channel.WHATSAPP, "+6281234567890", f"Order #{order.pk}: a Surat Pesanan waits for your confirmation.", link),
    ]
