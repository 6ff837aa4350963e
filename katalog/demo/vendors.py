"""The demo's selling vendors: one local business per kind of product in the Medan report, each
named for what it sells, with NIB, NPWP, bank account and tax facts as a real one would have.
The generated registry (generate.py) is the rest of the city's UMKM."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from katalog.core.models import Katalog
from katalog.vendors.models import SizeClassChange, Vendor, VendorSource, VendorStatus
from katalog.vendors.size_class import SizeClass

# The vendor of the demo user `penyedia` (README, sign-in page).
DEMO_VENDOR_NIB = "8120000000001"


def npwp(first_eight: str, office: str = "121", branch: str = "000") -> str:
    """A 15-digit NPWP whose ninth digit is the Luhn check digit of the first eight (as the tax
    office issues them); `office` is the KPP code (Medan's start with 12)."""
    return first_eight + luhn.calc_check_digit(first_eight) + office + branch


@dataclass(frozen=True)
class DemoVendor:
    key: str  # how the demo catalogue names its seller
    nib: str
    name: str
    owner_name: str
    sector: str
    kbli: tuple[str, ...]
    address: str
    district: str  # Kepmendagri kecamatan code
    phone: str
    email: str
    npwp: str
    bank_name: str
    bank_account_number: str
    size_class: str = SizeClass.MIKRO
    capital: int = 250_000_000
    annual_sales: int = 600_000_000
    is_vat_registered: bool = False  # PKP
    pp55_certificate: str = ""  # the 0.5% final PPh (PP 55/2022)
    source: str = VendorSource.ASSISTED

    @property
    def bank_account_name(self) -> str:
        return self.name


VENDORS = [
    DemoVendor(
        key="ulos",
        nib=DEMO_VENDOR_NIB,
        name="UD Ulos Horas Medan",
        owner_name="Tiur Simanjuntak",
        sector="Ulos dan kain tradisional",
        kbli=("13121", "47711"),
        address="Jl. Gatot Subroto No. 12",
        district="12.71.01",
        phone="081260001234",
        email="penyedia@demo.katalog.local",
        npwp="021832415000000",
        bank_name="Bank Sumut",
        bank_account_number="2100102345678",
        capital=750_000_000,
        annual_sales=1_200_000_000,
        pp55_certificate="KET-01871/PP55/WPJ.26/KP.0103/2025",
    ),
    DemoVendor(
        key="konveksi",
        nib="8120000000002",
        name="CV Konveksi Deli Serasi",
        owner_name="Rina Hasibuan",
        sector="Pakaian dinas dan seragam kantor",
        kbli=("14111",),
        address="Jl. Sisingamangaraja No. 88",
        district="12.71.09",
        phone="081370112233",
        email="konveksi.deliserasi@demo.katalog.local",
        npwp=npwp("71345826", "122"),
        bank_name="Bank Mandiri",
        bank_account_number="1060012457788",
        size_class=SizeClass.KECIL,
        capital=2_400_000_000,
        annual_sales=6_500_000_000,
        is_vat_registered=True,
    ),
    DemoVendor(
        key="seragam",
        nib="8120000000003",
        name="Rumah Jahit Seragam Butet",
        owner_name="Butet Sitompul",
        sector="Seragam sekolah",
        kbli=("14111", "95291"),
        address="Jl. Denai No. 41",
        district="12.71.04",
        phone="081265554321",
        email="seragam.butet@demo.katalog.local",
        npwp=npwp("84211937", "123"),
        bank_name="BRI",
        bank_account_number="012301004567509",
        capital=180_000_000,
        annual_sales=450_000_000,
        pp55_certificate="KET-02214/PP55/WPJ.26/KP.0203/2025",
    ),
    DemoVendor(
        key="sepatu",
        nib="8120000000004",
        name="UD Sepatu Kulit Menteng",
        owner_name="Hendra Ginting",
        sector="Sepatu kulit",
        kbli=("15201",),
        address="Jl. Menteng Raya No. 205",
        district="12.71.04",
        phone="081396667788",
        email="sepatukulit.menteng@demo.katalog.local",
        npwp=npwp("66120453", "123"),
        bank_name="BNI",
        bank_account_number="0712345689",
        capital=420_000_000,
        annual_sales=1_500_000_000,
    ),
    DemoVendor(
        key="kue",
        nib="8120000000005",
        name="Dapur Kue Bu Lina",
        owner_name="Lina Nasution",
        sector="Kue dan roti",
        kbli=("10710",),
        address="Jl. Mojopahit No. 17",
        district="12.71.17",
        phone="081290001122",
        email="dapurkue.bulina@demo.katalog.local",
        npwp=npwp("55983120", "121"),
        bank_name="BSI",
        bank_account_number="7123456780",
        capital=95_000_000,
        annual_sales=380_000_000,
        pp55_certificate="KET-00932/PP55/WPJ.26/KP.0103/2024",
    ),
    DemoVendor(
        key="katering",
        nib="8120000000006",
        name="Katering Nasi Kotak Barokah",
        owner_name="Hasan Lubis",
        sector="Katering dan nasi kotak",
        kbli=("56210",),
        address="Jl. Garu II No. 9",
        district="12.71.09",
        phone="081375556677",
        email="katering.barokah@demo.katalog.local",
        npwp=npwp("48301276", "122"),
        bank_name="Bank Sumut",
        bank_account_number="2100109876543",
        capital=310_000_000,
        annual_sales=1_800_000_000,
    ),
    DemoVendor(
        key="kopi",
        nib="8120000000007",
        name="Kopi dan Jahe Sidikalang Pak Lamhot",
        owner_name="Lamhot Manurung",
        sector="Kopi bubuk dan minuman jahe",
        kbli=("10761", "10763"),
        address="Jl. Setia Budi No. 120",
        district="12.71.21",
        phone="081260778899",
        email="kopi.lamhot@demo.katalog.local",
        npwp=npwp("39127754", "124"),
        bank_name="BRI",
        bank_account_number="055501012233507",
        capital=140_000_000,
        annual_sales=520_000_000,
    ),
    DemoVendor(
        key="atk",
        nib="8120000000008",
        name="CV Toko ATK Maju Bersama",
        owner_name="Andi Siregar",
        sector="Alat tulis kantor",
        kbli=("47611", "46691"),
        address="Jl. Thamrin No. 51",
        district="12.71.10",
        phone="081361234500",
        email="atk.majubersama@demo.katalog.local",
        npwp=npwp("80245619", "122"),
        bank_name="BCA",
        bank_account_number="8205123456",
        size_class=SizeClass.KECIL,
        capital=1_600_000_000,
        annual_sales=9_000_000_000,
        is_vat_registered=True,
        source=VendorSource.SELF,
    ),
    DemoVendor(
        key="rotan",
        nib="8120000000009",
        name="Kerajinan Rotan Karo Sembiring",
        owner_name="Sri Sembiring",
        sector="Kerajinan rotan",
        kbli=("16293",),
        address="Jl. Jamin Ginting Km. 11 No. 4",
        district="12.71.07",
        phone="081264441199",
        email="rotan.karo@demo.katalog.local",
        npwp=npwp("27114098", "125"),
        bank_name="Bank Sumut",
        bank_account_number="2100104455667",
        capital=120_000_000,
        annual_sales=300_000_000,
    ),
    DemoVendor(
        key="cenderamata",
        nib="8120000000010",
        name="Cenderamata Toba Medan",
        owner_name="Yusuf Saragih",
        sector="Suvenir dan cenderamata",
        kbli=("32909", "47744"),
        address="Jl. Perdana No. 23",
        district="12.71.05",
        phone="081376543210",
        email="cenderamata.toba@demo.katalog.local",
        npwp=npwp("63390517", "121"),
        bank_name="Bank Mandiri",
        bank_account_number="1060007788990",
        capital=210_000_000,
        annual_sales=700_000_000,
    ),
]


def _fill_blank(obj, values: dict) -> None:
    """Set the fields that are still empty (a demo made by an older version gets them; a second run
    finds nothing to do, and a value someone changed is left alone)."""
    changed = [name for name, value in values.items() if value and not getattr(obj, name)]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)


