"""Background tasks of vendors (django-tasks; the worker is `katalog worker`)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def run_vendor_import(job_id: int) -> str:
    """Check a registry import into its preview, or write it once confirmed, batch by batch (each
    batch a transaction that records its progress, so the page shows it and a stopped worker
    resumes where it was). Returns the job's status."""
    from .models import VendorImport
    from .services import vendor_import_fail, vendor_import_step

    job = VendorImport.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    while job.in_progress:
        before = (job.status, job.processed)
        try:
            job = vendor_import_step(job=job)
        except Exception as exc:
            logger.exception("registry import %s failed", job_id)
            vendor_import_fail(job=job, error=str(exc))
            raise
        if (job.status, job.processed) == before:  # nothing left to do
            break
    return job.status


@task()
def send_vendor_invitation(*, vendor_id: int, link: str) -> str:
    """Send one invitation of a bulk run (`invitations.vendor_invite_many`), at its turn."""
    from .invitations import send_queued

    return send_queued(vendor_id, link)


@task()
def queue_vendor_invitations(*, ids: list[int], link: str, rate: int, start: str) -> int:
    """Queue the invitations of a large bulk run (thousands of vendors), off the request."""
    from datetime import datetime, timedelta

    from .invitations import ENQUEUE_IN_REQUEST, _enqueue

    begin = datetime.fromisoformat(start)
    for first in range(0, len(ids), ENQUEUE_IN_REQUEST):
        chunk = ids[first : first + ENQUEUE_IN_REQUEST]
        _enqueue(chunk, link=link, rate=rate, start=begin + timedelta(seconds=first * 60.0 / rate))
    return len(ids)
