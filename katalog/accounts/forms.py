"""Forms of the sign-in by phone: the number, then the code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .phones import normalize_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"),
        max_length=30,
        help_text=_("For example 0812-3456-7890. We send a code to it by WhatsApp or SMS."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "autofocus": True}),
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]*",
                "maxlength": "6",
                "autofocus": True,
            }
        ),
    )


class ChannelForm(forms.Form):
    """The channel messages reach the user on; `choices` are those they have an address for."""

    channel = forms.ChoiceField(label=_("Send my messages by"), widget=forms.RadioSelect)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = choices
