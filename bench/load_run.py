"""Load test: gunicorn (scripts/gunicorn.conf.py) and the task worker on a demo database, under
locust (bench/load_locustfile.py) headless at a fixed rate: search page, product page and order
placement together.

    python bench/load_run.py [--minutes 10] [--runs 1] [--small] [--var DIR]

`make load` runs ten minutes on the full Kota Medan demo; CI (.ci/run) one minute on `--small`.
Prints per run: requests, error rate, p50/p99 latency (overall and per page), the RSS of each
gunicorn worker after the warm-up and at the end, and /proc/loadavg; with --runs N, the median.
Exits 1 when any request failed or a worker's memory grew over the run by more than
--growth-mb (default 20 MB) or --growth-ratio (default 10%), whichever is larger.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
USERS = 9  # 4 searching, 4 reading product pages at 1/s each, 1 buyer placing an order every 2 s


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, small: bool) -> None:
    t = time.monotonic()
    subprocess.run([BIN / "katalog", "migrate", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [BIN / "katalog", "demo", *(["--small"] if small else [])], env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(f"demo database ready in {time.monotonic() - t:.0f} s ({'small' if small else 'full'})", flush=True)


def wait_healthy(base: str, server: subprocess.Popen) -> None:
    for _ in range(240):
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    sys.exit("gunicorn did not answer /healthz")


def rss_mb(master: int) -> dict[int, float]:
    try:
        return {c.pid: c.memory_info().rss / 2**20 for c in psutil.Process(master).children()}
    except psutil.Error:
        return {}


def read_stats(prefix: Path) -> dict[str, dict]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def one_run(env: dict, seconds: int, workdir: Path) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run_env = env | {"PORT": str(port)}
    logs = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [BIN / "gunicorn", "--config", "scripts/gunicorn.conf.py"],
        cwd=ROOT,
        env=run_env,
        stdout=logs,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [BIN / "katalog", "worker", "--interval", "5"], cwd=ROOT, env=run_env, stdout=logs, stderr=subprocess.STDOUT
    )
    try:
        wait_healthy(base, server)
        samples: list[tuple[float, dict[int, float]]] = []
        stop = threading.Event()

        def sample():
            while not stop.wait(2):
                samples.append((time.monotonic(), rss_mb(server.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        load_before = loadavg()
        started = time.monotonic()
        sampler.start()
        prefix = workdir / "locust"
        subprocess.run(
            [
                BIN / "locust",
                "-f",
                "bench/load_locustfile.py",
                "--headless",
                "--users",
                str(USERS),
                "--spawn-rate",
                str(USERS),
                "--run-time",
                f"{seconds}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=run_env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stop.set()
        sampler.join()
        load_after = loadavg()
        warm = started + max(10.0, seconds * 0.1)  # after the warm-up: modules, templates, caches loaded
        after_warmup = next((s for t, s in samples if t >= warm), samples[0][1])
        at_end = samples[-1][1]
        stats = read_stats(prefix)
    finally:
        for p in (worker, server):
            p.send_signal(signal.SIGTERM)
        for p in (worker, server):
            try:
                p.wait(timeout=40)
            except subprocess.TimeoutExpired:
                p.kill()
        logs.close()
    total = stats["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rate": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p99": float(total["99%"]),
        "pages": {n: float(r["99%"]) for n, r in stats.items() if n != "Aggregated"},
        "rss_start": after_warmup,
        "rss_end": at_end,
        "load": f"{load_before} -> {load_after}",
    }


def report(n: int, r: dict) -> None:
    error_rate = r["failures"] / max(r["requests"], 1)
    print(
        f"run {n}: {r['requests']} requests at {r['rate']:.1f}/s, errors {r['failures']} ({error_rate:.2%}), "
        f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms; loadavg {r['load']}"
    )
    for name, p99 in r["pages"].items():
        print(f"    p99 {p99:6.0f} ms  {name}")
    for pid, start in sorted(r["rss_start"].items()):
        end = r["rss_end"].get(pid)
        print(
            f"    worker {pid}: RSS {start:.0f} MB after warm-up, {end:.0f} MB at the end"
            if end is not None
            else f"    worker {pid}: RSS {start:.0f} MB after warm-up, gone at the end (restarted)"
        )


def memory_grew(r: dict, mb: float, ratio: float) -> list[str]:
    grown = []
    for pid, start in r["rss_start"].items():
        end = r["rss_end"].get(pid)
        if end is None:
            grown.append(f"worker {pid} was replaced during the run")
        elif end - start > max(mb, start * ratio):
            grown.append(f"worker {pid} grew from {start:.0f} MB to {end:.0f} MB")
    return grown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--small", action="store_true", help="the small demo (CI): quicker to load")
    parser.add_argument("--var", type=Path, help="data directory to use (kept); default a fresh temporary one")
    parser.add_argument("--growth-mb", type=float, default=20)
    parser.add_argument("--growth-ratio", type=float, default=0.10)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="katalog-load-"))
    print(f"logs in {workdir}", flush=True) if os.environ.get("LOAD_DEBUG") else None
    var = args.var or workdir / "var"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {
        "KATALOG_VAR_DIR": str(var),
        "KATALOG_MESSAGE_BACKEND": "file",
        "KATALOG_LOG_LEVEL": "WARNING",
        "KATALOG_METRICS_TOKEN": "",
    }
    try:
        if not (var / "katalog.sqlite3").exists():
            prepare(env, args.small)
        seconds = max(10, round(args.minutes * 60))
        print(
            f"{args.runs} run(s) of {seconds} s, {USERS} users at a fixed rate, on {os.cpu_count()} cores", flush=True
        )
        results = []
        for n in range(1, args.runs + 1):
            results.append(one_run(env, seconds, workdir))
            report(n, results[-1])
        failures = sum(r["failures"] for r in results)
        grown = [g for r in results for g in memory_grew(r, args.growth_mb, args.growth_ratio)]
        if args.runs > 1:
            med = sorted(results, key=lambda r: r["p99"])[len(results) // 2]
            print(
                f"median of {args.runs}: p99 {statistics.median(r['p99'] for r in results):.0f} ms, "
                f"p50 {statistics.median(r['p50'] for r in results):.0f} ms, "
                f"{statistics.median(r['rate'] for r in results):.1f} requests/s (loadavg of that run {med['load']})"
            )
        ok = failures == 0 and not grown
        print(f"error rate: {failures} failed requests" + ("" if failures == 0 else "  <-- FAIL"))
        print("memory: " + ("no worker grew beyond the tolerance" if not grown else "; ".join(grown) + "  <-- FAIL"))
        return 0 if ok else 1
    finally:
        if not os.environ.get("LOAD_DEBUG"):
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
