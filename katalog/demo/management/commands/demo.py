import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from katalog.accounts.models import Membership, Office
from katalog.buying.models import BudgetLine
from katalog.catalogue.models import Product
from katalog.core.collector import few_collections, run_from_command_line
from katalog.core.models import Katalog
from katalog.demo import pictures
from katalog.demo.accounts import DEMO_PEOPLE, DEMO_USERS
from katalog.demo.catalogue import draw_pictures, load_catalogue
from katalog.demo.generate import DISTRIBUTION, load_registry
from katalog.demo.orders import load_orders
from katalog.demo.vendors import load_vendors
from katalog.insights import vendor_rollups

GOVERNMENT = {
    "name": "Katalog Lokal Kota Medan",
    "government_name": "Pemerintah Kota Medan",
    "office_address": "Dinas Koperasi, UKM, Perindustrian dan Perdagangan, Jl. Jenderal Gatot Subroto No. 140, Medan",
    "place_name": "Medan",
}
# code, name, short name (on its seal), address, phone
OFFICES = [
    (
        "1.01.01",
        "Dinas Pendidikan",
        "DISDIK",
        "Jl. Pelita IV No. 1, Sidorame Barat I, Medan Perjuangan, Medan 20233",
        "(061) 4512010",
    ),
    (
        "1.02.01",
        "Dinas Kesehatan",
        "DINKES",
        "Jl. Rotan No. 1, Petisah Tengah, Medan Petisah, Medan 20111",
        "(061) 4520331",
    ),
    (
        "1.03.01",
        "Dinas Pekerjaan Umum",
        "DPU",
        "Jl. Pinang Baris No. 114, Lalang, Medan Sunggal, Medan 20127",
        "(061) 8451270",
    ),
    (
        "1.04.01",
        "Dinas Perumahan, Kawasan Permukiman dan Penataan Ruang",
        "PERKIM TARU",
        "Jl. Jenderal Besar A.H. Nasution No. 32, Pangkalan Masyhur, Medan Johor, Medan 20143",
        "(061) 7863318",
    ),
    (
        "1.06.01",
        "Dinas Sosial",
        "DINSOS",
        "Jl. Pinang Baris No. 40, Lalang, Medan Sunggal, Medan 20128",
        "(061) 8452216",
    ),
    (
        "2.09.01",
        "Dinas Ketahanan Pangan",
        "DKP",
        "Jl. Jenderal Besar A.H. Nasution No. 18, Kwala Bekala, Medan Johor, Medan 20142",
        "(061) 7864412",
    ),
    (
        "2.11.01",
        "Dinas Lingkungan Hidup",
        "DLH",
        "Jl. Pinang Baris No. 112, Lalang, Medan Sunggal, Medan 20127",
        "(061) 8453007",
    ),
    (
        "2.15.01",
        "Dinas Perhubungan",
        "DISHUB",
        "Jl. Pinang Baris No. 110, Lalang, Medan Sunggal, Medan 20127",
        "(061) 8452301",
    ),
    (
        "2.16.01",
        "Dinas Komunikasi dan Informatika",
        "KOMINFO",
        "Jl. Kapten Maulana Lubis No. 2, Petisah Tengah, Medan Petisah, Medan 20112",
        "(061) 4512412",
    ),
    (
        "2.17.01",
        "Dinas Koperasi, Usaha Kecil dan Menengah, Perindustrian dan Perdagangan",
        "DINKOP UKM",
        "Jl. Jenderal Gatot Subroto No. 140, Sei Sikambing D, Medan Petisah, Medan 20119",
        "(061) 8451342",
    ),
    (
        "3.26.01",
        "Dinas Kebudayaan dan Pariwisata",
        "DISBUDPAR",
        "Jl. Prof. H.M. Yamin No. 40, Gaharu, Medan Timur, Medan 20234",
        "(061) 4528291",
    ),
    (
        "4.01.01",
        "Sekretariat Daerah",
        "SETDA",
        "Jl. Kapten Maulana Lubis No. 2, Petisah Tengah, Medan Petisah, Medan 20112",
        "(061) 4512412",
    ),
]
BUYER_OFFICE = "1.01.01"
# Each office gets these budget lines (RUP packages) for the current year, charged to these budget
# accounts (kode rekening belanja of Permendagri 90/2019).
BUDGET_LINES = [
    ("Belanja alat tulis kantor", 150_000_000, "5.1.02.01.01.0024"),
    ("Belanja makanan dan minuman rapat", 250_000_000, "5.1.02.01.01.0052"),
    ("Belanja pakaian dinas dan atribut", 400_000_000, "5.1.02.01.01.0036"),
]


