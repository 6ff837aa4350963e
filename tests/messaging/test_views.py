"""The Pengelola's message list, and the vendor's notifications page showing its news."""

import pytest
from django.urls import reverse

from katalog.accounts.models import Channel
from katalog.messaging.models import MessageStatus, OutgoingMessage
from katalog.messaging.services import send
from tests import factories as f

URL = reverse("messaging:list")


@pytest.fixture
def messages(medan, binjai):
    sent = OutgoingMessage.objects.create(
        katalog=medan, channel=Channel.WHATSAPP, to="+6281200000001", text="Usaha terverifikasi", status="sent"
    )
    failed = OutgoingMessage.objects.create(
        katalog=medan,
        channel=Channel.WHATSAPP,
        to="+6281200000002",
        text="Produk dibekukan",
        status=MessageStatus.FAILED,
        attempts=1,
        last_error="WhatsApp 400 code 131026: Message Undeliverable.",
    )
    other = OutgoingMessage.objects.create(katalog=binjai, channel=Channel.SMS, to="+6281299999999", text="Binjai")
    return sent, failed, other


def test_anonymous_is_sent_to_sign_in(client, messages):
    response = client.get(URL)
    assert response.status_code == 302 and "/akun/" in response["Location"]


def test_a_vendor_may_not_see_the_list(client_as, users, messages):
    assert client_as(users["penyedia"]).get(URL).status_code == 403


def test_the_pengelola_sees_the_tenants_messages_with_status_and_reason(client_as, manager, messages):
    response = client_as(manager).get(URL)
    assert response.status_code == 200
    assert [m.to for m in response.context["page"]] == ["+6281200000002", "+6281200000001"]  # not Binjai's
    body = response.content.decode()
    assert "WhatsApp 400 code 131026: Message Undeliverable." in body
    assert "+6281299999999" not in body


def test_the_list_filters_by_status(client_as, manager, messages):
    response = client_as(manager).get(URL, {"status": "failed"})
    assert [m.to for m in response.context["page"]] == ["+6281200000002"]
    response = client_as(manager).get(URL, {"status": "nonsense"})
    assert len(response.context["page"].object_list) == 2


def test_another_tenants_manager_sees_only_its_own(client_as, binjai, messages):
    boss = f.make_user(binjai, "catalogue_manager")
    response = client_as(boss).get(URL)
    assert [m.to for m in response.context["page"]] == ["+6281299999999"]


def test_the_menu_links_the_list_for_the_pengelola(client_as, manager):
    assert URL in client_as(manager).get(reverse("buying:notifications")).content.decode()


def test_the_vendor_sees_its_news_on_the_notifications_page(client_as, medan, users):
    owner = users["penyedia"]
    send(
        katalog=medan,
        subject="S",
        text="Your business UD Uji is verified: you can now list products.",
        link="http://katalog.test/penyedia/usaha-saya/",
        user=owner,
        kind="vendor.verified",
    )
    body = client_as(owner).get(reverse("buying:notifications")).content.decode()
    assert "Your business UD Uji is verified: you can now list products." in body
    assert 'href="http://katalog.test/penyedia/usaha-saya/"' in body
    # someone else's news is not shown
    assert "UD Uji is verified" not in client_as(users["pp"]).get(reverse("buying:notifications")).content.decode()
