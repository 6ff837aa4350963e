"""Buying pages: cart, checkout, orders and their actions, notifications, budget lines, days off.

Each view parses, loads through a scoped selector (another office's order is a 404), checks the
right, calls one service and renders. A service's error is shown on the page with what was typed."""

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from katalog.catalogue import selectors as catalogue_selectors
from katalog.core.decorators import require
from katalog.core.errors import DomainError
from katalog.core.feedback import show_domain_error
from katalog.core.idempotency import idempotent_page
from katalog.core.permissions import OFFICE_ROLES, Permission, Role
from katalog.core.tenancy import ACTING_OFFICE_KEY
from katalog.messaging.selectors import in_app_of

from . import documents, forms, imports, selectors, services, services_calendar, taxes, workflow
from .models import OfferSide, Order, OrderStatus

REPLY = "reply"  # the vendor's one reply to a rating: not a transition, but an action of the page


# --- Helpers --------------------------------------------------------------------------------------


def require_any(*permissions: Permission):
    """Like `@require`, but one of the rights is enough (orders: one's own, or all of them)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.actor.can(p) for p in permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permissions = permissions  # type: ignore[attr-defined]
        wrapped.required_any = True  # type: ignore[attr-defined]
        return wrapped

    return decorator


# A service names the fields of its own vocabulary; the page's form may call them otherwise.
FIELD_ALIASES = {"delivery_address": "addresses"}


def _posted(request):
    """The POST data when the form was sent (even empty), so an empty form is bound and says why."""
    return request.POST if request.method == "POST" else None


def _buyable_lines(actor):
    """The budget lines this buyer may charge here: those of the office they act for (chosen in the
    header; the service checks the roles held in the line's office)."""
    return selectors.buyable_lines_for(actor)


@require(Permission.ORDER_BUY)
@require_POST
def choose_office(request):
    """The header's office switcher: a user with buyer roles in several offices chooses the one they
    act for (kept in the session). Only an office where they hold a buyer role may be chosen."""
    try:
        office_id = int(request.POST.get("office", ""))
    except (TypeError, ValueError):
        raise Http404 from None
    office = next((o for o in request.actor.offices_with(Role.PP, Role.PPK) if o.pk == office_id), None)
    if office is None:
        raise Http404
    request.session[ACTING_OFFICE_KEY] = office.pk
    messages.success(request, _("You now act for %(office)s.") % {"office": office.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target if target.startswith("/") else "/")


# --- Cart -----------------------------------------------------------------------------------------


def _cart_context(request, bound: tuple[int, forms.CheckoutForm] | None = None) -> dict:
    actor = request.actor
    lines = list(selectors.cart_of(actor).order_by("product__vendor__name", "product__vendor_id", "pk"))
    budget_lines = _buyable_lines(actor)
    groups = []
    for vendor_id, items in groupby(lines, key=lambda line: line.product.vendor_id):
        items = list(items)
        for line in items:
            version = line.product.listed_version
            line.on_sale = line.product.status == "listed" and version is not None
            line.subtotal = version.price * line.quantity if version is not None else None
        if bound is not None and bound[0] == vendor_id:
            form = bound[1]
        else:
            form = forms.CheckoutForm(budget_lines=budget_lines, auto_id=f"v{vendor_id}_%s")
        groups.append(
            {
                "vendor": items[0].product.vendor,
                "lines": items,
                "form": form,
                "total": sum((line.subtotal or Decimal(0) for line in items), Decimal(0)),
            }
        )
        # DPP, PPN (a PKP vendor only) and total, as the draft, the SP and the invoice will show them.
        groups[-1]["tax"] = taxes.vat_of(groups[-1]["total"], pkp=items[0].product.vendor.is_vat_registered)
    return {"groups": groups, "budget_lines": budget_lines}


@require(Permission.ORDER_BUY)
def cart(request):
    """The cart, one block per vendor: one checkout takes one vendor's lines."""
    return render(request, "buying/cart.html", _cart_context(request))


@require(Permission.ORDER_BUY)
@require_POST
def cart_add(request, product_id: int):
    product = catalogue_selectors.get_public_product(request.actor.katalog, product_id)
    form = forms.CartQuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The quantity must be a whole number of at least 1."))
        return redirect("catalogue:product", pk=product.pk)
    try:
        services.cart_add(actor=request.actor, product=product, quantity=form.cleaned_data["quantity"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("catalogue:product", pk=product.pk)
    messages.success(request, _("“%(name)s” is in your cart.") % {"name": product.listed_version.name})
    return redirect("buying:cart")


def _cart_line(request, pk: int):
    line = selectors.cart_of(request.actor).filter(pk=pk).first()
    if line is None:
        raise Http404
    return line


@require(Permission.ORDER_BUY)
@require_POST
def cart_update(request, pk: int):
    line = _cart_line(request, pk)
    form = forms.CartQuantityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The quantity must be a whole number of at least 1."))
        return redirect("buying:cart")
    try:
        services.cart_add(actor=request.actor, product=line.product, quantity=form.cleaned_data["quantity"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("buying:cart")


@require(Permission.ORDER_BUY)
@require_POST
def cart_remove(request, pk: int):
    line = _cart_line(request, pk)
    services.cart_remove(actor=request.actor, item=line)
    messages.success(request, _("Removed from the cart."))
    return redirect("buying:cart")


@require(Permission.ORDER_BUY)
@require_POST
@idempotent_page
def checkout(request, vendor_id: int):
    """One vendor's cart lines become a draft order charged to the chosen budget line."""
    actor = request.actor
    if not selectors.cart_of(actor).filter(product__vendor_id=vendor_id).exists():
        raise Http404
    form = forms.CheckoutForm(request.POST, budget_lines=_buyable_lines(actor), auto_id=f"v{vendor_id}_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            order = services.order_from_cart(
                actor=actor,
                vendor_id=vendor_id,
                budget_line=d["budget_line"],
                addresses=d["addresses"],
                note=d.get("note", ""),
            )
        except DomainError as exc:
            show_domain_error(request, form, exc, aliases=FIELD_ALIASES)
        else:
            messages.success(request, _("Order #%(n)s is drafted. Negotiate or submit it.") % {"n": order.pk})
            return redirect("buying:order", pk=order.pk)
    return render(request, "buying/cart.html", _cart_context(request, bound=(vendor_id, form)), status=422)


@require(Permission.ORDER_BUY)
@idempotent_page
def buy_now(request, product_id: int):
    """Buy one product straight away: quantity, budget line and address, then a draft order."""
    actor = request.actor
    product = catalogue_selectors.get_public_product(actor.katalog, product_id)
    version = product.listed_version
    initial = {"quantity": request.GET.get("quantity") or version.min_order}
    form = forms.BuyNowForm(_posted(request), budget_lines=_buyable_lines(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = services.order_create(
                actor=actor,
                budget_line=d["budget_line"],
                addresses=d["addresses"],
                note=d["note"],
                items=[services.ItemRequest(product.pk, d["quantity"])],
            )
        except DomainError as exc:
            show_domain_error(request, form, exc, aliases=FIELD_ALIASES)
        else:
            messages.success(request, _("Order #%(n)s is drafted. Negotiate or submit it.") % {"n": order.pk})
            return redirect("buying:order", pk=order.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "buying/buy_now.html", {"product": product, "version": version, "form": form}, status=status)


# --- Orders ---------------------------------------------------------------------------------------


@require_any(Permission.ORDER_VIEW, Permission.ORDER_VIEW_ALL)
def order_list(request):
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    qs = selectors.orders_visible_to(request.actor).select_related("vendor", "office", "budget_line")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-pk"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "buying/orders.html",
        {"page": page, "status": status, "statuses": OrderStatus.choices, "now": timezone.now()},
    )


def _offer_rows(order: Order, items: dict) -> list[dict]:
    rows = []
    for offer in order.offers.select_related("made_by"):
        lines = []
        for line in offer.lines:
            item = items.get(line["item"])
            price, shipping = Decimal(line["unit_price"]), Decimal(line["shipping_cost"])
            lines.append(
                {
                    "name": item.version.name if item else f"#{line['item']}",
                    "unit_price": price,
                    "quantity": line["quantity"],
                    "shipping_cost": shipping,
                    "total": price * line["quantity"] + shipping,
                }
            )
        rows.append({"offer": offer, "lines": lines, "total": sum((ln["total"] for ln in lines), Decimal(0))})
    return rows


def _default_forms(order: Order, items: list, actions: list[str]) -> dict:
    """An empty form for each action this actor may take now."""
    made = {}
    if workflow.PROPOSE in actions or workflow.COUNTER in actions:
        last = order.offers.last()
        start = {line["item"]: line for line in last.lines} if last else None
        made["offer"] = forms.OfferForm(items=items, start=start)
    if workflow.DELIVER in actions:
        made[workflow.DELIVER] = forms.DeliverForm(addresses=order.addresses.all(), items=items)
    if workflow.REFUSE in actions:
        made[workflow.REFUSE] = forms.RefuseForm(items=items)
    for action, form_class in (
        (workflow.RECEIVE, forms.ReceiveForm),
        (workflow.INVOICE, forms.InvoiceForm),
        (workflow.PAY, forms.PayForm),
        (workflow.RATE, forms.RateForm),
        (workflow.CANCEL, forms.CancelForm),
        (workflow.REQUEST_CANCEL, forms.CancelForm),
        (workflow.DECLINE_CANCEL, forms.CancelForm),
        (REPLY, forms.ReplyForm),
    ):
        if action in actions:
            made[action.replace("-", "_")] = form_class()  # a template names them with "_"
    return made


def _order_context(request, order: Order, bound: dict | None = None) -> dict:
    actor = request.actor
    items = list(order.items.select_related("version", "product").order_by("pk"))
    actions = selectors.order_actions(actor, order)
    page_forms = _default_forms(order, items, actions)
    page_forms.update(bound or {})
    context = {
        "order": order,
        "items": items,
        "actions": actions,
        "forms": page_forms,
        "addresses": list(order.addresses.all()),
        "offers": _offer_rows(order, {i.pk: i for i in items}),
        "documents": list(order.documents.order_by("kind")),
        "deliveries": list(
            order.deliveries.select_related("address", "recorded_by")
            .prefetch_related("lines__item__version")
            .order_by("delivered_on", "pk")
        ),
        "receipt": getattr(order, "receipt_check", None),
        "refusals": list(order.refusals.select_related("item__version")),
        "expiring": services.is_overdue(order),
        "changed": services.changed_items(order) if order.status == OrderStatus.DRAFT else [],
        "invoice": getattr(order, "invoice", None),
        "rating": getattr(order, "rating", None),
        "days_to_payment": selectors.days_from_bast_to_payment(order),
        "unpaid_overdue": selectors.unpaid_overdue(order),
        "items_total": sum((i.line_total for i in items), Decimal(0)),
        "parties": services.parties_of(actor, order),
        # The office's budget figures are the office's business: a vendor negotiating the price
        # does not see how much of the ceiling is left.
        "show_budget": actor.can(Permission.ORDER_VIEW_ALL) or bool(actor.roles_in(order.office_id) & OFFICE_ROLES),
    }
    context["payments"] = list(context["invoice"].payments.order_by("paid_on", "pk")) if context["invoice"] else []
    if context["invoice"] is not None and workflow.PAY in actions:
        context["settlement"] = services.settlement_of(order)
    if workflow.SUBMIT in actions:
        amount = services.amount_to_commit(order, items)
        context["to_commit"] = amount
        context["needs_ppk"] = amount > Decimal(settings.KATALOG_PP_LIMIT) and workflow.PPK not in context["parties"]
        context["pp_limit"] = Decimal(settings.KATALOG_PP_LIMIT)
    if order.status == OrderStatus.NEGOTIATING:
        last = order.offers.last()
        side = OfferSide.VENDOR if workflow.VENDOR in context["parties"] else OfferSide.BUYER
        context["waiting_other_side"] = last is not None and last.side == side and bool(context["parties"])
    return context


def _render_order(request, order: Order, bound: dict | None = None, status: int = 200):
    return render(request, "buying/order.html", _order_context(request, order, bound), status=status)


@require_any(Permission.ORDER_VIEW, Permission.ORDER_VIEW_ALL)
def order_detail(request, pk: int):
    return _render_order(request, selectors.get_order(request.actor, pk))


@dataclass
class Step:
    """One action of the order page: the form it reads (if any), the service it calls, and what
    the user is told when it worked."""

    form: str | None
    call: object
    done: str


def _lines_call(service):
    def call(actor, order, form):
        return service(actor=actor, order=order, lines=form.lines(), message=form.cleaned_data["message"])

    return call


STEPS: dict[str, Step] = {
    workflow.PROPOSE: Step(
        "offer", _lines_call(services.order_propose), gettext_lazy("Your offer was sent to the vendor.")
    ),
    workflow.COUNTER: Step("offer", _lines_call(services.order_counter), gettext_lazy("Your counter-offer was sent.")),
    workflow.ACCEPT: Step(
        None,
        lambda actor, order, form: services.order_accept(actor=actor, order=order),
        gettext_lazy("Offer accepted: its figures are now the order's."),
    ),
    workflow.REPRICE: Step(
        None,
        lambda actor, order, form: services.order_reprice(actor=actor, order=order),
        gettext_lazy("The order now holds the current versions and prices. Check them, then submit."),
    ),
    workflow.SUBMIT: Step(
        None,
        lambda actor, order, form: services.order_submit(actor=actor, order=order),
        gettext_lazy("Submitted: budget and stock are reserved; the PPK has 3 working days to approve."),
    ),
    workflow.APPROVE: Step(
        None,
        lambda actor, order, form: services.order_approve(actor=actor, order=order),
        gettext_lazy("Approved: the Surat Pesanan is issued; the vendor has 3 working days to confirm."),
    ),
    workflow.CONFIRM: Step(
        None,
        lambda actor, order, form: services.order_confirm(actor=actor, order=order),
        gettext_lazy("Confirmed. Record each delivery here."),
    ),
    workflow.DELIVER: Step(
        workflow.DELIVER,
        lambda actor, order, form: services.order_deliver(
            actor=actor,
            order=order,
            address_id=form.cleaned_data["address"],
            lines=form.lines(),
            delivered_on=form.cleaned_data["delivered_on"],
            photo=form.cleaned_data.get("photo"),
        ),
        gettext_lazy("The delivery is recorded."),
    ),
    workflow.REFUSE: Step(
        workflow.REFUSE,
        lambda actor, order, form: services.order_refuse(
            actor=actor,
            order=order,
            lines=form.lines(),
            mode=form.cleaned_data["mode"],
            reason=form.cleaned_data["reason"],
            photo=form.cleaned_data.get("photo"),
        ),
        gettext_lazy("The refusal is recorded and the vendor is told."),
    ),
    workflow.RECEIVE: Step(
        workflow.RECEIVE,
        lambda actor, order, form: services.order_receive(actor=actor, order=order, **form.cleaned_data),
        gettext_lazy("Receipt checked: the BAST is signed."),
    ),
    workflow.INVOICE: Step(
        workflow.INVOICE,
        lambda actor, order, form: services.order_invoice(
            actor=actor, order=order, invoice_date=form.cleaned_data["invoice_date"]
        ),
        gettext_lazy("The invoice was sent to the treasurer."),
    ),
    workflow.PAY: Step(
        workflow.PAY,
        lambda actor, order, form: services.order_pay(actor=actor, order=order, **form.cleaned_data),
        gettext_lazy("The payment is recorded."),
    ),
    workflow.RATE: Step(
        workflow.RATE,
        lambda actor, order, form: services.order_rate(actor=actor, order=order, **form.cleaned_data),
        gettext_lazy("Thank you: the vendor is rated."),
    ),
    workflow.CANCEL: Step(
        workflow.CANCEL,
        lambda actor, order, form: services.order_cancel(actor=actor, order=order, reason=form.cleaned_data["reason"]),
        gettext_lazy("The order is cancelled; budget and stock are released."),
    ),
    workflow.REQUEST_CANCEL: Step(
        "request_cancel",
        lambda actor, order, form: services.order_request_cancel(
            actor=actor, order=order, reason=form.cleaned_data["reason"]
        ),
        gettext_lazy("Your request to cancel was sent to the PPK."),
    ),
    workflow.DECLINE_CANCEL: Step(
        "decline_cancel",
        lambda actor, order, form: services.order_decline_cancel(
            actor=actor, order=order, reason=form.cleaned_data["reason"]
        ),
        gettext_lazy("The order stays; the vendor is told why."),
    ),
    REPLY: Step(
        REPLY,
        lambda actor, order, form: services.rating_reply(
            actor=actor, rating=order.rating, reply=form.cleaned_data["reply"]
        ),
        gettext_lazy("Your reply is published."),
    ),
}


def _may_ever(action: str, parties: frozenset[str]) -> bool:
    """Whether this party takes part in `action` in any status (else the POST is a 403)."""
    if action == REPLY:
        return workflow.VENDOR in parties
    return any(a == action and rule.parties & parties for (_s, a), rule in workflow.TRANSITIONS.items())


def _bound_form(request, order: Order, name: str):
    data, files = request.POST, request.FILES
    if name == "offer":
        return forms.OfferForm(data, items=order.items.select_related("version").order_by("pk"))
    if name == workflow.REFUSE:
        return forms.RefuseForm(data, files, items=order.items.select_related("version").order_by("pk"))
    if name == workflow.DELIVER:
        return forms.DeliverForm(
            data,
            files,
            addresses=order.addresses.all(),
            items=order.items.select_related("version").order_by("pk"),
        )
    return {
        workflow.RECEIVE: forms.ReceiveForm,
        workflow.INVOICE: forms.InvoiceForm,
        workflow.PAY: forms.PayForm,
        workflow.RATE: forms.RateForm,
        workflow.CANCEL: forms.CancelForm,
        "request_cancel": forms.CancelForm,
        "decline_cancel": forms.CancelForm,
        REPLY: forms.ReplyForm,
    }[name](data)


@require_any(Permission.ORDER_VIEW, Permission.ORDER_VIEW_ALL)
@require_POST
@idempotent_page
def order_action(request, pk: int, action: str):
    """POST /belanja/pesanan/<id>/<action>/: one transition, by the party the table allows."""
    step = STEPS.get(action)
    if step is None:
        raise Http404
    actor = request.actor
    order = selectors.get_order(actor, pk)
    if not _may_ever(action, services.parties_of(actor, order)):
        raise PermissionDenied
    if action == REPLY and getattr(order, "rating", None) is None:
        raise Http404
    form = _bound_form(request, order, step.form) if step.form else None
    if form is not None and not form.is_valid():
        return _render_order(request, order, {step.form: form}, status=422)
    try:
        step.call(actor, order, form)
    except DomainError as exc:
        fresh = selectors.get_order(actor, pk)
        # The form goes back with the error when it is still offered; else the page says why.
        shown = form if action in selectors.order_actions(actor, fresh) else None
        show_domain_error(request, shown, exc, aliases=FIELD_ALIASES)
        bound = {step.form: form} if shown is not None else {}
        return _render_order(request, fresh, bound, status=exc.status)
    messages.success(request, str(step.done))
    return redirect("buying:order", pk=pk)


@require_any(Permission.ORDER_VIEW, Permission.ORDER_VIEW_ALL)
def order_document(request, pk: int, kind: str):
    """The Surat Pesanan, BAST, invoice or kuitansi of an order, for whoever may see the order. A read:
    a document the worker has not rendered yet is rendered in memory, not stored."""
    order = selectors.get_order(request.actor, pk)
    document = get_object_or_404(order.documents, kind=kind)
    response = HttpResponse(documents.read_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number.replace("/", "-")}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # an official document of public money: not cached
    return response


@require_any(Permission.ORDER_VIEW, Permission.ORDER_VIEW_ALL)
def delivery_photo(request, pk: int, delivery_id: int):
    order = selectors.get_order(request.actor, pk)
    delivery = get_object_or_404(order.deliveries, pk=delivery_id)
    if not delivery.photo:
        raise Http404
    response = FileResponse(delivery.photo.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Notifications --------------------------------------------------------------------------------


def _signed_in(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@_signed_in
def notification_list(request):
    page = Paginator(selectors.notifications_of(request.actor).select_related("order"), 50).get_page(
        request.GET.get("page")
    )
    # Account and product news (verification, curation) come from messaging: orders' rows are ours.
    news = list(in_app_of(request.actor)[:20])
    return render(request, "buying/notifications.html", {"page": page, "news": news})


@_signed_in
@require_POST
def notifications_read(request):
    count = services.notifications_mark_read(actor=request.actor)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("buying:notifications")


# --- Budget lines ---------------------------------------------------------------------------------


def _may_see_budget(actor) -> bool:
    return (
        actor.can(Permission.BUDGET_MANAGE)
        or actor.can(Permission.ORDER_VIEW_ALL)
        or (actor.office is not None and bool(actor.roles & OFFICE_ROLES))
    )


@_signed_in
def budget_lines(request):
    """Buyers see their office's lines; those who manage budget lines (or audit) see all."""
    actor = request.actor
    if not _may_see_budget(actor):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:100]
    qs = selectors.budget_lines_for(actor).order_by("office__code", "kode_rup")
    if q:
        qs = qs.filter(Q(kode_rup__icontains=q) | Q(name__icontains=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "buying/budget_lines.html",
        {
            "page": page,
            "q": q,
            "can_import": actor.can(Permission.BUDGET_MANAGE),
        },
    )


REPORT_KEY = "rup_import_report"


@require(Permission.BUDGET_MANAGE)
def budget_import(request):
    """Upload the RUP file: the summary and every rejected row are shown at once."""
    form = forms.BudgetImportForm(_posted(request), request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > settings.KATALOG_MAX_IMPORT_BYTES:
                raise imports.ImportFileError(_("The file is too large."))
            table = imports.read_table(upload.read(), upload.name)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            try:
                outcome = imports.run_import(
                    actor=request.actor,
                    katalog=request.actor.katalog,
                    table=table,
                    source_name=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except DomainError as exc:
                show_domain_error(request, form, exc, aliases=FIELD_ALIASES)
            else:
                request.session[REPORT_KEY] = [list(r) for r in outcome.rejections]
    return render(
        request,
        "buying/budget_import.html",
        {
            "form": form,
            "outcome": outcome,
            "columns": imports.COLUMNS,
            "required": imports.REQUIRED_COLUMNS,
            "dry_run": form.is_bound and form.is_valid() and form.cleaned_data["dry_run"],
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@require(Permission.BUDGET_MANAGE)
def budget_import_report(request):
    """The last import's rejected rows as CSV (baris, kolom, alasan)."""
    out = io.StringIO()
    imports.write_report([tuple(r) for r in request.session.get(REPORT_KEY, [])], out)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="laporan-impor-rup.csv"'
    return response


# --- Local days off -------------------------------------------------------------------------------


@require(Permission.DAYS_OFF_MANAGE)
def days_off(request):
    """The tenant's own days off, on top of the national holidays the calendar already knows."""
    actor = request.actor
    form = forms.DayOffForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            day = services_calendar.day_off_add(
                actor=actor, day=form.cleaned_data["date"], name=form.cleaned_data["name"]
            )
        except DomainError as exc:
            show_domain_error(request, form, exc, aliases=FIELD_ALIASES)
        else:
            messages.success(
                request,
                _("%(name)s (%(day)s) is a day off.") % {"name": day.name, "day": day.date.strftime("%d-%m-%Y")},
            )
            return redirect("buying:days_off")
    today = timezone.localdate()
    rows = selectors.days_off_of(actor)
    return render(
        request,
        "buying/days_off.html",
        {
            "form": form,
            "upcoming": rows.filter(date__gte=today),
            "past": rows.filter(date__lt=today).order_by("-date")[:20],
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@require(Permission.DAYS_OFF_MANAGE)
@require_POST
def day_off_remove(request, pk: int):
    day = get_object_or_404(selectors.days_off_of(request.actor), pk=pk)
    try:
        services_calendar.day_off_remove(actor=request.actor, day_off=day)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(name)s is no longer a day off.") % {"name": day.name})
    return redirect("buying:days_off")
