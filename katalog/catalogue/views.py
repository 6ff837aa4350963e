"""Catalogue pages: public search and product pages, the vendor's products, curation."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from katalog.core import page_cache, tenant_cache
from katalog.core.bounds import MAX_ID, AmountFilter, IdFilter, Length, Page, PercentFilter, read_query
from katalog.core.decorators import require
from katalog.core.errors import DomainError, NotAllowed
from katalog.core.feedback import show_domain_error
from katalog.core.idempotency import idempotent_page
from katalog.core.permissions import Permission
from katalog.core.redirects import redirect_next
from katalog.core.tabular import ImportFileError, read_table
from katalog.search import ranking, suggest
from katalog.search import selectors as search_selectors
from katalog.search import services as search_services
from katalog.search.models import Synonym
from katalog.search.types import PRICE_BANDS, SIZE_CLASSES, SearchFilters, Sort
from katalog.vendors import selectors as vendor_selectors
from katalog.vendors.models import Vendor, VendorStatus
from katalog.vendors.size_class import SizeClass

from . import imports, selectors, services, workflow
from . import stock as product_stock
from .forms import AssistedProductImportForm, ProductForm, ProductImportForm, ReasonForm, initial_from
from .models import Product
from .photos import forget_kept_photo
from .suggestions import suggestion_items

PAGE_SIZE = 20


# --- Public ---------------------------------------------------------------------------------------


def _int_or_none(value):
    """A whole number from a query string, or None (also for one beyond what a database id holds)."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or abs(number) <= MAX_ID else None


SEARCH_QUERY = {
    "category": IdFilter,
    "vendor": IdFilter,
    "price_min": AmountFilter,
    "price_max": AmountFilter,
    "tkdn_min": PercentFilter,
    "page": Page,
}
FILTER_LABELS = {
    "price_min": gettext_lazy("minimum price"),
    "price_max": gettext_lazy("maximum price"),
    "tkdn_min": gettext_lazy("minimum TKDN"),
    "page": gettext_lazy("page"),
}


def parse_search_params(params, refused: list | None = None) -> tuple[str, SearchFilters, str | None, int]:
    """The query string of the search page, read with the API's bounds (katalog/core/bounds.py): a value
    not understood is ignored; one out of bounds (a 40-digit price, a negative TKDN) is ignored too and
    its name added to `refused`, so that the page can say so."""
    size = params.get("size_class") or None
    pdn = params.get("pdn")
    sort = params.get("sort") or None
    district = params.get("district") or None
    read, out_of_bounds = read_query(params, SEARCH_QUERY)
    if refused is not None:
        refused.extend(out_of_bounds)
    filters = SearchFilters(
        category=read["category"],
        price_min=read["price_min"],
        price_max=read["price_max"],
        size_class=size if size in SIZE_CLASSES else None,
        district=district if district and len(district) <= Length.REGION_CODE else None,
        tkdn_min=None if read["tkdn_min"] is None else float(read["tkdn_min"]),
        pdn=True if pdn in ("1", "true", "ya") else False if pdn in ("0", "false", "tidak") else None,
        vendor=read["vendor"],
    )
    page = read["page"] or 1
    return (params.get("q") or "").strip()[:200], filters, sort if sort in Sort._value2member_map_ else None, page


def home(request):
    """The public home page: what this catalogue is, its categories, and how a UMKM joins."""
    katalog = request.katalog
    if katalog:
        page_cache.keep_for_visitors(
            request, tenant_cache.ALL_TENANTS, katalog.pk, tenant_cache.vendors_scope(katalog.pk)
        )
    categories = [c for c in selectors.categories_of(katalog) if c.level == 1] if katalog else []
    verified_count = (
        tenant_cache.cached(
            tenant_cache.vendors_scope(katalog.pk),
            "verified-count",
            lambda: vendor_selectors.public_vendor_count(katalog),
        )
        if katalog
        else 0
    )
    return render(request, "core/home.html", {"verified_count": verified_count, "categories": categories})


