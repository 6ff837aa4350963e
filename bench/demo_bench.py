"""Benchmark: `katalog demo` on an empty database against a bare start-up (issue 12).

    .venv/bin/python bench/demo_bench.py [--rounds 3] [--sqlite-only | --postgres-only]

For SQLite and for PostgreSQL, a database is migrated once (the template); then in each round, on
an empty copy of it (a file copy; CREATE DATABASE ... TEMPLATE):
  baseline  `katalog check`: a bare start-up (Django set up, the system checks, no data);
  demo      `katalog demo -v 2`: the whole demo tenant, whose last line says where its time went.
It prints the median of each, the ratio demo / check (the goal: at most 3), the load average of
each round, and the median of each part of the demo (tenant and people, registry, catalogue,
orders). The databases live under var/bench (SQLite) or are `katalog_bench_demo*` on
127.0.0.1:5432 (dropped at the end)."""

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def compile_bytecode() -> None:
    """The project's modules compiled once, as an installed package has them: with
    PYTHONDONTWRITEBYTECODE set (as in some shells and the Docker image) and no bytecode, every
    `katalog` process would compile the project's sources again (0.3-0.4 s of each start-up)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "katalog")], check=True)


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def katalog(env, *args) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run([str(ROOT / ".venv/bin/katalog"), *args], env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, out.stdout


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def base_env() -> dict:
    env = dict(os.environ)
    env["KATALOG_TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    env["KATALOG_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    return env


def sqlite_databases(folder: Path):
    template = folder / "demo-template.sqlite3"
    db = folder / "demo.sqlite3"

    def unlink(path):
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)

    unlink(template)
    env = base_env()
    env["DATABASE_URL"] = f"sqlite:///{template}"
    katalog(env, "migrate", "--noinput")
    with sqlite3.connect(template) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def fresh():
        unlink(db)
        shutil.copyfile(template, db)
        return {**env, "DATABASE_URL": f"sqlite:///{db}"}

    return fresh, lambda: None


def postgres_databases():
    admin("DROP DATABASE IF EXISTS katalog_bench_demo WITH (FORCE)")
    admin("DROP DATABASE IF EXISTS katalog_bench_demo_tmpl WITH (FORCE)")
    admin("CREATE DATABASE katalog_bench_demo_tmpl")
    env = base_env()
    env["DATABASE_URL"] = f"{PG_SERVER}/katalog_bench_demo_tmpl"
    katalog(env, "migrate", "--noinput")

    def fresh():
        admin("DROP DATABASE IF EXISTS katalog_bench_demo WITH (FORCE)")
        admin("CREATE DATABASE katalog_bench_demo TEMPLATE katalog_bench_demo_tmpl")
        return {**env, "DATABASE_URL": f"{PG_SERVER}/katalog_bench_demo"}

    def drop():
        admin("DROP DATABASE IF EXISTS katalog_bench_demo WITH (FORCE)")
        admin("DROP DATABASE IF EXISTS katalog_bench_demo_tmpl WITH (FORCE)")

    return fresh, drop


def run(engine: str, fresh, rounds: int) -> None:
    checks, demos, loads, parts = [], [], [], {}
    summary = ""
    for _ in range(rounds):
        env = fresh()
        seconds, _out = katalog(env, "check")
        checks.append(seconds)
        seconds, out = katalog(env, "demo", "-v", "2")
        demos.append(seconds)
        loads.append(loadavg())
        summary = next((line for line in out.splitlines() if line.startswith("demo tenant")), "")
        times = next((line for line in out.splitlines() if line.startswith("times: ")), "")
        for name, value in re.findall(r"([a-z ,]+?) ([0-9.]+) s", times.removeprefix("times: ")):
            parts.setdefault(name.strip(" ,"), []).append(float(value))
    check, demo = statistics.median(checks), statistics.median(demos)
    print(f"{engine}, median of {rounds} rounds, {os.cpu_count()} cores; load per round: {'; '.join(loads)}")
    print(f"  baseline: katalog check (bare start-up)  {check:6.2f} s")
    print(f"  katalog demo, empty database           {demo:6.2f} s  x{demo / check:5.2f} the start-up")
    for name, values in parts.items():
        print(f"    {name:36s} {statistics.median(values):6.2f} s")
    print(f"  {summary}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    compile_bytecode()
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    if not args.postgres_only:
        fresh, drop = sqlite_databases(folder)
        run("SQLite", fresh, args.rounds)
        drop()
    if not args.sqlite_only:
        fresh, drop = postgres_databases()
        try:
            run("PostgreSQL", fresh, args.rounds)
        finally:
            drop()


if __name__ == "__main__":
    main()
