"""`make bench`: whole scripted lead conversations over REST, 20 concurrent customers, against
a stock `rasa init` assistant and against ours, measured the same way in the same run.

Phases (each server is stopped before the next starts, so they don't share the CPU):

1. baseline: `rasa init --no-prompt` in var/bench/baseline (trained once, then cached),
   served with `rasa run`; its customers say the moodbot's five messages.
2. ours, embedded default (SQLite, in-memory lock store) as `make run` starts it (bot.runtime.launcher):
   action server + Rasa server; five messages of a lead conversation ending with the plan.
3. ours scaled: PostgreSQL tracker store + Redis lock store, first one Rasa server then two
   (each with its own action server, as in deploy/docker-compose.yml), customers' turns
   alternating between them like behind a round-robin load balancer. Skipped (null) when
   PostgreSQL or Redis is not reachable.
4. scripts/bench_engine.py: microseconds per recommendation of the guidance engine.

Prints a few human lines, then one JSON object as the LAST line (CONTRACT section 8):
msgs_per_s, p50_ms, p95_ms, baseline_msgs_per_s, ratio, rss_mb (VmHWM of our Rasa server),
train_s (models/last-train-seconds), plus baseline_p50_ms/p95_ms, errors, two_server_msgs_per_s,
one_server_pg_msgs_per_s, scale_factor and engine_us_per_recommendation.

Usage: .venv/bin/python -m scripts.bench [--customers 20] [--rounds 3] [--skip-scaled]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runtime.launcher import Stack, child_env, start_stack  # noqa: E402

VENV_BIN = Path(sys.executable).parent
BENCH_DIR = ROOT / "var" / "bench"
BASELINE_DIR = BENCH_DIR / "baseline"
READY_TIMEOUT_S = 900.0

# Same shape for both: five customer messages per conversation, a greeting first.
OUR_SCRIPT = (
    "hi",
    "We have 3 offices in Portland and Seattle, need PRIs and SIP, and our bill is too high",
    "about 40 employees",
    "we're with CenturyLink",
    "the contract ends in March 2027",
)
BASELINE_SCRIPT = (
    "hello",
    "I am feeling very sad",
    "yes it did",
    "I am great",
    "bye",
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - local URL
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def vm_hwm_mb(pid: int) -> Optional[float]:
    """Peak resident memory of a process (VmHWM), MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _kill_group(process: subprocess.Popen, timeout: float = 30) -> None:  # type: ignore[type-arg]
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ------------------------------------------------------------------------------ the baseline


