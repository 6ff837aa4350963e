"""Product forms: a phone-friendly single form for a vendor, and the curator's forms."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.core.uploads import validate_table_file
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
    """The first screen asks only what a buyer must see: photo, name, price, unit, stock, category.
    Everything else sits under "Lainnya" (`MORE_FIELDS`) with defaults that fit most UMKM."""

    photo = forms.FileField(
        label=_("Take a photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("A clear photo of the product (JPG, PNG or WebP)."),
    )
    # `capture` makes Chrome on Android open the camera directly, without the gallery: a photo
    # already in the gallery (or received on WhatsApp) is picked with this second button.
    photo_gallery = forms.FileField(
        label=_("or pick one from the gallery"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    kept_photo = forms.CharField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Product name"), max_length=200)
    price = RupiahField(
        label=_("Price per unit (highest price)"),
        help_text=_("e.g. 150.000, 150 ribu or 1,5 juta. Buyers may negotiate lower, never higher."),
        widget=forms.TextInput(attrs={"placeholder": "Rp", "autocomplete": "off"}),
    )
    unit = forms.CharField(
        label=_("Unit (satuan)"),
        max_length=30,
        help_text=_("e.g. pcs, kotak, rim, pasang, kg"),
        widget=forms.TextInput(attrs={"list": "unit-suggestions", "autocomplete": "off"}),
    )
    stock = forms.IntegerField(
        label=_("Stock on hand"),
        min_value=0,
        max_value=10_000_000,
        initial=0,
        help_text=_("What you hold now. Orders reserve part of it; buyers can order the rest."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    specifications = forms.CharField(
        label=_("Specifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, “name: value”, e.g. “Ukuran: S, M, L”."),
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
        help_text=_("The whole city, or only the districts you tick."),
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

    FIRST_FIELDS = ("photo", "photo_gallery", "name", "price", "unit", "stock", "category")
    MORE_FIELDS = (
        "description",
        "specifications",
        "min_order",
        "lead_time_days",
        "delivery_area",
        "is_domestic",
        "tkdn_percent",
        "tkdn_number",
        "sni_number",
        "halal_number",
        "pirt_number",
        "bpom_number",
    )
    # Offered while typing the unit (any other unit may be typed).
    unit_suggestions = (
        "pcs",
        "buah",
        "kotak",
        "pak",
        "lusin",
        "rim",
        "lembar",
        "pasang",
        "set",
        "kg",
        "liter",
        "botol",
        "porsi",
    )
    # Fields that may be left out of a post (folded or unticked): their defaults apply.
    DEFAULTS = {"min_order": 1, "lead_time_days": 3}

    CLAIM_FIELDS = {
        ClaimKind.SNI: "sni_number",
        ClaimKind.HALAL: "halal_number",
        ClaimKind.PIRT: "pirt_number",
        ClaimKind.BPOM: "bpom_number",
    }

    def __init__(self, *args, katalog: Katalog, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.katalog = katalog
        self.session = session
        self.categories = {c.pk: c for c in categories_of(katalog)}
        self.fields["category"].choices = [("", _("— choose —"))] + [
            (c.pk, ("· " * (c.level - 1)) + c.name) for c in self.categories.values()
        ]
        city = Region.objects.filter(code=katalog.region_id).values_list("name", flat=True).first() or ""
        self.fields["delivery_area"].choices = [
            (katalog.region_id, _("The whole city (%(name)s)") % {"name": city} if city else _("The whole city"))
        ] + list(
            Region.objects.filter(parent_id=katalog.region_id, level=RegionLevel.DISTRICT).values_list("code", "name")
        )
        self.fields["delivery_area"].initial = [katalog.region_id]
        if self.is_bound:
            # Folded fields a phone did not send keep their defaults instead of failing as "required".
            data = self.data.copy()
            for name, value in self.DEFAULTS.items():
                if data.get(self.add_prefix(name)) in (None, ""):
                    data[self.add_prefix(name)] = value
            self.data = data
        self.kept_photo_token = ""

    @property
    def more_open(self) -> bool:
        """Open "Lainnya" when one of its fields has an error."""
        return any(name in self.errors for name in self.MORE_FIELDS)

    def first_fields(self):
        return [self[name] for name in self.FIRST_FIELDS if name not in ("photo", "photo_gallery")]

    def more_fields(self):
        return [self[name] for name in self.MORE_FIELDS]

    @property
    def kept_thumbnail(self) -> str:
        from .photos import kept_thumbnail_data_uri

        return kept_thumbnail_data_uri(self.session, self.kept_photo_token) if self.session is not None else ""

    def clean_delivery_area(self):
        codes = self.cleaned_data["delivery_area"]
        # The whole city is stored as an empty list, as before (and as the import writes it).
        if not codes or self.katalog.region_id in codes:
            return []
        return codes

    def clean(self):
        data = super().clean()
        from .photos import keep_photo, kept_photo

        upload = data.get("photo") or data.get("photo_gallery")
        token = data.get("kept_photo") or ""
        if upload:
            if self.session is not None:
                # Checked (and re-encoded) now, so a bad photo is an error at once and a good one is kept
                # across any other error on this form.
                try:
                    token = keep_photo(self.session, upload)
                except ValidationError as exc:
                    self.add_error("photo", exc)
                    token = ""
                else:
                    upload = kept_photo(self.session, token)
            data["photo"] = upload
        elif token and self.session is not None:
            data["photo"] = kept_photo(self.session, token)
            if data["photo"] is None:
                token = ""
        self.kept_photo_token = token
        if self.is_bound:
            self.data[self.add_prefix("kept_photo")] = token  # sent back with the next try
        return data

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
        "delivery_area": v.delivery_area or [product.katalog.region_id],
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
        label=_("Product file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        validators=[validate_table_file],
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
