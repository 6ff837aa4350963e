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

# Who the demo users are, as their documents print them: username → (first name, last name,
# position (jabatan) in their role, NIP). An NIP is birth date, appointment month, sex (1 man,
# 2 woman) and a number (accounts/validators.py); the vendor and the administrator have none.
DEMO_PEOPLE = {
    "admin": ("Rahmat", "Hidayat", "", ""),
    "pengelola": (
        "Nurhayati",
        "Lubis, S.E.",
        "Pengelola Katalog Elektronik, Dinas Koperasi, UKM, Perindustrian dan Perdagangan",
        "198703122010012015",
    ),
    "auditor": ("Darwin", "Sitompul, S.H., M.H.", "Auditor Ahli Muda, Inspektorat Kota Medan", "198011052006041003"),
    "penyedia": ("Tiur", "Simanjuntak", "", ""),
    "pp": ("Fitri", "Rangkuti, S.Kom.", "Pejabat Pengadaan", "198906232014022001"),
    "ppk": ("Hendra", "Saragih, S.T.", "Pejabat Pembuat Komitmen", "197811142003121004"),
    "pa": ("Drs. Bonar", "Panjaitan, M.Pd.", "Kepala Dinas Pendidikan Kota Medan", "197003051996031002"),
    "bendahara": ("Maria", "Tarigan, S.E.", "Bendahara Pengeluaran", "199102172019032008"),
}