def baseline_model() -> tuple[Path, Optional[float]]:
    """The stock assistant's model, trained by `rasa init --no-prompt` on first use."""
    models = sorted((BASELINE_DIR / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    seconds_file = BASELINE_DIR / "train-seconds"
    if models:
        cached = float(seconds_file.read_text()) if seconds_file.exists() else None
        return models[-1], cached
    BASELINE_DIR.mkdir(parents=True, exist_ok=True)  # rasa init wants it to exist
    log(f"==> creating the stock assistant: rasa init --no-prompt --init-dir {BASELINE_DIR}")
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our venv's rasa
        [str(VENV_BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(BASELINE_DIR)],
        cwd=BENCH_DIR, env=child_env({}), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout.decode(errors="replace")[-3000:])
        raise SystemExit(f"rasa init failed ({result.returncode})")
    seconds_file.write_text(f"{elapsed:.1f}\n")
    models = sorted((BASELINE_DIR / "models").glob("*.tar.gz"))
    if not models:
        raise SystemExit("rasa init did not produce a model")
    return models[-1], elapsed


@contextlib.contextmanager
def baseline_server(model: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    log_path = BENCH_DIR / "baseline-rasa.log"
    with open(log_path, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our venv's rasa
            [str(VENV_BIN / "rasa"), "run", "--model", str(model), "--port", str(port),
             "--interface", "127.0.0.1"],
            cwd=BASELINE_DIR, env=child_env({}), stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not _answers(url + "/"):
            if process.poll() is not None:
                raise SystemExit(f"the stock assistant exited; see {log_path}")
            if time.monotonic() > deadline:
                raise SystemExit("the stock assistant did not start in time")
            time.sleep(1)
        yield url, process.pid
    finally:
        _kill_group(process)


# ------------------------------------------------------------------------------------ ours


def _our_env(**extra: str) -> dict[str, str]:
    env = {
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        # A Tuesday morning in the office's zone: the business-hours path, every run alike.
        "BOT_NOW": "2026-12-01T10:30:00-08:00",
        "BOT_API_TOKEN": "",
        "REDIS_URL": "",
        "RABBITMQ_URL": "",
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def our_stacks(envs: Sequence[Mapping[str, str]]) -> Iterator[list[Stack]]:
    """Action server + Rasa server per env, all started at once, stopped together."""
    stacks: list[Stack] = []
    try:
        for index, env in enumerate(envs):
            log_dir = BENCH_DIR / "logs" / f"ours-{index}"
            stacks.append(start_stack(env, services=("actions", "rasa"), log_dir=log_dir))
        for stack in stacks:
            stack.wait_ready(timeout=READY_TIMEOUT_S)
        yield stacks
    finally:
        for stack in stacks:
            stack.stop()


@contextlib.contextmanager
def postgres_database() -> Iterator[Optional[str]]:
    """A throw-away PostgreSQL database for the scaled phase, or None when unreachable."""
    try:
        import psycopg2
    except ImportError:
        yield None
        return
    host = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
    port = int(os.environ.get("BENCH_PG_PORT", "5432"))
    user = os.environ.get("BENCH_PG_USER", "postgres")
    name = f"carrier_advisor_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(host=host, port=port, user=user, dbname="postgres",
                                 connect_timeout=3)
    except psycopg2.OperationalError as error:
        log(f"PostgreSQL unavailable ({str(error).strip()}): scaled phase skipped")
        yield None
        return
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield f"postgresql+psycopg2://{user}@{host}:{port}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def redis_url() -> Optional[str]:
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_timeout=3).ping()
    except Exception as error:  # noqa: BLE001 - reported, phase skipped
        log(f"Redis unavailable ({error}): scaled phase skipped")
        return None
    return url


# ------------------------------------------------------------------------------------ load


async def _load(urls: Sequence[str], script: Sequence[str], customers: int, rounds: int,
                prefix: str) -> dict[str, Any]:
    """`customers` concurrent customers, each holding `rounds` whole conversations in a row;
    each conversation's turns go round-robin over `urls`."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    run_id = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=customers * 2)
    timeout = aiohttp.ClientTimeout(total=180)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def customer(index: int) -> None:
            nonlocal errors
            for round_ in range(rounds):
                sender = f"{prefix}-{run_id}-{index}-{round_}"
                for turn, message in enumerate(script):
                    url = urls[(index + turn) % len(urls)]
                    started = time.perf_counter()
                    ok = False
                    try:
                        async with session.post(f"{url}/webhooks/rest/webhook",
                                                json={"sender": sender, "message": message}) as resp:
                            body = await resp.json(content_type=None)
                            ok = resp.status == 200 and isinstance(body, list) and bool(body)
                    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                        ok = False
                    latencies.append((time.perf_counter() - started) * 1000)
                    if not ok:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(customer(i) for i in range(customers)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "messages": len(latencies),
        "wall_s": round(wall, 2),
        "msgs_per_s": round(len(latencies) / wall, 2),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(statistics.quantiles(latencies, n=100)[94], 1),
        "errors": errors,
    }


def measure(name: str, urls: Sequence[str], script: Sequence[str], customers: int,
            rounds: int) -> dict[str, Any]:
    # Warm-up (not timed): one whole conversation per customer at full concurrency. A single
    # conversation was not enough: the stock bot ran its first concurrent round ~25% slower
    # than the next ones (TensorFlow and lazy parts warming up), which flattered the ratio.
    asyncio.run(_load(urls, script, customers, rounds=1, prefix=f"warm-{name}"))
    result = asyncio.run(_load(urls, script, customers, rounds, prefix=f"bench-{name}"))
    log(f"{name}: {result['msgs_per_s']} msg/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, {result['messages']} messages, {result['errors']} errors")
    return result


# ------------------------------------------------------------------------------------ main


def engine_bench() -> Optional[float]:
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "scripts" / "bench_engine.py")], cwd=ROOT,
        env=child_env({}), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600,
    )
    lines = result.stdout.decode().strip().splitlines()
    try:
        return float(json.loads(lines[-1])["engine_us_per_recommendation"])
    except (IndexError, ValueError, KeyError):
        log(f"engine bench failed: {result.stderr.decode()[-500:]}")
        return None


def train_seconds() -> Optional[float]:
    try:
        return float((ROOT / "models" / "last-train-seconds").read_text().strip())
    except (OSError, ValueError):
        return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=20, help="concurrent customers")
    parser.add_argument("--rounds", type=int, default=3,
                        help="whole conversations per customer (default: %(default)s)")
    parser.add_argument("--skip-scaled", action="store_true",
                        help="skip the PostgreSQL/Redis one- and two-server phase")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.rounds < 1:
        parser.error("--customers and --rounds must be at least 1")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"customers": args.customers,
                              "messages_per_conversation": len(OUR_SCRIPT)}

    model, baseline_train_s = baseline_model()
    log(f"==> stock assistant ({model.name})")
    with baseline_server(model) as (url, pid):
        baseline = measure("baseline", [url], BASELINE_SCRIPT, args.customers, args.rounds)
        report["baseline_rss_mb"] = vm_hwm_mb(pid)

    log("==> ours, embedded default (SQLite, one Rasa server, one action server)")
    db = BENCH_DIR / f"ours-{uuid.uuid4().hex[:8]}.db"
    try:
        env = _our_env(DATABASE_URL=f"sqlite:///{db.relative_to(ROOT)}")
        with our_stacks([env]) as (stack,):
            ours = measure("ours", [stack.rasa_url], OUR_SCRIPT, args.customers, args.rounds)
            rss = vm_hwm_mb(stack.processes["rasa"].pid)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)

    one_pg = two = None
    if not args.skip_scaled:
        redis = redis_url()
        with postgres_database() as pg:
            if pg and redis:
                log("==> ours scaled: PostgreSQL + Redis, one then two Rasa servers")
                envs = [_our_env(DATABASE_URL=pg, REDIS_URL=redis) for _ in range(2)]
                with our_stacks(envs) as stacks:
                    urls = [s.rasa_url for s in stacks]
                    one_pg = measure("one-server-pg", urls[:1], OUR_SCRIPT, args.customers,
                                     args.rounds)
                    two = measure("two-servers-pg", urls, OUR_SCRIPT, args.customers,
                                  args.rounds)
                    report["two_server_rss_mb"] = max(
                        filter(None, (vm_hwm_mb(s.processes["rasa"].pid) for s in stacks)),
                        default=None)

    engine_us = engine_bench()
    report.update({
        "msgs_per_s": ours["msgs_per_s"],
        "p50_ms": ours["p50_ms"],
        "p95_ms": ours["p95_ms"],
        "errors": ours["errors"],
        "messages": ours["messages"],
        "baseline_msgs_per_s": baseline["msgs_per_s"],
        "baseline_p50_ms": baseline["p50_ms"],
        "baseline_p95_ms": baseline["p95_ms"],
        "baseline_errors": baseline["errors"],
        "ratio": round(ours["msgs_per_s"] / baseline["msgs_per_s"], 3),
        "rss_mb": rss,
        "train_s": train_seconds(),
        "baseline_train_s": round(baseline_train_s, 1) if baseline_train_s else None,
        "one_server_pg_msgs_per_s": one_pg["msgs_per_s"] if one_pg else None,
        "one_server_pg_p95_ms": one_pg["p95_ms"] if one_pg else None,
        "two_server_msgs_per_s": two["msgs_per_s"] if two else None,
        "two_server_p95_ms": two["p95_ms"] if two else None,
        "scale_factor": round(two["msgs_per_s"] / one_pg["msgs_per_s"], 3)
        if one_pg and two else None,
        "engine_us_per_recommendation": engine_us,
        "cpus": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    })
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