def _fill_blank(obj, values: dict) -> list[str]:
    """Set the fields still empty, so a demo made by an older version gets them, a second run
    changes nothing and what someone changed by hand stays."""
    changed = [name for name, value in values.items() if value and not getattr(obj, name)]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return changed


def _give_logo(obj, filename: str, png: bytes) -> None:
    """Store a logo through the image field once (its file name stays in the database)."""
    if not obj.logo:
        obj.logo.save(filename, ContentFile(png), save=False)
        obj.save(update_fields=["logo"])


def _draw_logos(wanted: list[tuple[str, object, str]]) -> list[bytes]:
    """The PNG of each logo wanted: ("emblem" or "seal", the tenant or office, the name on it)."""
    return [pictures.emblem_png(text) if kind == "emblem" else pictures.seal_png(text) for kind, _obj, text in wanted]


@contextmanager
def _unflushed_commits():
    """On PostgreSQL, the demo's commits do not wait for the write-ahead log to reach the disk
    (`synchronous_commit = off`, this session only): the load's own commit and the twenty of the
    orders' after-commit work each waited for a flush. A crash of the server in the moment after
    could lose the last of them, never corrupt anything; the demo is loaded again by running it again."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        with suppress(DatabaseError), connection.cursor() as cursor:  # a broken connection keeps its error
            cursor.execute("RESET synchronous_commit")


def _load_people(katalog: Katalog, offices: dict[str, Office], vendors: dict, hashing) -> None:
    """The demo users and their memberships (`hashing`: the demo password's hash, on the second
    thread); the demo user `penyedia` owns UD Ulos Horas Medan (README, sign-in page)."""
    password = None  # every demo user has the same password: hashed once (argon2 is slow on purpose)
    for username, role, in_office, _label in DEMO_USERS:
        first_name, last_name, position, nip = DEMO_PEOPLE[username]
        user = User.objects.filter(username=username).first()
        if user is None:
            password = password or hashing.result()
            user = User.objects.create(
                username=username,
                password=password,
                email=f"{username}@demo.katalog.local",
                first_name=first_name,
                last_name=last_name,
            )
        elif user.first_name in ("", username.capitalize()) and not user.last_name:
            # An older demo named its users after their username ("Pp").
            user.first_name, user.last_name = first_name, last_name
            user.save(update_fields=["first_name", "last_name"])
        if username == "admin" and not user.is_superuser:
            # The demo's admin is also the platform administrator (Django admin, every tenant).
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        membership, _ = Membership.objects.get_or_create(
            user=user,
            katalog=katalog,
            role=role,
            office=offices[BUYER_OFFICE] if in_office else None,
            defaults={"position": position, "nip": nip},
        )
        _fill_blank(membership, {"position": position, "nip": nip})
    vendors["ulos"].users.add(User.objects.get(username="penyedia"))


class Command(BaseCommand):
    help = "Load the Kota Medan demo tenant (idempotent: running it twice changes nothing)."
    # A data command: the system checks are `katalog check`'s and every deployment's job.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true", help="a registry of 300 vendors, for quick tests")

    def run_from_argv(self, argv):
        run_from_command_line(super().run_from_argv, argv)  # the process ends after it: see there

    def handle(self, *args, **options):
        # The demo creates tens of thousands of short-lived rows and objects: Python's cyclic garbage
        # collector kept walking them (and Django's own objects), a sixth of the demo's time.
        with few_collections(), _unflushed_commits(), ThreadPoolExecutor(1, thread_name_prefix="demo") as ahead:
            summary, times, ended = self._load(ahead, **options)
            # The commit (on PostgreSQL the foreign-key checks of the registry) and the work of the
            # orders run after it (notifications, search index).
            times["commit and after commit"] = time.perf_counter() - ended
        self.stdout.write(summary)
        if options.get("verbosity", 1) >= 2:  # where the time went (bench/demo_bench.py reads it)
            self.stdout.write("times: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in times.items()))

    @transaction.atomic
    def _load(self, ahead: ThreadPoolExecutor, small=False, **options):
        """`ahead` does, on the second core, work that needs no database and holds no lock on
        Python while it runs (argon2 and Pillow release it): the demo password's hash while the
        tenant and its offices are made, then the catalogue's pictures and the logos missing while
        the registry is loaded. (Importing the order services and the URL configuration there too
        slowed the registry more than it saved: measured in docs/performance.md.)"""
        begun = time.perf_counter()
        usernames = [username for username, _role, _in_office, _label in DEMO_USERS]
        hashing = None
        if User.objects.filter(username__in=usernames).count() < len(usernames):
            hashing = ahead.submit(make_password, settings.KATALOG_DEMO_PASSWORD)
        drawing = None  # a demo loaded before has its pictures (any missing one is drawn when needed)
        if not Product.objects.filter(katalog__region_id="12.71").exists():
            drawing = ahead.submit(draw_pictures)
        katalog, _ = Katalog.objects.get_or_create(region_id="12.71", defaults=dict(GOVERNMENT, is_demo=True))
        _fill_blank(katalog, GOVERNMENT)
        logos = [] if katalog.logo else [("emblem", katalog, "KOTA MEDAN")]  # drawn ahead, given after the registry
        # The offices and budget lines missing are created in one statement each (a get_or_create
        # per row was a few hundred round trips); those there get only their blank fields filled.
        offices = {o.code: o for o in Office.objects.filter(katalog=katalog, code__in=[o[0] for o in OFFICES])}
        for code, _name, _short, address, phone in OFFICES:
            if code in offices:
                _fill_blank(offices[code], {"address": address, "phone": phone})
        Office.objects.bulk_create(
            Office(katalog=katalog, code=code, name=name, address=address, phone=phone)
            for code, name, _short, address, phone in OFFICES
            if code not in offices
        )
        offices = {o.code: o for o in Office.objects.filter(katalog=katalog, code__in=[o[0] for o in OFFICES])}
        logos += [("seal", offices[code], short) for code, _name, short, _a, _p in OFFICES if not offices[code].logo]
        drawing_logos = ahead.submit(_draw_logos, logos) if logos else None
        vendors = load_vendors(katalog)
        _load_people(katalog, offices, vendors, hashing)
        year = timezone.localdate().year
        lines = {
            f"{year % 100:02d}{n:03d}{m:03d}": (office, name, ceiling, account_code)
            for n, (_code, office) in enumerate(sorted(offices.items()), start=1)
            for m, (name, ceiling, account_code) in enumerate(BUDGET_LINES, start=1)
        }
        there = BudgetLine.objects.filter(katalog=katalog, kode_rup__in=list(lines))
        for line in there:
            _fill_blank(line, {"account_code": lines[line.kode_rup][3]})
        there = {line.kode_rup for line in there}
        BudgetLine.objects.bulk_create(
            BudgetLine(
                katalog=katalog,
                kode_rup=kode_rup,
                office=office,
                name=f"{name} {office.name}",
                fiscal_year=year,
                funding_source="APBD",
                account_code=account_code,
                ceiling=ceiling,
            )
            for kode_rup, (office, name, ceiling, account_code) in lines.items()
            if kode_rup not in there
        )
        distribution = {k: max(1, v // 90) for k, v in DISTRIBUTION.items()} if small else DISTRIBUTION
        started = time.perf_counter()
        times = {"tenant, offices, users, vendors": started - begun}
        created = load_registry(katalog, distribution=distribution)
        if drawing_logos:
            for (kind, obj, _text), png in zip(logos, drawing_logos.result(), strict=True):
                _give_logo(obj, "kota-medan.png" if kind == "emblem" else f"{obj.code}.png", png)
        times["registry"] = time.perf_counter() - started
        started = time.perf_counter()
        products = load_catalogue(katalog, vendors, drawn=drawing.result() if drawing else None)
        times["catalogue"] = time.perf_counter() - started
        started = time.perf_counter()
        orders = load_orders(katalog, offices[BUYER_OFFICE])
        times["orders"] = time.perf_counter() - started
        if created:
            vendor_rollups.analyze()  # fresh planner statistics after the bulk load (PostgreSQL)
        summary = (
            f"demo tenant {katalog.region_id} {katalog.name}: {len(offices)} offices, {len(DEMO_USERS)} users, "
            f"{len(vendors)} selling vendors, {created} registry vendors created, {products} products listed, "
            f"{orders} orders placed"
        )
        return summary, times, time.perf_counter()