@transaction.atomic
def load_vendors(katalog: Katalog) -> dict[str, Vendor]:
    """The demo's selling vendors by key; only what is missing is created or filled in."""
    now = timezone.now()
    vendors: dict[str, Vendor] = {}
    for d in VENDORS:
        facts = dict(
            name=d.name,
            owner_name=d.owner_name,
            npwp=d.npwp,
            kbli=list(d.kbli),
            sector=d.sector,
            address=d.address,
            region_id=d.district,
            district_id=d.district,
            phone=d.phone,
            email=d.email,
            capital=Decimal(d.capital),
            annual_sales=Decimal(d.annual_sales),
            size_class=d.size_class,
            is_vat_registered=d.is_vat_registered,
            pp55_certificate=d.pp55_certificate,
            bank_name=d.bank_name,
            bank_account_number=d.bank_account_number,
            bank_account_name=d.bank_account_name,
        )
        vendor, created = Vendor.objects.get_or_create(
            katalog=katalog,
            nib=d.nib,
            defaults=dict(
                facts,
                status=VendorStatus.VERIFIED,
                source=d.source,
                submitted_at=now - timedelta(days=120),
                verified_at=now - timedelta(days=118),
            ),
        )
        if created:
            SizeClassChange.objects.create(
                katalog=katalog,
                vendor=vendor,
                changed_on=timezone.localdate() - timedelta(days=118),
                new_class=vendor.size_class,
                capital=vendor.capital,
                annual_sales=vendor.annual_sales,
                reason="Registrasi di meja Dinas" if d.source == VendorSource.ASSISTED else "Registrasi mandiri",
            )
        else:
            _fill_blank(vendor, facts)
        vendors[d.key] = vendor
    return vendors