def _link(params, **changes) -> str:
    """The search page's query string with `changes` applied (None removes a key) and the page reset."""
    query = params.copy()
    query.pop("page", None)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _facet_groups(params, filters: SearchFilters, facets, categories, districts) -> list[dict]:
    """The sidebar's facet groups. Counts are disjunctive (each group counted without its own filter,
    docs/search.md): every option stays visible with what choosing it instead would give; a link
    replaces the group's filter and "all" removes it."""

    def group(key, title, options, chosen, remove):
        return {
            "key": key,
            "title": title,
            "options": options,
            "chosen": chosen,
            "remove_url": _link(params, **dict.fromkeys(remove)),
        }

    size_counts = facets.get("size_class", {})
    sizes = [
        {
            "label": SizeClass(s).label,
            "count": size_counts.get(s, 0),
            "url": _link(params, size_class=s),
            "active": filters.size_class == s,
        }
        for s in SIZE_CLASSES
        if size_counts.get(s, 0) or filters.size_class == s
    ]
    district_counts = facets.get("district", {})
    district_options = sorted(
        (
            {
                "label": districts.get(code, code),
                "count": n,
                "url": _link(params, district=code),
                "active": filters.district == code,
            }
            for code, n in district_counts.items()
        ),
        key=lambda o: str(o["label"]),
    )
    if filters.district and filters.district not in district_counts:
        district_options.insert(
            0, {"label": districts.get(filters.district, filters.district), "count": 0, "url": "", "active": True}
        )
    category_counts = facets.get("category", {})
    chosen_category = categories.get(filters.category) if filters.category else None
    category_options = [
        {"label": c.name, "count": n, "url": _link(params, category=c.pk), "active": filters.category == c.pk}
        for c, n in sorted(
            ((categories[c], n) for c, n in category_counts.items() if c in categories),
            key=lambda t: (t[0].level, -t[1], t[0].name),
        )
        # The top level, and the children of the chosen category (or of its parent).
        if c.level == 1
        or (chosen_category is not None and c.parent_id in (chosen_category.pk, chosen_category.parent_id))
    ]
    band_counts = facets.get("price_band", {})
    price_options = []
    for key, lo, hi in PRICE_BANDS:
        active = (filters.price_min or 0) == lo and filters.price_max == (hi - 1 if hi else None)
        if band_counts.get(key) or active:
            price_options.append(
                {
                    "label": _price_band_label(lo, hi),
                    "count": band_counts.get(key, 0),
                    "url": _link(params, price_min=lo or None, price_max=(hi - 1) if hi else None),
                    "active": active,
                }
            )
    return [
        group("size_class", _("Business size"), sizes, bool(filters.size_class), ["size_class"]),
        group("district", _("Vendor's district"), district_options, bool(filters.district), ["district"]),
        group("category", _("Category"), category_options, bool(filters.category), ["category"]),
        group(
            "price",
            _("Price"),
            price_options,
            filters.price_min is not None or filters.price_max is not None,
            ["price_min", "price_max"],
        ),
    ]


def _price_band_label(lo: int, hi: int | None) -> str:
    if hi is None:
        return _("from %(lo)s") % {"lo": rupiah_text(lo)}
    if not lo:
        return _("under %(hi)s") % {"hi": rupiah_text(hi)}
    return f"{rupiah_text(lo)} – {rupiah_text(hi)}"


