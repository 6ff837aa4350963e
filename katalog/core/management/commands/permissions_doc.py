"""Write docs/permissions.md from the permission catalogue, so the two never disagree."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from katalog.core.permissions import ROLE_PERMISSIONS, Permission, Role

INTRO = """# Permission catalogue

Generated from `katalog/core/permissions.py` by `katalog permissions_doc`; a test fails when this
file and the code disagree. Every view and API endpoint declares the right it needs; every lookup of
tenant data is scoped to the acting user's tenant (another tenant's object is a 404, not a 403).

Beyond these rights, ownership narrows what a role reaches: a Penyedia edits only the vendor it
belongs to; an office role (PP, PPK, PA/KPA, Bendahara) acts for its own office only.

Office roles are held per office membership: a user who is PP in one office and PPK in another is a
PP in the first and a PPK in the second, never a PPK in the first. An action on an order uses only
the roles held in the order's office (`Actor.roles_in`, `Actor.can_in`); lists show the orders of
every office where the user holds one. The parties of one order are different people: whoever
works for the order's vendor may not buy from it nor approve it, and may not confirm as the vendor
an order he created or approves; whoever created an order does not approve it as its PPK unless
`KATALOG_ALLOW_PP_AS_PPK` is on (docs/purchasing.md, "Roles per office and the parties of an order").
"""


def render() -> str:
    with translation.override("en"):
        return _render()


def _render() -> str:
    roles = list(Role)
    lines = [INTRO, "## Roles\n", "| role | code | who |", "|---|---|---|"]
    who = {
        Role.VENDOR: "a UMKM owner and its staff",
        Role.CATALOGUE_MANAGER: "Dinas / UKPBJ staff who run the catalogue",
        Role.PP: "an office's procurement officer (buys up to the PP threshold)",
        Role.PPK: "an office's commitment-making officer (approves and signs)",
        Role.BUDGET_OWNER: "head of an office, owner of its budget lines",
        Role.TREASURER: "an office's treasurer (records payments)",
        Role.AUDITOR: "internal auditor: reads everything, changes nothing",
        Role.ADMIN: "system administrator of the tenant",
    }
    for role in roles:
        lines.append(f"| {role.label} | `{role.value}` | {who[role]} |")
    lines += [
        "",
        "## Rights by role\n",
        "| right | " + " | ".join(f"`{r.value}`" for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for perm in Permission:
        marks = " | ".join("yes" if perm in ROLE_PERMISSIONS[r] else "" for r in roles)
        lines.append(f"| `{perm.value}` | {marks} |")
    lines.append("")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Write docs/permissions.md from the permission catalogue."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / "docs" / "permissions.md"
        path.write_text(render(), encoding="utf-8")
        self.stdout.write(f"wrote {path.name}")
