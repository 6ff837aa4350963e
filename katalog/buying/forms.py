"""Forms of the buying pages. They only parse what was typed; every rule lives in the services."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from katalog.core.money import MoneyParseError, parse_rupiah
from katalog.core.uploads import validate_photo, validate_table_file

from .models import PaymentMethod, RefusalMode

SCORES = [(n, str(n)) for n in range(5, 0, -1)]


class RupiahField(forms.CharField):
    """An amount as people type it (`220.000`, `Rp 220.000`, `220000`), cleaned to a Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_rupiah(value)
        except MoneyParseError:
            raise forms.ValidationError(_("Write an amount in rupiah, e.g. 1.500.000.")) from None
        if amount < 0:
            raise forms.ValidationError(_("The amount may not be negative."))
        return amount


def split_addresses(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class AddressesField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Delivery addresses"))
        kwargs.setdefault("help_text", _("One address per line; a delivery may go to any of them."))
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        addresses = split_addresses(text)
        if not addresses:
            raise forms.ValidationError(_("Give at least one delivery address."))
        if any(len(a) > 300 for a in addresses):
            raise forms.ValidationError(_("An address may have at most 300 characters."))
        return addresses


class BudgetLineField(forms.ModelChoiceField):
    """A budget line chosen by its RUP code, among the lines the caller's selector returned."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("label", _("Budget line (RUP package)"))
        kwargs.setdefault("empty_label", None)
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(queryset=queryset, to_field_name="kode_rup", **kwargs)


class CheckoutForm(forms.Form):
    """One vendor's cart lines become a draft order."""

    budget_line = BudgetLineField(queryset=None)
    addresses = AddressesField()
    note = forms.CharField(
        label=_("Note for the order"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = budget_lines
        only = list(budget_lines[:2])
        if len(only) == 1:  # one line to charge: chosen already, one tap less on a phone
            self.initial.setdefault("budget_line", only[0].kode_rup)


class BuyNowForm(CheckoutForm):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000_000)

    field_order = ["quantity", "budget_line", "addresses", "note"]


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000_000)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Your reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReceiveForm(forms.Form):
    """The PPK's check before the BAST. Lateness is not ticked: it is computed from the delivery
    dates and the deadline of the Surat Pesanan."""

    quantity_ok = forms.BooleanField(label=_("The quantities are right"), required=False)
    condition_ok = forms.BooleanField(label=_("The goods are in good condition"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RefuseForm(forms.Form):
    """Refuse delivered goods that fail the check: how many of each item, replaced or taken off the
    order, why, and a photo."""

    mode = forms.ChoiceField(label=_("What happens to them"), choices=RefusalMode.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.FileField(
        label=_("Photo of the goods"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        validators=[validate_photo],
    )

    def __init__(self, *args, items, **kwargs):
        kwargs.setdefault("initial", {"mode": RefusalMode.REPLACE})
        super().__init__(*args, **kwargs)
        self.items = [i for i in items if i.delivered_quantity > 0]
        for item in self.items:
            self.fields[f"refuse_{item.pk}"] = forms.IntegerField(
                label=item.version.name,
                min_value=0,
                max_value=item.delivered_quantity,
                initial=0,
                help_text=_("%(n)s delivered") % {"n": item.delivered_quantity},
            )

    def quantity_fields(self):
        return [self[f"refuse_{i.pk}"] for i in self.items]

    def lines(self) -> dict[int, int]:
        return {i.pk: self.cleaned_data.get(f"refuse_{i.pk}") or 0 for i in self.items}


class InvoiceForm(forms.Form):
    invoice_date = forms.DateField(
        label=_("Invoice date"),
        required=False,  # today when left empty
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"invoice_date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class PayForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(label=_("Reference (e.g. the SP2D number)"), max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RateForm(forms.Form):
    quality = forms.TypedChoiceField(label=_("Quality"), choices=SCORES, coerce=int)
    timeliness = forms.TypedChoiceField(label=_("Timeliness"), choices=SCORES, coerce=int)
    service = forms.TypedChoiceField(label=_("Service"), choices=SCORES, coerce=int)
    price = forms.TypedChoiceField(label=_("Price"), choices=SCORES, coerce=int)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class OfferForm(forms.Form):
    """Per item: unit price, quantity and shipping. Fields are named `<what>_<item id>`."""

    message = forms.CharField(
        label=_("Message"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, items, start: dict[int, dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        start = start or {}
        for item in self.items:
            figures = start.get(item.pk, {})
            self.fields[f"price_{item.pk}"] = RupiahField(
                label=_("Unit price"), initial=_plain(figures.get("unit_price", item.unit_price))
            )
            self.fields[f"quantity_{item.pk}"] = forms.IntegerField(
                label=_("Quantity"),
                min_value=1,
                max_value=10_000_000,
                initial=figures.get("quantity", item.quantity),
            )
            self.fields[f"shipping_{item.pk}"] = RupiahField(
                label=_("Shipping"),
                required=False,
                initial=_plain(figures.get("shipping_cost", item.shipping_cost)),
            )

    def rows(self):
        """(item, price field, quantity field, shipping field) for the template's table."""
        return [(i, self[f"price_{i.pk}"], self[f"quantity_{i.pk}"], self[f"shipping_{i.pk}"]) for i in self.items]

    def lines(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                "item": i.pk,
                "unit_price": str(d[f"price_{i.pk}"]),
                "quantity": d[f"quantity_{i.pk}"],
                "shipping_cost": str(d.get(f"shipping_{i.pk}") or Decimal(0)),
            }
            for i in self.items
        ]


class DeliverForm(forms.Form):
    """One delivery: where, when, how many of each item, an optional photo."""

    address = forms.TypedChoiceField(label=_("Delivered to"), coerce=int, widget=forms.RadioSelect)
    delivered_on = forms.DateField(
        label=_("Delivered on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    photo = forms.FileField(
        label=_("Photo of the handover"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        validators=[validate_photo],
    )

    def __init__(self, *args, addresses, items, **kwargs):
        kwargs.setdefault("initial", {"delivered_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [(a.pk, a.address) for a in addresses]
        if len(self.fields["address"].choices) == 1:
            self.initial.setdefault("address", self.fields["address"].choices[0][0])
        self.items = [i for i in items if i.delivered_quantity < i.quantity]
        for item in self.items:
            left = item.quantity - item.delivered_quantity
            self.fields[f"quantity_{item.pk}"] = forms.IntegerField(
                label=item.version.name,
                min_value=0,
                max_value=left,
                initial=left,
                help_text=_("%(left)s still to deliver") % {"left": left},
            )

    def quantity_fields(self):
        return [self[f"quantity_{i.pk}"] for i in self.items]

    def lines(self) -> dict[int, int]:
        return {i.pk: self.cleaned_data.get(f"quantity_{i.pk}") or 0 for i in self.items}


class BudgetImportForm(forms.Form):
    file = forms.FileField(
        label=_("RUP file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        validators=[validate_table_file],
    )
    dry_run = forms.BooleanField(label=_("Only check the file; write nothing"), required=False)


class DayOffForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    name = forms.CharField(label=_("Name"), max_length=120)


def _plain(amount) -> str:
    """`220000.00` → `220000`, for an input a person edits."""
    value = Decimal(str(amount))
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)
