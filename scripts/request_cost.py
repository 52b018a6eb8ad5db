#!/usr/bin/env python3
"""Request-cost benchmark: the worst legal requests against a normal one, on a real server.

Starts `boussole serve` on the given index (query cache off, so repeats are real work), times
each request kind (median of several runs, distinct texts where it matters) and reads the
server's peak resident memory (VmHWM) before and after each kind. Prints a table with the
ratio to a normal `/v1/search` and to a normal `/v1/match`, and fails (exit 1) when a legal
request costs more than 10x the normal one or grows peak memory by more than 50 MB.

Usage: scripts/request_cost.py [INDEX_DIR] [RUNS]   (defaults: indexes/default, 5)
"""
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INDEX = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "indexes/default")
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
MAX_RATIO = 10.0
MAX_RSS_GROWTH_MB = 50.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024.0
    return 0.0


def request(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            payload = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        payload = e.read()
        status = e.code
    return (time.perf_counter() - start) * 1000.0, status, len(payload)


def words(rng, n, length):
    return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length)) for _ in range(n))


def kinds(rng):
    """(name, method, path-or-None, body-factory) — factories give a distinct request per run."""
    q = urllib.parse.quote
    titles = ["boulanger", "infirmier", "plombier", "comptable", "graphiste", "électricien", "cuisinier", "vendeur"]
    return [
        ("normal search (title)", lambda i: ("GET", "/v1/search?q=" + q(titles[i % len(titles)]), None)),
        ("normal match (text + 3 skills)", lambda i: ("POST", "/v1/match", {
            "text": "j'aime cuisiner " + titles[i % len(titles)],
            "skills": ["pâtisserie", "hygiène alimentaire", "travail en équipe"]})),
        ("search: 500 chars of 1-letter words", lambda i: ("GET", "/v1/search?q=" + q(" ".join(rng.choice("abcdefghij") for _ in range(250))[:500]), None)),
        ("search: 500 chars, one word repeated", lambda i: ("GET", "/v1/search?q=" + q(("tech%d " % i) * 80)[:1500], None)),
        ("search: 500 chars of random 6-letter words", lambda i: ("GET", "/v1/search?q=" + q(words(rng, 70, 6)[:500]), None)),
        ("match: 50 skills 'tech'x39 + 'zzzq' (audit, cut to the item limit)", lambda i: ("POST", "/v1/match", {
            "skills": [("tech " * 39) + "zzzq%d" % (i * 50 + k) for k in range(50)]})),
        ("match: 50 skills of 40 random 5-letter words", lambda i: ("POST", "/v1/match", {
            "skills": [words(rng, 40, 5) for _ in range(50)]})),
        ("match: 50 skills of 40 one-letter words", lambda i: ("POST", "/v1/match", {
            "skills": [" ".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(40)) for _ in range(50)]})),
        ("search: 30 random 5-letter words (within the token limit)", lambda i: ("GET", "/v1/search?limit=50&q=" + q(words(rng, 30, 5)), None)),
        ("match: text + 50 long skills + 50 interests, limit 50 (just under 16 KB)", lambda i: ("POST", "/v1/match", {
            "text": words(rng, 30, 5), "skills": [words(rng, 40, 4) for _ in range(50)],
            "interests": [words(rng, 3, 5) for _ in range(50)], "limit": 50})),
        ("interests: 32 query parameters", lambda i: ("GET", "/v1/interests?" + "&".join("p%d=%d" % (k, i) for k in range(32)), None)),
    ]


def main():
    binary = os.path.join(ROOT, "target/release/boussole")
    port = free_port()
    env = dict(os.environ, BOUSSOLE_LOG="warn", BOUSSOLE_QUERY_CACHE="0")
    server = subprocess.Popen([binary, "serve", "--index", INDEX, "--addr", f"127.0.0.1:{port}"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1).read()
                break
            except Exception:
                time.sleep(0.2)
        rng = random.Random(7)
        rows = []
        for name, make in kinds(rng):
            request(base, *make(10_000))  # warm-up
            hwm_before = vm(server.pid, "VmHWM")
            times, statuses, sizes = [], set(), []
            for i in range(RUNS):
                ms, status, size = request(base, *make(i))
                times.append(ms)
                statuses.add(status)
                sizes.append(size)
            growth = vm(server.pid, "VmHWM") - hwm_before
            rows.append((name, statistics.median(times), sorted(statuses), max(sizes), growth))
        normal = {"search": rows[0][1], "match": rows[1][1]}
        print(f"request cost on {INDEX}, median of {RUNS} runs, query cache off\n")
        print("| request | median ms | status | largest response | peak RSS growth | ratio to normal |")
        print("|---|---:|---|---:|---:|---:|")
        worst = 0.0
        failed = False
        for name, ms, statuses, size, growth in rows:
            ref = normal["match"] if name.startswith("match") else normal["search"]
            ratio = ms / ref
            worst = max(worst, ratio)
            bad = ratio > MAX_RATIO or growth > MAX_RSS_GROWTH_MB
            failed |= bad
            print(f"| {name} | {ms:.1f} | {statuses} | {size / 1024:.1f} KB | {growth:.1f} MB | {ratio:.2f}x{' FAIL' if bad else ''} |")
        print(f"\nworst ratio {worst:.2f}x (limit {MAX_RATIO}x), peak RSS growth limit {MAX_RSS_GROWTH_MB} MB; "
              f"server RSS now {vm(server.pid, 'VmRSS'):.0f} MB, peak {vm(server.pid, 'VmHWM'):.0f} MB")
        return 1 if failed else 0
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