def rupiah_text(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _zero_result_help(katalog, params, q: str, filters: SearchFilters, categories) -> dict:
    """What the zero-result page offers: the query spelled with the tenant's own words (with how many
    products it finds), the closest categories, and the top categories to browse."""
    corrected, near = suggest.did_you_mean(katalog.pk, q)
    corrected_count = 0
    if corrected and corrected != suggest.phrase_of(q):
        corrected_count = search_selectors.search(katalog.pk, corrected, filters, None, 1, 1).count
    else:
        corrected = ""
    close = suggest.closest_categories(q, ((c.pk, c.name) for c in categories.values()))
    return {
        "did_you_mean": corrected,
        "did_you_mean_count": corrected_count,
        "did_you_mean_url": _link(params, q=corrected) if corrected else "",
        "near_words": near,
        "close_categories": [categories[c] for c in close if c in categories],
        "top_categories": [c for c in categories.values() if c.level == 1 and c.pk not in close],
    }


def search(request):
    katalog = request.katalog
    if not katalog:
        raise Http404
    page_cache.keep_for_visitors(request, *page_cache.public_scopes(katalog.pk))
    refused: list[str] = []
    q, filters, sort, page = parse_search_params(request.GET, refused)
    if refused:
        messages.warning(
            request,
            _("A filter that could not be read is ignored: %(names)s.")
            % {"names": ", ".join(str(FILTER_LABELS.get(n, n)) for n in refused)},
        )
    found = selectors.search_products(katalog, q=q, filters=filters, sort=sort, page=page, page_size=PAGE_SIZE)
    result = found.result
    categories = {c.pk: c for c in selectors.categories_of(katalog)}
    districts = selectors.district_names(katalog)  # kept between requests (core/tenant_cache.py)
    facets = result.facets
    context = {
        "q": q,
        "filters": filters,
        "sort": sort or "",
        "found": found,
        "page": page,
        "pages": max(1, -(-result.count // PAGE_SIZE)),
        "categories": categories,
        "facet_groups": _facet_groups(request.GET, filters, facets, categories, districts),
        "left_out": result.left_out if result.relaxed else [],
        "may_explain": request.actor.can(Permission.AUDIT_VIEW),
        "compare_ids": request.session.get("compare", []),
    }
    if q and result.count == 0:
        page_cache.not_for_visitors(request)  # each search that finds nothing is counted
        context.update(_zero_result_help(katalog, request.GET, q, filters, categories))
        if filters == SearchFilters() and page == 1:
            # The tenant's words that find nothing, for the Pengelola (docs/search.md, "Zero results").
            suggest.count_zero_result(katalog.pk, q)
    template = "catalogue/_results.html" if request.htmx else "catalogue/search.html"
    return render(request, template, context)


def suggestions(request):
    """What to offer while the buyer types (htmx fragment of the search box: a listbox of links).
    Without JavaScript the box is a plain form to /cari/ and this is never asked for."""
    katalog = request.katalog
    if not katalog:
        raise Http404
    typed = (request.GET.get("q") or "")[: Length.SEARCH]
    return render(request, "catalogue/_suggestions.html", {"items": suggestion_items(katalog, typed), "q": typed})


@require(Permission.AUDIT_VIEW)
def why_here(request, pk: int):
    """For the auditor: why a product ranks where it does for a query today (docs/search.md,
    "Ranking"): each word of the search and where it was found, then every key of the order."""
    katalog = request.actor.katalog
    if katalog is None or request.katalog is None or katalog.pk != request.katalog.pk:
        raise Http404
    q = (request.GET.get("q") or "").strip()[: Length.SEARCH]
    doc = next((d for d in selectors.search_documents([pk]) if d.tenant_id == katalog.pk), None)
    if doc is None:
        raise Http404
    day = ranking.today_rotation_day()
    explained = ranking.explain(katalog.pk, q, doc, day)
    return render(
        request,
        "catalogue/why_here.html",
        {
            "q": q,
            "doc": doc,
            "clauses": explained.get("clauses", []),
            "factors": _explain_rows(explained),
            "back_url": f"{reverse('catalogue:search')}?{urlencode({'q': q})}",
        },
    )


WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def _explain_rows(data: dict) -> list[tuple[str, str, str]]:
    """The keys of the order, in order: (factor, value, what it means)."""
    pref = data.get("preference") or {}
    n = len(data.get("clauses") or [])
    size = pref.get("size_class") or ""
    size_label = str(SizeClass(size).label) if size in SizeClass.values else size
    tkdn = pref.get("tkdn")
    return [
        (
            _("1. Words matched"),
            _("%(n)s of %(total)s") % {"n": data.get("matched", 0), "total": n},
            _("in the name or the description; more first"),
        ),
        (
            _("2. Words matched in the name"),
            str(data.get("name_hits", 0)),
            _("more first; equal 1 and 2 = equal text relevance"),
        ),
        (
            _("3. Preference for local small business"),
            f"{pref.get('value', 0)} / 7" + ("" if pref.get("enabled", True) else " · " + _("switched off")),
            _("4 for a micro or small vendor, plus the TKDN tier; higher first"),
        ),
        (_("Business size"), f"{size_label} · " + (_("UMK: yes") if pref.get("umk") else _("UMK: no")), ""),
        (
            _("TKDN"),
            (_("not declared") if tkdn is None else f"{tkdn:g}%")
            + " · "
            + _("tier %(t)s") % {"t": pref.get("tkdn_tier", 0)},
            _("tier 3 from a TKDN of 40 percent, 2 from 25 percent, 1 above 0"),
        ),
        (
            _("4. Today's rotation"),
            f"{WEEKDAYS[data.get('rotation_day', 0) % 7]} · {data.get('rotation_key', '')}",
            _("the remaining ties follow one of seven daily orders; higher first"),
        ),
        (_("5. Product number"), str(data.get("product_id", "")), _("higher first, the last tie-break")),
    ]


def product_page(request, pk: int):
    katalog = request.katalog
    if not katalog:
        raise Http404
    page_cache.keep_for_visitors(request, *page_cache.public_scopes(katalog.pk))
    product = selectors.get_public_product(katalog, pk)
    return render(
        request,
        "catalogue/product.html",
        {
            "product": product,
            "version": product.listed_version,
            "history": selectors.price_history(product),
            "compare_ids": request.session.get("compare", []),
        },
    )


def storefront(request, pk: int):
    katalog = request.katalog
    if not katalog:
        raise Http404
    vendor = (
        Vendor.objects.filter(katalog=katalog, pk=pk, status=VendorStatus.VERIFIED).select_related("district").first()
    )
    if vendor is None:
        raise Http404
    products = selectors.with_card_data(selectors.public_products(katalog).filter(vendor=vendor)).order_by("name")
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    from katalog.buying.selectors import vendor_rating_summary  # buying builds on the catalogue

    return render(
        request, "catalogue/storefront.html", {"vendor": vendor, "page": page, "ratings": vendor_rating_summary(vendor)}
    )


def compare(request):
    """Up to four products side by side. `?add=ID` / `?remove=ID` change the list kept in the session."""
    katalog = request.katalog
    if not katalog:
        raise Http404
    ids = [i for i in request.session.get("compare", []) if isinstance(i, int)]
    if request.method == "POST":
        add, remove = _int_or_none(request.POST.get("add")), _int_or_none(request.POST.get("remove"))
        if add and add not in ids:
            if len(ids) >= 4:
                messages.warning(request, _("You can compare at most four products; remove one first."))
            else:
                ids.append(add)
        if remove in ids:
            ids.remove(remove)
        request.session["compare"] = ids
        return redirect_next(request, "catalogue:compare")  # `next` only when it is a path on this site
    if request.GET.get("ids"):
        ids = [i for i in (_int_or_none(x) for x in request.GET["ids"].split(",")) if i][:4]
    products = {p.pk: p for p in selectors.with_card_data(selectors.public_products(katalog)).filter(pk__in=ids)}
    rows = [products[i] for i in ids if i in products]
    spec_keys = sorted({k for p in rows for k in p.listed_version.specifications})
    return render(request, "catalogue/compare.html", {"products": rows, "spec_keys": spec_keys})


# --- The vendor's products ---------------------------------------------------------------------


def _own_vendor(request) -> Vendor:
    vendor = vendor_selectors.own_vendor(request.actor, request.session)  # the business chosen in the switcher
    if vendor is None:
        raise Http404
    return vendor


@require(Permission.PRODUCT_EDIT_OWN)
def my_products(request):
    vendor = _own_vendor(request)
    products = (
        selectors.products_visible_to(request.actor)
        .filter(vendor=vendor)
        .select_related("latest_version", "listed_version")
        .order_by("-updated_at")
    )
    return render(request, "catalogue/mine.html", {"vendor": vendor, "products": products})


def _save_product(request, form, vendor, product=None):
    """Create or update from a valid form, then add the photo if one came; returns the product."""
    actor = request.actor
    data = form.product_data()
    with transaction.atomic():
        if product is None:
            product = services.product_create(actor=actor, vendor=vendor, data=data, stock=form.cleaned_data["stock"])
        else:
            product = services.product_update(actor=actor, product=product, data=data, stock=form.cleaned_data["stock"])
        if form.cleaned_data.get("photo"):
            services.product_add_photo(actor=actor, product=product, upload=form.cleaned_data["photo"])
    forget_kept_photo(request.session, form.kept_photo_token)
    missing = form.missing_attributes()
    if missing:
        messages.warning(
            request,
            _("The category also asks for: %(list)s. Add them to the specifications.") % {"list": ", ".join(missing)},
        )
    return product


def _send_if_asked(request, product) -> bool:
    """ "Save and send for curation": one press, so nothing typed is lost between two forms."""
    if "send" not in request.POST:
        return False
    try:
        services.product_submit(actor=request.actor, product=product)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved and sent for curation."))
    return True


@require(Permission.PRODUCT_EDIT_OWN)
@idempotent_page
def product_new(request):
    vendor = _own_vendor(request)
    form = ProductForm(request.POST or None, request.FILES or None, katalog=vendor.katalog, session=request.session)
    if request.method == "POST" and form.is_valid():
        try:
            product = _save_product(request, form, vendor)
        except DomainError as exc:
            show_domain_error(request, form, exc)
        else:
            if not _send_if_asked(request, product):
                messages.success(request, _("Saved as a draft. Send it for curation when it is ready."))
            return redirect("catalogue:edit", pk=product.pk)
    return render(request, "catalogue/edit.html", {"form": form, "vendor": vendor, "product": None})


@require(Permission.PRODUCT_EDIT_OWN)
def product_edit(request, pk: int):
    vendor = _own_vendor(request)
    product = selectors.get_product(request.actor, pk)
    if product.vendor_id != vendor.pk:
        raise Http404
    form = ProductForm(
        request.POST or None,
        request.FILES or None,
        katalog=vendor.katalog,
        initial=initial_from(product),
        session=request.session,
    )
    if product.reserved:
        form.fields["stock"].help_text = _(
            "On hand %(on_hand)s, of which %(reserved)s reserved by orders (%(orders)s): %(available)s available. "
            "On hand cannot be less than what is reserved."
        ) % {
            "on_hand": product.stock,
            "reserved": product.reserved,
            "orders": ", ".join(product_stock.holders_of(product.pk)) or "-",
            "available": product.available,
        }
    if request.method == "POST" and form.is_valid():
        try:
            product = _save_product(request, form, vendor, product)
        except DomainError as exc:
            show_domain_error(request, form, exc)
        else:
            if product.has_pending_change:
                messages.success(request, _("Saved. The change goes to curation; the listed version stays on sale."))
            elif not _send_if_asked(request, product):
                messages.success(request, _("Saved."))
            return redirect("catalogue:edit", pk=product.pk)
    return render(
        request,
        "catalogue/edit.html",
        {
            "form": form,
            "vendor": vendor,
            "product": product,
            "photos": product.photos.all(),
            "actions": workflow.actions_for(product=product, roles=request.actor.roles),
            "history": selectors.price_history(product),
            "missing": selectors.missing_for_version(product.latest_version),
        },
    )


@require(Permission.PRODUCT_EDIT_OWN)
@require_POST
def photo_remove(request, pk: int, photo_id: int):
    vendor = _own_vendor(request)
    product = selectors.get_product(request.actor, pk)
    photo = product.photos.filter(pk=photo_id).first()
    if product.vendor_id != vendor.pk or photo is None:
        raise Http404
    services.product_remove_photo(actor=request.actor, photo=photo)
    messages.success(request, _("Photo removed."))
    return redirect("catalogue:edit", pk=product.pk)


@require(Permission.PRODUCT_EDIT_OWN)
def my_import(request):
    vendor = _own_vendor(request)
    return _import_page(request, ProductImportForm, vendor=vendor, mode="submit")


# --- Curation ------------------------------------------------------------------------------------


@require(Permission.PRODUCT_CURATE)
def curation_queue(request):
    products = list(selectors.curation_queue(request.actor)[:200])
    return render(request, "catalogue/queue.html", {"products": products, "now": timezone.now()})


@require(Permission.PRODUCT_VIEW_ALL)
def review(request, pk: int):
    product = selectors.get_product(request.actor, pk)
    return render(request, "catalogue/review.html", _review_context(request, product, ReasonForm()))


def _review_context(request, product, reason_form):
    latest = product.latest_version
    return {
        "product": product,
        "latest": latest,
        "listed": product.listed_version,
        "claims": latest.claims.all() if latest else [],
        "photos": product.photos.all(),
        "flags": product.flags.filter(resolved_at__isnull=True),
        "history": selectors.price_history(product),
        "missing": selectors.missing_for_version(latest) if latest else [],
        "actions": workflow.actions_for(product=product, roles=request.actor.roles),
        "reason_form": reason_form,
    }


@login_required
@require_POST
def transition(request, pk: int, action: str):
    """Every curation and vendor action: one POST each, through the same services as the API."""
    if action not in workflow.ACTIONS:
        raise Http404
    product = selectors.get_product(request.actor, pk)
    vendor_side = action in (workflow.SUBMIT, workflow.WITHDRAW)
    if not vendor_side and not request.actor.can(Permission.PRODUCT_CURATE):
        raise PermissionDenied  # a reader (auditor, vendor) may see the product, never decide on it
    kwargs = {}
    if action in workflow.NEEDS_REASON:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please write the reason."))
            return render(request, "catalogue/review.html", _review_context(request, product, form), status=422)
        kwargs["reason"] = form.cleaned_data["reason"]
    if action == workflow.APPROVE:
        kwargs["verify_claims"] = request.POST.getlist("verify_claims")
    try:
        services.TRANSITION_SERVICES[action](actor=request.actor, product=product, **kwargs)
    except NotAllowed:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Done: %(name)s is now “%(status)s”.")
            % {"name": product.name, "status": Product.objects.get(pk=pk).get_status_display()},
        )
    if not request.actor.can(Permission.PRODUCT_CURATE):
        return redirect("catalogue:edit", pk=pk)
    if action == workflow.APPROVE:
        return redirect("catalogue:queue")
    return redirect("catalogue:review", pk=pk)


@require(Permission.PRODUCT_CURATE)
@require_POST
def approve_many(request):
    """Approve several waiting products at once (each in its own transaction; one failure does
    not stop the others)."""
    ids = [i for i in (_int_or_none(x) for x in request.POST.getlist("products")) if i]
    done, failed = 0, []
    for product in selectors.curation_queue(request.actor).filter(pk__in=ids):
        try:
            services.product_approve(actor=request.actor, product=product)
            done += 1
        except DomainError as exc:
            failed.append(f"{product.name}: {exc.message}")
    messages.success(request, _("%(n)s products approved.") % {"n": done})
    for line in failed:
        messages.error(request, line)
    return redirect("catalogue:queue")


@require(Permission.PRODUCT_IMPORT_ASSISTED)
def assisted_import(request):
    return _import_page(request, AssistedProductImportForm, vendor=None, mode=None)


def _import_page(request, form_class, *, vendor, mode):
    form = form_class(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        seller = vendor
        if seller is None:
            from katalog.vendors.validators import digits

            seller = (
                vendor_selectors.vendors_visible_to(request.actor)
                .filter(nib=digits(form.cleaned_data["nib"]), status=VendorStatus.VERIFIED)
                .first()
            )
            if seller is None:
                form.add_error("nib", _("No verified vendor has this NIB."))
        if seller is not None:
            upload = form.cleaned_data["file"]
            try:
                table = read_table(upload.read(), upload.name, columns=imports.COLUMNS, required=imports.REQUIRED)
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                chosen = mode or ("approve" if form.cleaned_data.get("approve") else "submit")
                outcome = imports.run_import(actor=request.actor, vendor=seller, table=table, mode=chosen)
                request.session["product_import_report"] = [list(r) for r in outcome.rejections]
    return render(request, "catalogue/import.html", {"form": form, "outcome": outcome, "columns": imports.COLUMNS})


@require(Permission.SYNONYM_MANAGE)
def synonyms(request):
    """The tenant's synonym list: one `term = expansion` per line."""
    katalog = request.actor.katalog
    current = Synonym.objects.filter(tenant_id=katalog.pk).order_by("term")
    errors = []
    text = "\n".join(f"{s.term} = {s.expansion}" for s in current)
    if request.method == "POST":
        text = request.POST.get("synonyms", "")
        pairs = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            term, sep, expansion = line.partition("=")
            if not sep or not term.strip() or not expansion.strip():
                errors.append(_("Line %(n)s: write “term = words”.") % {"n": n})
            else:
                pairs.append((term.strip().lower()[:60], expansion.strip().lower()[:200]))
        if not errors:
            search_services.synonyms_replace(actor=request.actor, pairs=pairs)
            messages.success(request, _("%(n)s synonyms saved.") % {"n": len(pairs)})
            return redirect("catalogue:synonyms")
    return render(request, "catalogue/synonyms.html", {"text": text, "errors": errors})


@require(Permission.SYNONYM_MANAGE)
def zero_results(request):
    """The week's searches that found nothing (most frequent first), each with a form to add a
    synonym for it; `?week=2026-W48` shows an earlier week."""
    katalog = request.actor.katalog
    this_week = suggest.iso_week()
    week = request.GET.get("week") or this_week
    if not ZERO_WEEK.fullmatch(week):
        week = this_week
    rows = suggest.zero_results_of_week(katalog.pk, week)
    terms = set(Synonym.objects.filter(tenant_id=katalog.pk).values_list("term", flat=True))
    weeks = suggest.recent_weeks(katalog.pk)
    return render(
        request,
        "catalogue/zero_results.html",
        {"rows": rows, "week": week, "this_week": this_week, "weeks": weeks, "terms": terms},
    )


ZERO_WEEK = re.compile(r"\d{4}-W\d{2}")


@require(Permission.SYNONYM_MANAGE)
@require_POST
def synonym_add(request):
    """One click from the zero-result list: add `term = words` to the tenant's synonyms (audited)."""
    katalog = request.actor.katalog
    term = (request.POST.get("term") or "").strip().lower()
    expansion = (request.POST.get("expansion") or "").strip().lower()
    current = list(Synonym.objects.filter(tenant_id=katalog.pk).order_by("term").values_list("term", "expansion"))
    try:
        search_services.synonyms_replace(actor=request.actor, pairs=[*current, (term, expansion)])
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Synonym added: %(term)s = %(words)s.") % {"term": term, "words": expansion})
    return redirect_next(request, "catalogue:zero_results")


@require(Permission.CATEGORY_MANAGE)
def categories(request):
    """The tenant's category tree; add a category or change one (name, code, parent, attributes)."""
    from .forms import CategoryForm

    katalog = request.actor.katalog
    tree = selectors.categories_of(katalog)
    editing = None
    if request.GET.get("edit"):
        editing = next((c for c in tree if str(c.pk) == request.GET["edit"]), None)
    form = CategoryForm(request.POST or None, katalog=katalog, instance=editing)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.category_save(
                actor=request.actor,
                name=d["name"],
                code=d["code"],
                parent=d["parent"],
                attributes_text=d["attributes"],
                category=editing,
            )
        except DomainError as exc:
            show_domain_error(request, form, exc)
        else:
            messages.success(request, _("Category saved."))
            return redirect("catalogue:categories")
    return render(request, "catalogue/categories.html", {"tree": tree, "form": form, "editing": editing})
