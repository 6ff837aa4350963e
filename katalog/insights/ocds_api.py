"""Open data over the API, under /api/v1/ocds/ (public: no sign-in; the tenant is the request's host's,
as for the public product search). See katalog/insights/ocds.py and docs/decisions.md "Open data (OCDS)".

    GET /api/v1/ocds/releases?since=2026-01-01T00:00:00+07:00&page=2   a release package
    GET /api/v1/ocds/records/{ocid}                                    a record package

A `since` that is not a date-time, or a `page` that is not a whole number from 1 to 10,000, is a 422
naming the field; an ocid that is not one of the tenant's published processes is a 404."""

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from django.http import JsonResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from katalog.core.bounds import MAX_PAGE, Length, ShortText
from katalog.core.errors import NotFound

from . import ocds

router = Router(tags=["open data"])

# Strict, unlike the search page's lenient page: a harvester that asks for page "x" has a bug to see.
StrictPage = Annotated[int, Field(ge=1, le=MAX_PAGE, strict=False)]
Ocid = ShortText(Length.NAME)


class ReleaseQuery(Schema):
    since: datetime | None = None
    page: StrictPage = 1


def _tenant(request):
    katalog = request.katalog
    if not katalog:
        raise NotFound()
    return katalog


def _json(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


@router.get("/releases", auth=None, summary="OCDS release package")
def releases(request, query: Query[ReleaseQuery]):
    """The releases of the tenant's purchases (every order that reached its Surat Pesanan), oldest first,
    `KATALOG_OCDS_PAGE_SIZE` (100) a page, those dated at or after `since` when given (a date-time
    without a zone is city time, WIB); `links.next` is the next page's address when there is one."""
    katalog = _tenant(request)
    since = query.since
    if since is not None and timezone.is_naive(since):
        since = timezone.make_aware(since)
    site = ocds.site_url(katalog, request)

    def page_uri(page: int) -> str:
        params = {"page": page}
        if query.since is not None:
            params = {"since": query.since.isoformat(), "page": page}
        return request.build_absolute_uri(request.path) + "?" + urlencode(params)

    package = ocds.release_package(
        katalog,
        since=since,
        page=query.page,
        uri=request.build_absolute_uri(),
        site=site,
        next_uri=page_uri,
    )
    return _json(package)


@router.get("/records/{ocid}", auth=None, summary="OCDS record package")
def record(request, ocid: Ocid):
    """The record of one contracting process: its releases and the compiled release."""
    katalog = _tenant(request)
    order_id = ocds.order_id_of(katalog, ocid)
    order = ocds.published_orders(katalog).filter(pk=order_id).first() if order_id else None
    if order is None:
        raise NotFound()
    package = ocds.record_package(
        katalog, order, uri=request.build_absolute_uri(), site=ocds.site_url(katalog, request)
    )
    return _json(package)
