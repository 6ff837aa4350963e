"""Background tasks (django-tasks). The worker is `katalog db_worker`, started by `make run`."""

from django_tasks import task


@task()
def expire_order(order_id: int) -> str:
    """At an order's deadline: cancel it if it is still waiting."""
    from .models import Order
    from .services import expire_if_overdue

    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return "gone"
    return expire_if_overdue(order).status


@task()
def expire_all() -> int:
    """A sweep of every overdue order (the worker also sweeps every minute: `katalog worker`)."""
    from .services import expire_overdue

    return expire_overdue()


@task()
def render_document(document_id: int) -> str:
    """Render a Surat Pesanan or BAST PDF after the transaction that numbered it."""
    from .documents import ensure_pdf
    from .models import OrderDocument

    document = OrderDocument.objects.filter(pk=document_id).first()
    if document is None:
        return "gone"
    return ensure_pdf(document).pdf.name


@task()
def notify(
    *, order_id: int, text: str, user_ids: list[int], vendor: bool = False, role: str = "", kind: str = ""
) -> int:
    """Tell the recipients of one purchasing step (`notifications.tell`): their notification rows and
    their messages, in one transaction. Returns how many were told."""
    from django.db import transaction

    from .notifications import deliver

    with transaction.atomic():
        return deliver(order_id=order_id, text=text, user_ids=user_ids, vendor=vendor, role=role, kind=kind)
