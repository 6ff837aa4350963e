"""The Django admin shows the domain models read-only: a product's status and stock, or a vendor's
verification, change only through the services (audited). A user who appears in the audit log is
deactivated, never deleted, and every entry keeps its actor's name and address as they were."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.utils import translation

from katalog.catalogue.models import Product
from katalog.core import audit
from katalog.core.models import ActorInAuditLog, AuditLog, Katalog
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f

ADDRESS = "203.0.113.9"
# What the platform administrator sets a tenant up with: added (audited), never changed here.
ADDABLE = {"core.katalog", "accounts.office", "accounts.membership"}


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", "root@example.id", f.PASSWORD)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def product(medan):
    return f.make_product(f.make_vendor(medan), stock=10)


def test_every_domain_model_of_the_admin_is_read_only(root):
    request = RequestFactory().get("/django-admin/")
    request.user = root
    domain = [(m, ma) for m, ma in admin.site._registry.items() if m.__module__.startswith("katalog.")]
    assert {m._meta.label_lower for m, _ in domain} >= {"catalogue.product", "vendors.vendor", "core.auditlog"}
    for model, model_admin in domain:
        label = model._meta.label_lower
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        assert model_admin.has_add_permission(request) == (label in ADDABLE), label
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), label
            assert not inline.has_change_permission(request), label
            assert not inline.has_delete_permission(request), label


def test_the_admin_cannot_change_a_products_status_or_stock(admin_client, product):
    url = f"/django-admin/catalogue/product/{product.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b'name="stock"' not in page.content and b'name="status"' not in page.content
    entries = AuditLog.objects.count()
    posted = admin_client.post(url, {"name": product.name, "status": "draft", "stock": "999"})
    assert posted.status_code == 403
    product.refresh_from_db()
    assert product.stock == 10 and product.listed_version_id is not None
    assert (
        admin_client.post(f"/django-admin/catalogue/product/{product.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Product.objects.filter(pk=product.pk).exists()
    assert AuditLog.objects.count() == entries
    assert admin_client.get("/django-admin/catalogue/product/add/").status_code == 403


def test_the_admin_cannot_verify_a_vendor(admin_client, medan):
    vendor = f.make_vendor(medan, status=VendorStatus.SUBMITTED)
    url = f"/django-admin/vendors/vendor/{vendor.pk}/change/"
    assert b'name="status"' not in admin_client.get(url).content
    assert admin_client.post(url, {"name": vendor.name, "status": VendorStatus.VERIFIED}).status_code == 403
    vendor.refresh_from_db()
    assert vendor.status == VendorStatus.SUBMITTED
    assert admin_client.post(f"/django-admin/vendors/vendor/{vendor.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_a_user_cannot_be_deleted_in_the_admin_but_is_deactivated_with_an_audit_entry(admin_client, root, users):
    ppk = users["ppk"]
    delete = admin_client.post(f"/django-admin/auth/user/{ppk.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    changelist = admin_client.get("/django-admin/auth/user/")
    assert b'value="delete_selected"' not in changelist.content
    assert b'value="deactivate"' in changelist.content
    answer = admin_client.post(
        "/django-admin/auth/user/",
        {"action": "deactivate", "_selected_action": [ppk.pk]},
        REMOTE_ADDR=ADDRESS,
    )
    assert answer.status_code == 302
    ppk.refresh_from_db()
    assert not ppk.is_active
    entry = AuditLog.objects.get(action="user.deactivate", object_id=str(ppk.pk))
    assert (entry.actor, entry.actor_name, entry.actor_address) == (root, "root", ADDRESS)
    assert entry.katalog.region_id == "12.71"
    # The account can no longer sign in.
    assert not admin_client.login(username=ppk.username, password=f.PASSWORD)


def test_behind_the_trusted_proxy_the_entry_keeps_the_clients_address(admin_client, settings, users):
    settings.KATALOG_TRUSTED_PROXY_COUNT = 1
    admin_client.post(
        "/django-admin/auth/user/",
        {"action": "deactivate", "_selected_action": [users["pp"].pk]},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"198.51.100.1, {ADDRESS}",
    )
    assert AuditLog.objects.get(action="user.deactivate").actor_address == ADDRESS


def test_the_user_form_changes_only_the_active_flag_and_audits_it(admin_client, users):
    pp = users["pp"]
    url = f"/django-admin/auth/user/{pp.pk}/change/"
    page = admin_client.get(url)
    assert b'name="is_active"' in page.content and b'name="is_superuser"' not in page.content
    answer = admin_client.post(url, {"is_superuser": "on", "username": "taken-over"}, REMOTE_ADDR=ADDRESS)
    assert answer.status_code == 302
    pp.refresh_from_db()
    assert not pp.is_active and not pp.is_superuser and pp.username == "medan-pp"
    assert AuditLog.objects.get(action="user.deactivate").actor_address == ADDRESS
    # No password form either (a reset goes through the product's own, audited, pages).
    password_page = admin_client.get(f"/django-admin/auth/user/{pp.pk}/password/", follow=True)
    assert b'name="password1"' not in password_page.content


def test_a_user_in_the_audit_log_cannot_be_deleted_by_the_orm_nor_by_sql(medan):
    user = User.objects.create_user("leaver", password=f.PASSWORD)
    audit.record(actor=user, action="test.write", obj=medan, katalog=medan)
    with pytest.raises(ActorInAuditLog) as refused:
        user.delete()
    assert "nonaktifkan akunnya" in str(refused.value.args[0])
    with translation.override("en"):
        assert "deactivate the account instead" in str(refused.value.args[0])
    # Raw SQL: the foreign key refuses (checked here, as at commit; the savepoint then rolls back).
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM auth_user WHERE id = %s", [user.pk])
        connection.check_constraints()
    assert User.objects.filter(pk=user.pk).exists()


def test_adding_a_tenant_in_the_admin_is_audited(admin_client, root):
    answer = admin_client.post(
        "/django-admin/core/katalog/add/",
        {"region": "12.75", "name": "Katalog Binjai", "government_name": "Pemerintah Kota Binjai", "is_active": "on"},
        REMOTE_ADDR=ADDRESS,
    )
    assert answer.status_code == 302, answer.content[:2000]
    tenant = Katalog.objects.get(region_id="12.75")
    entry = AuditLog.objects.get(action="katalog.create")
    assert (entry.katalog, entry.actor, entry.actor_address) == (tenant, root, ADDRESS)
    change = admin_client.post(f"/django-admin/core/katalog/{tenant.pk}/change/", {"name": "Renamed"})
    assert change.status_code == 403
