"""Every e-mail is queued after commit and sent by the task worker, retried; never in the request.

The mail backends and the task queue that fail are tiny classes of this module, named in settings."""

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from django_tasks import task_backends
from django_tasks.backends.dummy import DummyBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from katalog.accounts.views import PasswordResetView, QueuedPasswordResetForm
from katalog.buying import notifications
from katalog.buying.models import BudgetLine, Notification, Order
from katalog.core.mail import send_later
from katalog.core.models import Region
from katalog.core.tasks import RETRY_DELAYS, send_email
from katalog.messaging.models import OutgoingMessage
from katalog.vendors.models import Vendor, VendorStatus
from tests import factories as f

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
SEND_EMAIL = "katalog.core.tasks.send_email"


class BrokenMailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


class BrokenQueue(DummyBackend):
    """A task queue that cannot be written to."""

    def enqueue(self, task, args, kwargs):
        raise RuntimeError("the task queue is down")


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "tests.core.test_mail_after_commit.BrokenMailBackend"


def queued_mails() -> list[dict]:
    return [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.filter(task_path=SEND_EMAIL).order_by("enqueued_at")]


def run_like_the_worker(result: DBTaskResult) -> None:
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    result.claim("test-worker")
    worker.run_task(result)


# --- send_later ------------------------------------------------------------------------------------


