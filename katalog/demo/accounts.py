"""The demo's accounts, in one place: `katalog demo` creates them, the sign-in page and the
README list them. Their password is KATALOG_DEMO_PASSWORD (default below)."""

from django.utils.translation import gettext_lazy as _

DEFAULT_DEMO_PASSWORD = "katalog-demo-2026"

# username, role, whether the role sits in the demo office, what they do (shown on the sign-in page)
DEMO_USERS = [
    ("admin", "admin", False, _("administrator")),
    ("pengelola", "catalogue_manager", False, _("catalogue manager (Dinas)")),
    ("auditor", "auditor", False, _("auditor (Inspektorat)")),
    ("penyedia", "penyedia", False, _("vendor (UMKM)")),
    ("pp", "pp", True, _("procurement officer")),
    ("ppk", "ppk", True, _("commitment officer")),
    ("pa", "budget_owner", True, _("head of office (PA/KPA)")),
    ("bendahara", "treasurer", True, _("treasurer")),
]
