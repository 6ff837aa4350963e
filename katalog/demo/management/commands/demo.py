from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from katalog.accounts.models import Membership, Office
from katalog.buying.models import BudgetLine
from katalog.core.models import Katalog
from katalog.demo.accounts import DEMO_USERS
from katalog.demo.catalogue import load_catalogue
from katalog.demo.generate import DISTRIBUTION, load_registry
from katalog.vendors.models import Vendor, VendorSource, VendorStatus
from katalog.vendors.size_class import SizeClass

OFFICES = [
    ("1.01.01", "Dinas Pendidikan"),
    ("1.02.01", "Dinas Kesehatan"),
    ("1.03.01", "Dinas Pekerjaan Umum"),
    ("1.04.01", "Dinas Perumahan, Kawasan Permukiman dan Penataan Ruang"),
    ("1.06.01", "Dinas Sosial"),
    ("2.09.01", "Dinas Ketahanan Pangan"),
    ("2.11.01", "Dinas Lingkungan Hidup"),
    ("2.15.01", "Dinas Perhubungan"),
    ("2.16.01", "Dinas Komunikasi dan Informatika"),
    ("2.17.01", "Dinas Koperasi, Usaha Kecil dan Menengah, Perindustrian dan Perdagangan"),
    ("3.26.01", "Dinas Kebudayaan dan Pariwisata"),
    ("4.01.01", "Sekretariat Daerah"),
]
BUYER_OFFICE = "1.01.01"
# Each office gets these budget lines (RUP packages) for the current year.
BUDGET_LINES = [
    ("Belanja alat tulis kantor", 150_000_000),
    ("Belanja makanan dan minuman rapat", 250_000_000),
    ("Belanja pakaian dinas dan atribut", 400_000_000),
]


class Command(BaseCommand):
    help = "Load the Kota Medan demo tenant (idempotent: running it twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--small", action="store_true", help="a registry of 300 vendors, for quick tests")

    @transaction.atomic
    def handle(self, *args, small=False, **options):
        katalog, _ = Katalog.objects.get_or_create(
            region_id="12.71",
            defaults={
                "name": "Katalog Lokal Kota Medan",
                "government_name": "Pemerintah Kota Medan",
                "office_address": "Dinas Koperasi, UKM, Perindustrian dan Perdagangan, Jl. Jenderal Gatot Subroto, Medan",
                "is_demo": True,
            },
        )
        offices = {}
        for code, name in OFFICES:
            offices[code], _ = Office.objects.get_or_create(katalog=katalog, code=code, defaults={"name": name})
        for username, role, in_office, _label in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username,
                    password=settings.KATALOG_DEMO_PASSWORD,
                    email=f"{username}@demo.katalog.local",
                    first_name=username.capitalize(),
                )
            if username == "admin" and not user.is_superuser:
                # The demo's admin is also the platform administrator (Django admin, every tenant).
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            Membership.objects.get_or_create(
                user=user, katalog=katalog, role=role, office=offices[BUYER_OFFICE] if in_office else None
            )
        vendor, _ = Vendor.objects.get_or_create(
            katalog=katalog,
            nib="8120000000001",
            defaults=dict(
                name="UD Ulos Horas Medan",
                owner_name="Tiur Simanjuntak",
                npwp="021832415000000",
                kbli=["13121", "47711"],
                sector="Ulos dan kain tradisional",
                address="Jl. Gatot Subroto No. 12",
                region_id="12.71.01",
                district_id="12.71.01",
                phone="081260001234",
                email="penyedia@demo.katalog.local",
                capital=750_000_000,
                annual_sales=1_200_000_000,
                size_class=SizeClass.MIKRO,
                status=VendorStatus.VERIFIED,
                source=VendorSource.ASSISTED,
            ),
        )
        vendor.users.add(User.objects.get(username="penyedia"))
        year = timezone.localdate().year
        for n, (_code, office) in enumerate(sorted(offices.items()), start=1):
            for m, (name, ceiling) in enumerate(BUDGET_LINES, start=1):
                BudgetLine.objects.get_or_create(
                    katalog=katalog,
                    kode_rup=f"{year % 100:02d}{n:03d}{m:03d}",
                    defaults={
                        "office": office,
                        "name": f"{name} {office.name}",
                        "fiscal_year": year,
                        "funding_source": "APBD",
                        "ceiling": ceiling,
                    },
                )
        distribution = {k: max(1, v // 90) for k, v in DISTRIBUTION.items()} if small else DISTRIBUTION
        created = load_registry(katalog, distribution=distribution)
        products = load_catalogue(katalog)
        self.stdout.write(
            f"demo tenant {katalog.region_id} {katalog.name}: {len(offices)} offices, {len(DEMO_USERS)} users, "
            f"{created} registry vendors created, {products} products listed"
        )
