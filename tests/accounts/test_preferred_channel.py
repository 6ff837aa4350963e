"""The owner chooses on "My account" the channel messages reach them on; `send` honours it."""

import re

from katalog.accounts.models import Channel, Profile
from katalog.messaging.models import OutgoingMessage
from katalog.messaging.services import send_to_vendor
from tests import factories as f


def _english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_owner_chooses_sms_on_the_account_page_and_the_next_message_goes_by_sms(medan, users, client_as):
    owner = users["penyedia"]
    Profile.objects.create(user=owner, phone="+6281234567890")
    vendor = f.make_vendor(medan, users=[owner])
    client = _english(client_as(owner))

    page = client.get("/akun/profil/").content.decode()
    # every channel they have an address for, with the address used; WhatsApp is the default for a vendor
    assert "WhatsApp (0812-3456-7890)" in page and "SMS (0812-3456-7890)" in page
    assert f"E-mail ({owner.email})" in page and "Notifications page only" in page
    assert re.search(r'<input[^>]*value="whatsapp"[^>]*checked', page)  # the default, shown as chosen
    assert send_to_vendor(vendor=vendor, subject="S", text="T")[-1].channel == Channel.WHATSAPP

    response = client.post("/akun/profil/", {"channel": "sms"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Saved. Messages now reach you this way." in page

    rows = send_to_vendor(vendor=vendor, subject="Produk disetujui", text="T", kind="product.approved")
    assert [(m.channel, m.to) for m in rows] == [(Channel.IN_APP, ""), (Channel.SMS, "+6281234567890")]

    client.post("/akun/profil/", {"channel": "in_app"})
    rows = send_to_vendor(vendor=vendor, subject="S", text="T")
    assert [m.channel for m in rows] == [Channel.IN_APP]


def test_only_channels_with_an_address_are_offered_and_others_are_refused(medan, users, client_as):
    buyer = users["pp"]  # an e-mail address, no phone
    client = _english(client_as(buyer))
    page = client.get("/akun/profil/").content.decode()
    assert f"E-mail ({buyer.email})" in page
    assert 'value="whatsapp"' not in page and 'value="sms"' not in page

    response = client.post("/akun/profil/", {"channel": "whatsapp"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=buyer).preferred_channel == ""
    assert not OutgoingMessage.objects.exists()


def test_the_account_page_is_linked_from_the_header(users, client_as):
    page = _english(client_as(users["pp"])).get("/akun/").content.decode()
    assert 'href="/akun/profil/"' in page


def test_the_sent_for_curation_screen_says_what_happens_next(medan, users, client_as):
    from tests.catalogue.test_first_product import browser_post

    owner = users["penyedia"]
    Profile.objects.create(user=owner, phone="+6281234567890")
    f.make_vendor(medan, users=[owner])
    paper = f.make_category(medan, "Kertas dan Buku", code="ATK-KRT")
    client = client_as(owner)  # Indonesian, as the owner reads it
    response = client.post("/penyedia/produk/baru/", browser_post(paper, send="1"))
    page = client.get(response["Location"]).content.decode()
    steps = page.partition('data-testid="next-steps"')[2].partition("</section>")[0]
    assert "Pengelola Katalog Pemerintah 12.71 memeriksa produk Anda: foto, nama, harga, dan kategori." in steps
    assert "Biasanya paling lama 2 hari kerja." in steps
    assert "Anda akan menerima pesan lewat WhatsApp (0812-3456-7890)" in steps
    assert 'href="/penyedia/produk/"' in steps and "Kembali ke produk saya" in steps
