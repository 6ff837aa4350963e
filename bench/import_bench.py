"""Benchmark: importing the Dinas UMKM registry.

    .venv/bin/python bench/import_bench.py [--rows 30000] [--postgres]

Makes a registry file of N rows (CSV and XLSX, 2% bad rows), then, in each of three rounds
(--rounds), on an empty copy of a migrated database with the tenant:
  baseline  reading the file with the csv module alone (no checks, no database);
  import    `katalog import_umkm` on the empty tenant (every row checked, good rows written);
  re-import the same file again (every row matched by NIB and found unchanged);
(with --xlsx also the XLSX re-import against openpyxl reading the file) and prints the median of
each, its ratio to the baseline's median and the load average of each round. The databases are
SQLite files under var/bench (or, with --postgres, `katalog_bench_import` on 127.0.0.1:5432)."""

import argparse
import csv
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
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


def compile_bytecode() -> None:
    """The project's modules compiled once, as an installed package has them: with
    PYTHONDONTWRITEBYTECODE set (as in some shells and the Docker image) and no bytecode, every
    `katalog` process would compile the project's sources again (0.3-0.4 s of each start-up)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "katalog")], check=True)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Database:
    """A migrated database with the tenant, made once; `fresh()` gives an empty copy of it for
    each round (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL)."""

    def __init__(self, postgres: bool, folder: Path):
        self.postgres, self.folder = postgres, folder
        self.env = dict(os.environ)
        if postgres:
            self._admin("DROP DATABASE IF EXISTS katalog_bench_import_tmpl")
            self._admin("CREATE DATABASE katalog_bench_import_tmpl")
            self.env["DATABASE_URL"] = f"{PG_SERVER}/katalog_bench_import_tmpl"
        else:
            self.template = folder / "import-template.sqlite3"
            self._unlink(self.template)
            self.env["DATABASE_URL"] = f"sqlite:///{self.template}"
        katalog_cmd(self.env, "migrate", "--noinput")
        subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','katalog.settings');"
                    "django.setup();from katalog.core.models import Katalog;"
                    "Katalog.objects.get_or_create(region_id='12.71',defaults={'name':'Bench','government_name':'Bench'})"
                ),
            ],
            env=self.env,
            check=True,
            cwd=ROOT,
        )
        if not postgres:
            with sqlite3.connect(self.template) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    def _admin(sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    @staticmethod
    def _unlink(path: Path) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    def fresh(self) -> dict:
        env = dict(self.env)
        if self.postgres:
            self._admin("DROP DATABASE IF EXISTS katalog_bench_import WITH (FORCE)")
            self._admin("CREATE DATABASE katalog_bench_import TEMPLATE katalog_bench_import_tmpl")
            env["DATABASE_URL"] = f"{PG_SERVER}/katalog_bench_import"
        else:
            db = self.folder / "import.sqlite3"
            self._unlink(db)
            shutil.copyfile(self.template, db)
            env["DATABASE_URL"] = f"sqlite:///{db}"
        return env

    def drop(self) -> None:
        if self.postgres:
            self._admin("DROP DATABASE IF EXISTS katalog_bench_import WITH (FORCE)")
            self._admin("DROP DATABASE IF EXISTS katalog_bench_import_tmpl WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also time the XLSX re-import (openpyxl baseline)")
    args = parser.parse_args()
    compile_bytecode()
    folder = ROOT / "var" / "bench"
    csv_path, xlsx_path = write_files(make_rows(args.rows), folder)
    database = Database(args.postgres, folder)

    def read_csv():
        with csv_path.open(encoding="utf-8") as f:
            sum(1 for _ in csv.reader(f, delimiter=";"))

    def read_xlsx():
        from openpyxl import load_workbook

        book = load_workbook(xlsx_path, read_only=True)
        sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))

    # Each round: the csv baseline, the import into an empty tenant, the unchanged re-import.
    rounds: dict[str, list[tuple[float, str, str]]] = {}

    def note(name, seconds, line=""):
        rounds.setdefault(name, []).append((seconds, line, loadavg()))

    try:
        for _round in range(args.rounds):
            env = database.fresh()
            note("baseline: csv module reads the CSV", timed(read_csv))
            t = time.perf_counter()
            line = katalog_cmd(env, "import_umkm", str(csv_path), "--katalog", "12.71")
            note("import_umkm CSV, empty tenant", time.perf_counter() - t, line)
            t = time.perf_counter()
            line = katalog_cmd(env, "import_umkm", str(csv_path), "--katalog", "12.71")
            note("import_umkm CSV again (all unchanged)", time.perf_counter() - t, line)
            if args.xlsx:
                note("baseline: openpyxl reads the XLSX", timed(read_xlsx))
                t = time.perf_counter()
                line = katalog_cmd(env, "import_umkm", str(xlsx_path), "--katalog", "12.71")
                note("import_umkm XLSX again (all unchanged)", time.perf_counter() - t, line)
    finally:
        database.drop()
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{args.rows} rows, {engine}, {os.cpu_count()} cores, median of {args.rounds} rounds")
    medians = {name: statistics.median(s for s, _l, _a in runs) for name, runs in rounds.items()}
    for name, runs in rounds.items():
        base = medians["baseline: openpyxl reads the XLSX" if "XLSX" in name else "baseline: csv module reads the CSV"]
        loads = "; ".join(a for _s, _l, a in runs)
        print(f"  {name:42s} {medians[name]:7.2f} s  x{medians[name] / base:6.1f}  load {loads}  {runs[-1][1]}")


if __name__ == "__main__":
    main()
