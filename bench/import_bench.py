"""Benchmark: importing the Dinas UMKM registry.

    .venv/bin/python bench/import_bench.py [--rows 30000] [--postgres]

Makes a registry file of N rows (CSV and XLSX, 2% bad rows), then in one run measures:
  baseline  reading the file with the csv module / openpyxl alone (no checks, no database);
  import    `katalog import_umkm` on an empty tenant (every row checked, good rows written);
  re-import the same file again (every row matched by NIB and found unchanged).
and prints each time and its ratio to the baseline. The database is a fresh SQLite file under
var/bench (or, with --postgres, the database `katalog_bench` on 127.0.0.1:5432)."""

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "nama_usaha",
    "nama_pemilik",
    "nib",
    "npwp",
    "kbli",
    "alamat",
    "kode_wilayah",
    "telepon",
    "email",
    "modal_usaha",
    "omzet_tahunan",
    "pkp",
    "sektor",
]


def make_rows(n: int) -> list[list[str]]:
    rng = random.Random(42)
    districts = [f"12.71.{i:02d}" for i in range(1, 22)]
    rows = []
    for i in range(n):
        bad = i % 50 == 7  # 2% bad rows
        rows.append(
            [
                f"Usaha Bench {i}",
                "Pemilik Bench",
                f"{7000000000000 + i}" if not bad else "12345",
                "021832415000000",
                "10792",
                f"Jl. Bench {i}",
                rng.choice(districts),
                "081234567890",
                f"u{i}@example.id",
                f"Rp {rng.randrange(5, 4000) * 1_000_000:,}".replace(",", "."),
                "",
                rng.choice(["ya", "tidak"]),
                "Makanan",
            ]
        )
    return rows


def write_files(rows, folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    csv_path = folder / "registry.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    xlsx_path = folder / "registry.xlsx"
    book.save(xlsx_path)
    return csv_path, xlsx_path


def timed(fn, repeat=1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def katalog_cmd(env, *args) -> str:
    out = subprocess.run([str(ROOT / ".venv/bin/katalog"), *args], env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    folder = ROOT / "var" / "bench"
    csv_path, xlsx_path = write_files(make_rows(args.rows), folder)
    env = dict(os.environ)
    if args.postgres:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS katalog_bench_import")
            conn.execute("CREATE DATABASE katalog_bench_import")
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/katalog_bench_import"
    else:
        db = folder / "import.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
    katalog_cmd(env, "migrate", "--noinput")
    subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','katalog.settings');django.setup();"
                "from katalog.core.models import Katalog;"
                "Katalog.objects.get_or_create(region_id='12.71',defaults={'name':'Bench','government_name':'Bench'})"
            ),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )

    def read_csv():
        with csv_path.open(encoding="utf-8") as f:
            sum(1 for _ in csv.reader(f, delimiter=";"))

    def read_xlsx():
        from openpyxl import load_workbook

        book = load_workbook(xlsx_path, read_only=True)
        sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))

    results = []
    base_csv = timed(read_csv, repeat=3)
    results.append(("baseline: csv module reads the CSV", base_csv, base_csv, ""))
    t = time.perf_counter()
    line = katalog_cmd(env, "import_umkm", str(csv_path), "--katalog", "12.71")
    results.append(("import_umkm CSV, empty tenant", time.perf_counter() - t, base_csv, line))
    t = time.perf_counter()
    line = katalog_cmd(env, "import_umkm", str(csv_path), "--katalog", "12.71")
    results.append(("import_umkm CSV again (all unchanged)", time.perf_counter() - t, base_csv, line))
    base_xlsx = timed(read_xlsx)
    results.append(("baseline: openpyxl reads the XLSX", base_xlsx, base_xlsx, ""))
    t = time.perf_counter()
    line = katalog_cmd(env, "import_umkm", str(xlsx_path), "--katalog", "12.71")
    results.append(("import_umkm XLSX again (all unchanged)", time.perf_counter() - t, base_xlsx, line))
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.rows} rows, {engine}, {os.cpu_count()} cores")
    for name, seconds, base, line in results:
        print(f"  {name:42s} {seconds:7.2f} s  x{seconds / base:6.1f}  {line}")


if __name__ == "__main__":
    main()
