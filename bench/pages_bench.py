"""The public pages against a bare Django "hello", served the same way on the same machine (issue 11, "Pages").

    python bench/pages_bench.py [--rounds 3] [--seconds 10] [--connections 32] [--small] [--var DIR] [--check]

Loads `katalog demo` into a fresh SQLite database in a temporary KATALOG_VAR_DIR (or reuses --var DIR
when it already holds one), then starts two gunicorns with `scripts/gunicorn.conf.py` and the same flags:
the site (`katalog.wsgi`) and `bench/hello_site.py` (no apps, no middleware, no database). Both run
2 sync workers (`-w 2 -k sync`, the setting the issue measured with; `--deployed` keeps the config's
own worker class and count instead). Each round runs `wrk -t2 -c32 -d10s --latency` against hello and
then the page, for each page in turn, so each page is compared with the hello measured right before
it (the machine's speed drifts within a minute); three rounds by default. Prints each round (requests/s, share of that round's hello,
p99, errors, load average before), then the median of the rounds and the goals:

    search page and search API >= 20% of hello; home and product page >= 25%; /healthz >= 50%;
    p99 < 250 ms at 32 connections.

A visitor's public page is kept rendered between requests (katalog/core/page_cache.py), so the pages
above are measured as a visitor gets them again. `--built` also starts the site with
KATALOG_VISITOR_PAGE_SECONDS=0 and measures every page built anew on each request (the "(built)"
rows, no goal): what a change, a new query or a signed-in user costs.

--check exits 1 when a goal is missed or any request failed (a non-2xx answer or a socket error).
Needs wrk (`make install-dev` installs Debian's; scripts/ensure-system-packages).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from load_run import free_port, loadavg, prepare  # the same helpers as the load test (bench/)

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CONFIG = ROOT / "scripts" / "gunicorn.conf.py"

# name, path (on the site; hello always gets "/"), goal as a share of hello
PAGES = [
    ("search page", "/cari/?q=sepatu", 0.20),
    ("search API", "/api/v1/products?q=sepatu", 0.20),
    ("product page", None, 0.25),  # the first product the search API finds for "sepatu"
    ("home", "/", 0.25),
    ("/healthz", "/healthz", 0.50),
]
P99_GOAL_MS = 250.0


def start(env: dict, app: str, extra: list[str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [BIN / "gunicorn", "--config", str(CONFIG), "--bind", f"127.0.0.1:{port}", *extra, app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,  # the access log: written as deployed, not kept
        stderr=log.open("w"),
    )
    return server, f"http://127.0.0.1:{port}"


def wait_up(base: str, path: str, server: subprocess.Popen) -> None:
    for _ in range(240):
        if server.poll() is not None:
            sys.exit(f"gunicorn for {base} stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(base + path, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    sys.exit(f"{base}{path} did not answer")


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNIT[unit]


def wrk(url: str, seconds: int, connections: int, threads: int) -> dict:
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"wrk failed on {url}: {done.stdout}{done.stderr}")
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    # A sync worker closes each connection after its answer; wrk counts the peer's close of an idle
    # kept-alive connection as a "read" error although no request was lost, so only connect, write and
    # timeout errors and non-2xx answers count as failures.
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(sock.group(i)) for i in (1, 3, 4)) if sock else 0)
    return {"rate": rate, "p50": p50, "p99": p99, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--small", action="store_true", help="katalog demo --small (quicker, fewer vendors)")
    parser.add_argument("--var", type=Path, help="KATALOG_VAR_DIR to use (and keep); the demo is loaded when empty")
    parser.add_argument("--deployed", action="store_true", help="the config's own workers (gthread), not 2 sync")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed or a request failed")
    parser.add_argument("--built", action="store_true", help="also every page built anew (no page kept)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: make install-dev (or apt-get install wrk)")

    var = args.var or Path(tempfile.mkdtemp(prefix="katalog-pages-"))
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    env |= {
        "KATALOG_VAR_DIR": str(var),
        "KATALOG_SECRET_KEY": "pages-bench-not-secret",
        "KATALOG_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "katalog.settings",
    }
    servers: list[subprocess.Popen] = []
    try:
        if not (var / "katalog.sqlite3").exists():
            prepare(env, args.small)
        workers = [] if args.deployed else ["--workers", "2", "--worker-class", "sync"]
        site, site_base = start(env, "katalog.wsgi:application", workers, var / "site.log")
        servers.append(site)
        hello_env = env | {"DJANGO_SETTINGS_MODULE": "hello_site"}
        hello, hello_base = start(
            hello_env, "hello_site:application", [*workers, "--pythonpath", "bench"], var / "hello.log"
        )
        servers.append(hello)
        wait_up(site_base, "/healthz", site)
        wait_up(hello_base, "/", hello)
        if args.built:
            built_env = env | {"KATALOG_VISITOR_PAGE_SECONDS": "0"}
            built, built_base = start(built_env, "katalog.wsgi:application", workers, var / "built.log")
            servers.append(built)
            wait_up(built_base, "/healthz", built)
        with urllib.request.urlopen(f"{site_base}/api/v1/products?q=sepatu&page_size=1", timeout=30) as r:
            first = json.load(r)["results"]
        if not first:
            sys.exit("the search API found no product for 'sepatu'")
        targets = [("hello", hello_base + "/", None)] + [
            (name, site_base + (path or f"/produk/{first[0]['id']}/"), goal) for name, path, goal in PAGES
        ]
        if args.built:
            targets += [
                (f"{name} (built)", built_base + (path or f"/produk/{first[0]['id']}/"), None)
                for name, path, _goal in PAGES
                if path != "/healthz"
            ]
        for _name, url, _goal in targets:  # warm up: imports, templates, the search engine's caches
            wrk(url, 2, args.connections, args.threads)

        mode = "gunicorn.conf.py as deployed" if args.deployed else "2 sync workers"
        print(
            f"\nwrk -t{args.threads} -c{args.connections} -d{args.seconds}s, {mode}, "
            f"{os.cpu_count()} cores, demo in {'--var' if args.var else 'a fresh temporary'} KATALOG_VAR_DIR"
        )
        rounds: list[dict[str, dict]] = []
        for n in range(1, args.rounds + 1):
            results: dict[str, dict] = {}
            print(f"\nround {n}")
            print(f"  {'page':<22} {'req/s':>8} {'of hello':>9} {'p50':>9} {'p99':>9} {'errors':>7}  load before")
            for name, url, _goal in targets:
                if name == "hello":
                    continue
                # hello right before each page: the machine's speed drifts within a minute, so each page is
                # compared with the hello measured next to it (its share), not with one hello per round
                before = loadavg()
                h = wrk(hello_base + "/", args.seconds, args.connections, args.threads)
                h["load"] = before
                results.setdefault("hello", h)
                results[f"hello before {name}"] = h
                before = loadavg()
                r = wrk(url, args.seconds, args.connections, args.threads)
                r["load"] = before
                r["share"] = r["rate"] / h["rate"]
                results[name] = r
                share = r["share"]
                print(
                    f"  {'hello':<22} {h['rate']:>8.0f} {'':>9} {h['p50']:>7.1f}ms {h['p99']:>7.1f}ms "
                    f"{h['errors']:>7}  {h['load']}",
                    flush=True,
                )
                print(
                    f"  {name:<22} {r['rate']:>8.0f} {share:>8.1%} {r['p50']:>7.1f}ms {r['p99']:>7.1f}ms "
                    f"{r['errors']:>7}  {before}",
                    flush=True,
                )
            rounds.append(results)

        print(
            f"\nmedian of {args.rounds} rounds (share: median over the rounds of page / the hello measured just before it)"
        )
        print(f"  {'page':<22} {'req/s':>8} {'of hello':>9} {'goal':>6} {'p99':>9}  {'ok':<4} load before each round")
        failed = False
        for name, _url, goal in targets:
            rate = statistics.median(r[name]["rate"] for r in rounds)
            share = statistics.median(r[name].get("share", 1.0) for r in rounds)
            p99 = statistics.median(r[name]["p99"] for r in rounds)
            errors = sum(r[name]["errors"] for r in rounds)
            measured = goal is not None  # hello is the baseline; "(built)" rows are shown, not judged
            ok = (not measured or (share >= goal and p99 < P99_GOAL_MS)) and errors == 0
            failed |= not ok
            goal_text = f"{goal:.0%}" if goal else "-"
            loads = " | ".join(r[name]["load"].split()[0] for r in rounds)
            print(
                f"  {name:<22} {rate:>8.0f} {share:>8.1%} {goal_text:>6} {p99:>7.1f}ms  "
                f"{('yes' if ok else 'NO') if measured else '-':<4} "
                f"{loads}{f'  ({errors} errors)' if errors else ''}"
            )
        print(f"load average now: {loadavg()}")
        return 1 if failed and args.check else 0
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.var:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