def test_a_mail_is_sent_by_the_worker_only_after_commit(db, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            send_later(to="butet@example.id", subject="Pesanan\nbaru", body="Isi pesan")
        # when: still in the request, before commit hooks run
        assert mailoutbox == []
    # then
    assert len(callbacks) == 1
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [(["butet@example.id"], "Pesanan baru", "Isi pesan")]
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_a_rolled_back_transaction_sends_nothing(db, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_later(to=["a@example.id"], subject="S", body="B")
            raise RuntimeError("the service failed")
    assert callbacks == [] and mailoutbox == []


def test_a_queue_that_cannot_be_written_never_reaches_the_caller(
    db, settings, caplog, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "tests.core.test_mail_after_commit.BrokenQueue"}}
    with caplog.at_level(logging.ERROR, logger="katalog.core.mail"):
        with django_capture_on_commit_callbacks(execute=True):
            send_later(to=["a@example.id"], subject="Undangan", body="B")  # when: no exception
    assert "could not queue e-mail 'Undangan' to a@example.id" in caplog.text


# --- The task: retried 1, 5 and 30 minutes later, then given up -------------------------------------


def test_a_failed_send_raises_and_is_retried_after_1_5_and_30_minutes_then_given_up(db, settings, broken_mail, caplog):
    settings.TASKS = DUMMY
    queue = task_backends["default"]
    message = {"to": ["a@example.id"], "subject": "S", "body": "B", "from_email": "", "html": ""}
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        before = timezone.now()
        with pytest.raises(ConnectionRefusedError):
            send_email.call(**message, attempt=attempt)  # as the worker runs it
        retry = queue.results[-1]
        assert retry.kwargs == {**message, "attempt": attempt + 1}
        assert before + delay <= retry.task.run_after <= timezone.now() + delay
    assert [r.task.run_after - r.enqueued_at for r in queue.results] == pytest.approx(
        list(RETRY_DELAYS), abs=timedelta(seconds=5)
    )
    # when: the 4th attempt fails too
    with caplog.at_level(logging.ERROR, logger="katalog.core.tasks"), pytest.raises(ConnectionRefusedError):
        send_email.call(**message, attempt=len(RETRY_DELAYS) + 1)
    # then: no 5th attempt, and the loss is logged
    assert len(queue.results) == len(RETRY_DELAYS)
    assert "e-mail 'S' to a@example.id given up after 4 attempts" in caplog.text


def test_with_the_database_queue_a_failure_is_recorded_and_the_retry_waits(
    db, settings, broken_mail, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    with django_capture_on_commit_callbacks(execute=True):
        send_later(to=["a@example.id"], subject="S", body="B")
    [first] = DBTaskResult.objects.filter(task_path=SEND_EMAIL)
    # when
    run_like_the_worker(first)
    # then
    first.refresh_from_db()
    assert first.status == "FAILED" and first.exception_class_path == "builtins.ConnectionRefusedError"
    retry = DBTaskResult.objects.filter(task_path=SEND_EMAIL, status="READY").get()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > timezone.now() + timedelta(seconds=50)
    assert not DBTaskResult.objects.ready().exists()  # the worker waits a minute before trying again
    assert mailoutbox == []


# --- The callers --------------------------------------------------------------------------------------


def assisted_form(pdf: bytes) -> dict:
    village = Region.objects.filter(parent_id="12.71.01", level="desa_kelurahan").order_by("code").first()
    return {
        "name": "Bolu Meranti Mini",
        "owner_name": "Lina Tarigan",
        "email": "lina@example.id",
        "phone": "081299990000",
        "nib": "8120000000555",
        "npwp": f.VALID_NPWP,
        "kbli": "10710",
        "sector": "Makanan",
        "address": "Jl. Kruing 5",
        "district": "12.71.01",
        "village": village.code,
        "capital": "200.000.000",
        "annual_sales": "",
        "verify_now": "on",
        "nib_document": SimpleUploadedFile("nib.pdf", pdf, content_type="application/pdf"),
    }


def test_assisted_registration_with_the_mail_server_down_saves_and_queues_the_invitation(
    client_as, manager, pdf, settings, broken_mail, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    # when: the desk registers a UMKM (the commit hooks run, as after a real commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager).post("/penyedia/kelola/daftarkan/", assisted_form(pdf))
    # then: the vendor is saved and the page answers normally
    vendor = Vendor.objects.get(nib="8120000000555")
    assert response.status_code == 302 and response["Location"] == f"/penyedia/kelola/{vendor.pk}/"
    assert vendor.status == VendorStatus.VERIFIED
    # and the invitation is not lost: it waits in the queue for the worker
    [invitation] = queued_mails()
    assert invitation["to"] == ["lina@example.id"] and invitation["attempt"] == 1
    assert "/akun/sandi/" in invitation["body"]
    assert mailoutbox == []


def test_assisted_registration_with_the_worker_at_hand_sends_the_invitation(
    client_as, manager, pdf, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager).post("/penyedia/kelola/daftarkan/", assisted_form(pdf))
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["lina@example.id"]]
    assert "/akun/sandi/" in mailoutbox[0].body


def test_assisted_registration_survives_a_mail_server_that_never_answers(
    client_as, manager, pdf, settings, broken_mail, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE  # every retry runs at once here, and fails
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager).post("/penyedia/kelola/daftarkan/", assisted_form(pdf))
    assert response.status_code == 302
    assert Vendor.objects.filter(nib="8120000000555", status=VendorStatus.VERIFIED).exists()
    assert mailoutbox == []


def test_the_password_reset_mail_is_queued_not_sent_in_the_request(
    users, settings, broken_mail, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    user = users["pp"]
    view = PasswordResetView.as_view(
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url="/akun/lupa-sandi/terkirim/",
    )
    request = RequestFactory().post("/akun/lupa-sandi/", {"email": user.email})
    request._dont_enforce_csrf_checks = True
    with django_capture_on_commit_callbacks(execute=True):
        response = view(request)
    assert response.status_code == 302
    [mail] = queued_mails()
    assert mail["to"] == [user.email]
    assert "/akun/sandi/" in mail["body"] and "\n" not in mail["subject"]


def test_the_password_reset_form_sends_through_the_worker(
    users, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    user = users["ppk"]
    form = QueuedPasswordResetForm({"email": user.email})
    assert form.is_valid()
    with django_capture_on_commit_callbacks(execute=True):
        form.save(
            domain_override="katalog.test",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
        )
    assert [m.to for m in mailoutbox] == [[user.email]]
    assert "http://katalog.test/akun/sandi/" in mailoutbox[0].body


def test_order_notifications_are_kept_and_their_mail_queued(
    medan, office, users, settings, broken_mail, django_capture_on_commit_callbacks
):
    settings.TASKS = DATABASE
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    line = BudgetLine.objects.create(
        katalog=medan, office=office, kode_rup="RUP-1", name="ATK", fiscal_year=2026, ceiling=Decimal("1000000")
    )
    order = Order.objects.create(katalog=medan, office=office, vendor=vendor, budget_line=line, created_by=users["pp"])
    # when: the vendor is told (after the order's commit, as the services do)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.vendor(order, "Pesanan #%(n)s menunggu konfirmasi Anda.")
    # then: the row is there, and the mail waits for the worker
    assert list(Notification.objects.values_list("user__username", "text")) == [
        ("medan-penyedia", f"Pesanan #{order.pk} menunggu konfirmasi Anda.")
    ]
    # the message goes out through messaging on the person's channel (e-mail here), by the worker
    [message] = OutgoingMessage.objects.all()
    assert (message.channel, message.to, message.status) == ("email", users["penyedia"].email, "queued")
    assert message.subject == f"{medan.name}: Pesanan #{order.pk} menunggu konfirmasi Anda."
    [job] = DBTaskResult.objects.filter(task_path="katalog.messaging.tasks.deliver")
    assert job.args_kwargs["kwargs"] == {"message_id": message.pk}
