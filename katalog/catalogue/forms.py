"""Product forms: a phone-friendly single form for a vendor, and the curator's forms."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.vendors.forms import RupiahField

from .models import ClaimKind
from .selectors import categories_of, missing_attributes
from .services import ProductData


def parse_specifications(text: str) -> dict[str, str]:
    """`key: value; key: value` (or one per line) → {key: value}."""
    specs: dict[str, str] = {}
    for part in re.split(r"[;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise ValidationError(_("Write each specification as “name: value”, e.g. “Bahan: katun”."))
        key, value = (s.strip() for s in part.split(":", 1))
        if not key or not value:
            raise ValidationError(_("Write each specification as “name: value”, e.g. “Bahan: katun”."))
        specs[key[:60]] = value[:200]
    return specs


def format_specifications(specs: dict[str, str]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in specs.items())


def parse_percent(value) -> Decimal | None:
    text = str(value or "").strip().replace("%", "").replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Write TKDN as a percentage between 0 and 100.")) from None
    if not 0 <= number <= 100:
        raise ValidationError(_("Write TKDN as a percentage between 0 and 100."))
    return number.quantize(Decimal("0.01"))


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Product name"), max_length=200)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    specifications = forms.CharField(
        label=_("Specifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, “name: value”, e.g. “Ukuran: S, M, L”."),
    )
    unit = forms.CharField(label=_("Unit (satuan)"), max_length=30, help_text=_("e.g. pcs, kotak, rim, pasang, kg"))
    price = RupiahField(
        label=_("Price per unit (highest price)"), help_text=_("Buyers may negotiate lower, never higher.")
    )
    stock = forms.IntegerField(
        label=_("Stock on hand"),
        min_value=0,
        max_value=10_000_000,
        initial=0,
        help_text=_("What you hold now. Orders reserve part of it; buyers can order the rest."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    min_order = forms.IntegerField(
        label=_("Minimum order"), min_value=1, initial=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    lead_time_days = forms.IntegerField(
        label=_("Lead time (working days)"),
        min_value=0,
        max_value=365,
        initial=3,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    delivery_area = forms.MultipleChoiceField(
        label=_("Delivery area"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to deliver to the whole city."),
    )
    is_domestic = forms.BooleanField(label=_("Made in Indonesia (PDN)"), required=False, initial=True)
    tkdn_percent = forms.CharField(
        label=_("TKDN (%)"), required=False, max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    tkdn_number = forms.CharField(label=_("TKDN certificate number"), required=False, max_length=100)
    sni_number = forms.CharField(label=_("SNI certificate number"), required=False, max_length=100)
    halal_number = forms.CharField(label=_("Halal certificate number"), required=False, max_length=100)
    pirt_number = forms.CharField(label=_("PIRT number"), required=False, max_length=100)
    bpom_number = forms.CharField(label=_("BPOM number"), required=False, max_length=100)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}),
        help_text=_("A clear photo from your phone (JPG or PNG)."),
    )

    CLAIM_FIELDS = {
        ClaimKind.SNI: "sni_number",
        ClaimKind.HALAL: "halal_number",
        ClaimKind.PIRT: "pirt_number",
        ClaimKind.BPOM: "bpom_number",
    }

    def __init__(self, *args, katalog: Katalog, **kwargs):
        super().__init__(*args, **kwargs)
        self.katalog = katalog
        self.categories = {c.pk: c for c in categories_of(katalog)}
        self.fields["category"].choices = [("", _("— choose —"))] + [
            (c.pk, ("· " * (c.level - 1)) + c.name) for c in self.categories.values()
        ]
        self.fields["delivery_area"].choices = list(
            Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT).values_list("code", "name")
        )

    def clean_category(self):
        pk = self.cleaned_data["category"]
        if pk not in self.categories:
            raise ValidationError(_("Choose a category."))
        return self.categories[pk]

    def clean_specifications(self):
        return parse_specifications(self.cleaned_data["specifications"])

    def clean_tkdn_percent(self):
        return parse_percent(self.cleaned_data["tkdn_percent"])

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is None or price <= 0:
            raise ValidationError(_("Give a price above zero."))
        return price

    def missing_attributes(self) -> list[str]:
        """Attributes the chosen category asks for that the vendor did not give (not an error)."""
        d = self.cleaned_data
        if not d.get("category"):
            return []
        kinds = {kind for kind, f in self.CLAIM_FIELDS.items() if d.get(f)}
        return missing_attributes(d["category"], d.get("specifications", {}), kinds)

    def product_data(self) -> ProductData:
        d = self.cleaned_data
        claims = {kind: d[f] for kind, f in self.CLAIM_FIELDS.items() if d.get(f)}
        if d.get("tkdn_percent") is not None:
            claims[ClaimKind.TKDN] = d.get("tkdn_number", "")
        return ProductData(
            name=d["name"],
            category=d["category"],
            unit=d["unit"],
            price=d["price"],
            description=d["description"],
            specifications=d["specifications"],
            min_order=d["min_order"],
            lead_time_days=d["lead_time_days"],
            delivery_area=sorted(d["delivery_area"]),
            is_domestic=d["is_domestic"],
            tkdn_percent=d["tkdn_percent"],
            claims=claims,
        )


def initial_from(product) -> dict:
    v = product.latest_version
    claims = {c.kind: c.number for c in v.claims.all()}
    return {
        "name": v.name,
        "category": v.category_id,
        "description": v.description,
        "specifications": format_specifications(v.specifications),
        "unit": v.unit,
        "price": v.price,
        "stock": product.stock,
        "min_order": v.min_order,
        "lead_time_days": v.lead_time_days,
        "delivery_area": v.delivery_area,
        "is_domestic": v.is_domestic,
        "tkdn_percent": "" if v.tkdn_percent is None else str(v.tkdn_percent),
        "tkdn_number": claims.get(ClaimKind.TKDN, ""),
        "sni_number": claims.get(ClaimKind.SNI, ""),
        "halal_number": claims.get(ClaimKind.HALAL, ""),
        "pirt_number": claims.get(ClaimKind.PIRT, ""),
        "bpom_number": claims.get(ClaimKind.BPOM, ""),
    }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the vendor will read this)"), widget=forms.Textarea(attrs={"rows": 3}))


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("Product file (CSV or XLSX)"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"})
    )


class AssistedProductImportForm(ProductImportForm):
    nib = forms.CharField(label=_("Vendor NIB"), max_length=20)
    approve = forms.BooleanField(label=_("List the products at once (curated by me)"), required=False, initial=True)


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Code"), max_length=30, help_text=_("Short and unique, e.g. MKN-KUE."))
    parent = forms.TypedChoiceField(label=_("Parent"), required=False, coerce=int, empty_value=None)
    attributes = forms.CharField(
        label=_("Attributes this category asks for"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, “key: label”, e.g. “pirt: Nomor PIRT atau BPOM”."),
    )

    def __init__(self, data=None, *, katalog: Katalog, instance=None):
        initial = None
        if instance is not None:
            initial = {
                "name": instance.name,
                "code": instance.code,
                "parent": instance.parent_id,
                "attributes": "\n".join(f"{a['key']}: {a['label']}" for a in instance.required_attributes),
            }
        super().__init__(data, initial=initial)
        self.parents = {c.pk: c for c in categories_of(katalog) if c.level < 3 and c != instance}
        self.fields["parent"].choices = [("", _("— top level —"))] + [
            (c.pk, ("· " * (c.level - 1)) + c.name) for c in self.parents.values()
        ]

    def clean_parent(self):
        pk = self.cleaned_data["parent"]
        return self.parents.get(pk) if pk else None
