"""Forms parse and clean what a person typed; services do the writing. Every form keeps what
was typed when it shows an error."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from katalog.core.models import Katalog, Region, RegionLevel
from katalog.core.money import MoneyParseError, parse_rupiah
from katalog.core.uploads import validate_document, validate_table_file

from . import kbli, validators
from .models import DocumentKind

KBLI_CHOICES = 12  # how many KBLI titles a typed word offers at most


class RupiahField(forms.CharField):
    """Accepts `1.500.000`, `1500000` or `Rp 1.500.000`; gives a Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "Rp"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        from decimal import Decimal

        if isinstance(value, Decimal):
            return f"{int(value):,}".replace(",", ".")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_rupiah(value)
        except MoneyParseError:
            raise ValidationError(_("Write an amount in rupiah, for example 150.000.000."), code="money") from None
        if amount < 0:
            raise ValidationError(_("The amount cannot be negative."), code="money")
        return amount


class TenantForm(forms.Form):
    """A form that knows its tenant (for region choices and uniqueness checks)."""

    def __init__(self, *args, katalog: Katalog, **kwargs):
        self.katalog = katalog
        super().__init__(*args, **kwargs)


class AccountForm(TenantForm):
    """The account step. With an e-mail, the owner signs in with it and a password (as always);
    without one, the phone is the login: it is confirmed with a one-time code and no password is
    asked at all (the owner signs in later with a code)."""

    name = forms.CharField(label=_("Business name"), max_length=200)
    owner_name = forms.CharField(label=_("Owner's full name"), max_length=150)
    phone = forms.CharField(
        label=_("Mobile phone (WhatsApp)"),
        max_length=20,
        help_text=_("Without an e-mail you sign in with this number: we send a code to it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Only if you want to sign in with an e-mail and a password."),
    )
    password1 = forms.CharField(
        label=_("Password (only with an e-mail)"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common word."),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].show_optional = False  # the help text says when they are needed

    def clean_phone(self):
        from katalog.accounts.phones import normalize_phone

        value = self.cleaned_data["phone"]
        phone = validators.clean_phone(value)
        # The sign-in form of the number (E.164); only needed without an e-mail, checked in clean().
        self.cleaned_data["phone_e164"] = normalize_phone(value)
        return phone

    def clean_email(self):
        # Whether the address has an account is not said here (accounts/registration.py).
        return self.cleaned_data["email"].lower()

    @property
    def by_phone(self) -> bool:
        """No e-mail: the phone is the login, confirmed by a code."""
        return not self.cleaned_data.get("email") and "email" not in self.errors

    def clean(self):
        from katalog.accounts.models import Profile

        from .claim import registry_vendors_for_phone

        data = super().clean()
        if self.by_phone:
            e164 = data.get("phone_e164")
            # A number with an account is not refused here either: it gets a message (accounts/registration.py).
            if (
                e164
                and not Profile.objects.filter(phone=e164).exists()
                and registry_vendors_for_phone(katalog=self.katalog, phone=e164)
            ):
                self.add_error(
                    "phone",
                    _("A business in the Dinas registry has this phone number: sign in with it to claim the business."),
                )
            data["password1"] = data["password2"] = ""  # no password without an e-mail
            return data
        p1, p2 = data.get("password1"), data.get("password2")
        if not p1:
            self.add_error("password1", _("With an e-mail, choose a password."))
        elif p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif not p2:
            self.add_error("password2", _("Repeat the password."))
        else:
            user = User(username=data.get("email", ""), first_name=data.get("owner_name", ""))
            try:
                password_validation.validate_password(p1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LegalForm(TenantForm):
    # The business and owner names and the contacts, typed at the account step, are here again so
    # that a revision asked by the Dinas ("the name differs from the NIB") can be made by the owner.
    name = forms.CharField(label=_("Business name"), max_length=200)
    owner_name = forms.CharField(label=_("Owner's full name"), max_length=150)
    phone = forms.CharField(
        label=_("Mobile phone (WhatsApp)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    nib = forms.CharField(
        label=_("NIB (13 digits, from OSS)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    npwp = forms.CharField(
        label=_("NPWP"),
        max_length=25,
        help_text=_("15 digits (00.000.000.0-000.000) or 16 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    kbli = forms.CharField(
        label=_("KBLI codes"),
        max_length=200,
        help_text=_(
            "Type a word of your business (kerupuk, jahit, batik) and choose it from the list, or the 5-digit"
            " code. Several: separate them with commas."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "aria-controls": "kbli-suggestions"}),
    )
    sector = forms.CharField(label=_("Sector (what you make or sell)"), max_length=100, required=False)
    is_vat_registered = forms.BooleanField(label=_("My business is a PKP (VAT-registered)"), required=False)

    IDENTITY = ("name", "owner_name", "phone", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kbli_matches: list = []  # the KBLI titles offered as choices when words were typed
        self.kbli_query = ""
        self.fields["kbli"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("vendors:kbli_suggest"),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#kbli-suggestions",
                "hx-params": self.add_prefix("kbli"),
                "hx-sync": "this:replace",
            }
        )
        if self.is_bound and any(self.add_prefix(k) not in self.data for k in self.IDENTITY):
            # A post without these fields (an older page, a script) keeps what is on file.
            data = self.data.copy()
            for key in self.IDENTITY:
                if self.add_prefix(key) not in data:
                    data[self.add_prefix(key)] = self.initial.get(key) or ""
            self.data = data

    def clean_phone(self):
        phone = validators.clean_phone(self.cleaned_data["phone"])
        # The number on file, unchanged, stays as it is stored (whatever its written form).
        on_file = str(self.initial.get("phone") or "")
        try:
            return on_file if on_file and validators.clean_phone(on_file) == phone else phone
        except ValidationError:
            return phone

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean_nib(self):
        return validators.clean_nib(self.cleaned_data["nib"])

    def clean_npwp(self):
        return validators.clean_npwp(self.cleaned_data["npwp"])

    def clean_kbli(self):
        """Codes are checked against the KBLI 2020 list. Words (or an incomplete code) are searched
        in the titles: the matches are offered as choices (`kbli_choice`, radio buttons, also what
        the htmx suggestions post) and the chosen code takes the place of the words."""
        codes, queries = kbli.split_input(self.cleaned_data["kbli"])
        if queries:
            picked = str(self.data.get(self.add_prefix("kbli_choice")) or "").strip()
            if kbli.is_valid(picked):
                codes.append(picked)
                queries = queries[1:]
            if queries:
                self.kbli_query = queries[0]
                self.kbli_matches = kbli.search(queries[0], limit=KBLI_CHOICES)
                if self.kbli_matches:
                    raise ValidationError(_("Choose one line of business."), code="kbli_choose")
                raise ValidationError(
                    _("No KBLI title matches “%(query)s”: try another word, or the 5-digit code.")
                    % {"query": queries[0][:60]},
                    code="kbli_none",
                )
            # Shown as codes from now on (if another field has an error, the page shows the choice made).
            data = self.data.copy()
            data[self.add_prefix("kbli")] = ", ".join(dict.fromkeys(codes))
            data.pop(self.add_prefix("kbli_choice"), None)
            self.data = data
        return validators.clean_kbli_list(codes)


class AddressForm(TenantForm):
    address = forms.CharField(label=_("Street address"), max_length=300)
    district = forms.ModelChoiceField(
        label=_("District (kecamatan)"), queryset=Region.objects.none(), empty_label=_("— choose —")
    )
    # Required when the district has villages in the region data (checked in clean()).
    village = forms.ModelChoiceField(
        label=_("Village (kelurahan)"),
        queryset=Region.objects.none(),
        required=False,
        empty_label=_("— choose the district first —"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.katalog.region_id
        self.fields["district"].queryset = Region.objects.filter(parent_id=code, level=RegionLevel.DISTRICT)
        district = self.data.get(self.add_prefix("district")) or self.initial.get("district")
        district_code = getattr(district, "code", district) or ""
        # Only the villages of the chosen district are offered (htmx refreshes them on change).
        if district_code.startswith(code + "."):
            self.fields["village"].empty_label = _("— choose —")  # the district is chosen already
            self.fields["village"].queryset = Region.objects.filter(parent_id=district_code, level=RegionLevel.VILLAGE)
        self.fields["village"].show_optional = False  # not labelled "optional": clean() may require it
        # Chosen by name ("Medan Johor"), in the order of names; the code is only the value sent.
        for key in ("district", "village"):
            self.fields[key].label_from_instance = lambda region: region.name
            self.fields[key].queryset = self.fields[key].queryset.order_by("name")
        self.fields["district"].widget.attrs.update(
            {"hx-get": "/penyedia/kelurahan/", "hx-target": "#id_village", "hx-trigger": "change"}
        )

    def clean(self):
        data = super().clean()
        district, village = data.get("district"), data.get("village")
        if district and village and village.parent_id != district.code:
            self.add_error("village", _("This village is not in the chosen district."))
        elif district and not village and Region.objects.filter(parent=district).exists():
            self.add_error("village", _("Choose the village (kelurahan)."))
        data["region"] = village or district
        return data


class FinanceForm(TenantForm):
    capital = RupiahField(
        label=_("Business capital (excluding land and buildings)"),
        help_text=_("In rupiah. Up to Rp1.000.000.000 is a micro business."),
    )
    annual_sales = RupiahField(
        label=_("Annual sales (last year)"), required=False, help_text=_("In rupiah; leave empty for a new business.")
    )


class PaymentForm(TenantForm):
    """Tax and payment facts: the PP 55/2022 certificate and the account the treasurer pays into.
    All optional at registration; the bank fields go together."""

    pp55_certificate = forms.CharField(
        label=_("PP 55/2022 certificate number"),
        max_length=60,
        required=False,
        help_text=_(
            "If your business holds one, the treasurer withholds the final PPh of PP 55/2022 instead of PPh 22."
        ),
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    bank_account_number = forms.CharField(
        label=_("Bank account number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    bank_account_name = forms.CharField(
        label=_("Account holder"),
        max_length=150,
        required=False,
        help_text=_("As printed in the bank book; payments are made to this account."),
    )

    def clean_bank_account_number(self):
        value = self.cleaned_data["bank_account_number"].strip()
        return validators.clean_bank_account(value) if value else ""

    def clean(self):
        data = super().clean()
        bank = ("bank_name", "bank_account_number", "bank_account_name")
        typed = [name for name in bank if data.get(name) or name in self.errors]
        if typed:
            for name in bank:
                if name not in typed:
                    self.add_error(name, _("Give the bank, the account number and the holder together."))
        return data


def _document_field(label, required):
    return forms.FileField(
        label=label,
        required=required,
        help_text=_("PDF, JPG or PNG, at most 5 MB. A clear phone photo is fine."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
        validators=[validate_document],
    )


class DocumentsForm(TenantForm):
    nib_document = _document_field(DocumentKind.NIB.label, required=True)
    deed_document = _document_field(_("Deed of establishment (if your business has one)"), required=False)

    def __init__(self, *args, has_nib_document: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Once uploaded, the NIB certificate need not be sent again (a new file replaces it).
        self.fields["nib_document"].required = not has_nib_document


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (the owner will read this)"), widget=forms.Textarea(attrs={"rows": 3}))


class AssistedForm(LegalForm, AddressForm, FinanceForm):
    """Everything at once, for the Dinas desk."""

    name = forms.CharField(label=_("Business name"), max_length=200)
    owner_name = forms.CharField(label=_("Owner's full name"), max_length=150)
    email = forms.EmailField(label=_("Owner's e-mail"), help_text=_("The invitation to set a password goes here."))
    phone = forms.CharField(label=_("Mobile phone"), max_length=20)
    nib_document = _document_field(DocumentKind.NIB.label, required=True)
    deed_document = _document_field(_("Deed of establishment"), required=False)
    is_vat_registered = forms.BooleanField(label=_("The business is a PKP (VAT-registered)"), required=False)
    verify_now = forms.BooleanField(
        label=_("I have seen the original documents: verify at once"), required=False, initial=True
    )
    field_order = [
        "name",
        "owner_name",
        "email",
        "phone",
        "nib",
        "npwp",
        "kbli",
        "sector",
        "is_vat_registered",
        "address",
        "district",
        "village",
        "capital",
        "annual_sales",
        "nib_document",
        "deed_document",
        "verify_now",
    ]

    def clean_phone(self):
        return validators.clean_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return self.cleaned_data["email"].lower()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        validators=[validate_table_file],
    )


class NibCheckForm(forms.Form):
    """Is my business already in the Dinas registry? (before registering)"""

    nib = forms.CharField(
        label=_("NIB (13 digits, from OSS)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def clean_nib(self):
        return validators.clean_nib(self.cleaned_data["nib"])


class InviteForm(forms.Form):
    """The "Undang" button; the phone only where the vendor has none on file (or it changed)."""

    phone = forms.CharField(
        label=_("Mobile phone (WhatsApp)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        return validators.clean_phone(value) if value else ""


class BulkInviteForm(TenantForm):
    """Which registry vendors to invite at once: every filter is optional."""

    kecamatan = forms.ModelChoiceField(
        label=_("District (kecamatan)"), queryset=Region.objects.none(), required=False, empty_label=_("All")
    )
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)
    size_class = forms.ChoiceField(label=_("Size class"), required=False)
    limit = forms.IntegerField(
        label=_("At most"), required=False, min_value=1, max_value=100_000, help_text=_("Leave empty for all.")
    )

    def __init__(self, *args, **kwargs):
        from .size_class import SizeClass

        super().__init__(*args, **kwargs)
        self.fields["kecamatan"].queryset = Region.objects.filter(
            parent_id=self.katalog.region_id, level=RegionLevel.DISTRICT
        ).order_by("name")
        self.fields["kecamatan"].label_from_instance = lambda region: region.name
        self.fields["size_class"].choices = [("", _("All"))] + list(SizeClass.choices)
