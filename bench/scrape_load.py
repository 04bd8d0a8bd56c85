#!/usr/bin/env python3
"""Load helper for bench/compare_node_exporter.sh (standard library only).

  scrape_load.py measure --name NAME --url URL --pid PID --count N [--gzip] > result.json
      N sequential GETs of URL over one keep-alive connection (reconnecting if the server
      closes it), with Prometheus's scrape headers. Reports latency p50/p99, the process's
      CPU seconds (utime+stime from /proc/PID/stat) per 1,000 scrapes, samples per scrape and
      VmRSS before and after.
  scrape_load.py rss --pid PID             prints VmRSS in KiB
  scrape_load.py free-port                 prints a port on 127.0.0.1 that was free just now
  scrape_load.py table A.json B.json ...   markdown table comparing the results
"""

import argparse
import gzip
import http.client
import json
import os
import socket
import sys
import time
import urllib.parse

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ACCEPT = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1"


def cpu_seconds(pid):
    """utime + stime of PID in seconds (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def percentile(sorted_values, fraction):
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def sample_count(text):
    return sum(1 for line in text.splitlines() if line and not line.startswith("#"))


class Scraper:
    def __init__(self, url, use_gzip):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path or "/"
        self.headers = {"Accept": ACCEPT, "User-Agent": "watchpost-bench"}
        if use_gzip:
            self.headers["Accept-Encoding"] = "gzip"
        self.connection = None

    def scrape(self):
        """One GET; returns the decoded body text."""
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.connection.request("GET", self.path, headers=self.headers)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
                continue
            if response.status != 200:
                raise RuntimeError(f"GET {self.path} answered {response.status}")
            if response.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            return body.decode()
        raise RuntimeError("unreachable")


def measure(args):
    scraper = Scraper(args.url, args.gzip)
    rss_before = rss_kib(args.pid)
    body = scraper.scrape()  # warm-up, not counted
    cpu_before = cpu_seconds(args.pid)
    latencies = []
    for _ in range(args.count):
        started = time.perf_counter()
        body = scraper.scrape()
        latencies.append(time.perf_counter() - started)
    cpu_after = cpu_seconds(args.pid)
    latencies.sort()
    result = {
        "name": args.name,
        "gzip": args.gzip,
        "scrapes": args.count,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "cpu_s_per_1000": (cpu_after - cpu_before) * 1000 / args.count,
        "samples": sample_count(body),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_kib(args.pid),
    }
    json.dump(result, sys.stdout)
    print()


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def table(args):
    results = []
    for path in args.files:
        with open(path) as file:
            results.append(json.load(file))
    names = list(dict.fromkeys(r["name"] for r in results))
    by_key = {(r["name"], r["gzip"]): r for r in results}
    # (label, result key, unit formatter, which run: False = identity, True = gzip)
    rows = [("samples per scrape", "samples", str, False)]
    for use_gzip in (False, True):
        encoding = "gzip" if use_gzip else "identity"
        rows += [
            (f"`/metrics` p50 latency ({encoding})", "p50_ms", lambda v: f"{v:.2f} ms", use_gzip),
            (f"`/metrics` p99 latency ({encoding})", "p99_ms", lambda v: f"{v:.2f} ms", use_gzip),
            (f"CPU s per 1,000 scrapes ({encoding})", "cpu_s_per_1000", lambda v: f"{v:.2f} s", use_gzip),
        ]
    rows += [
        ("RSS idle (before load)", "rss_before_kib", mib, False),
        ("RSS after load", "rss_after_kib", mib, True),
    ]
    ratio = len(names) == 2
    header = "| | " + " | ".join(names) + (f" | {names[0]} / {names[1]} |" if ratio else " |")
    lines = [header, "|---|" + "---:|" * (len(names) + ratio)]
    for label, key, unit, use_gzip in rows:
        values = [by_key[(n, use_gzip)][key] if (n, use_gzip) in by_key else None for n in names]
        cells = [unit(v) if v is not None else "n/a" for v in values]
        if ratio:
            cells.append(f"{values[0] / values[1]:.2f}" if values[0] is not None and values[1] else "n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    print("\n".join(lines))


def free_port(_args):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        print(sock.getsockname()[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    m = commands.add_parser("measure")
    m.add_argument("--name", required=True)
    m.add_argument("--url", required=True)
    m.add_argument("--pid", type=int, required=True)
    m.add_argument("--count", type=int, default=1000)
    m.add_argument("--gzip", action="store_true")
    m.set_defaults(run=measure)
    r = commands.add_parser("rss")
    r.add_argument("--pid", type=int, required=True)
    r.set_defaults(run=lambda a: print(rss_kib(a.pid)))
    t = commands.add_parser("table")
    t.add_argument("files", nargs="+")
    t.set_defaults(run=table)
    f = commands.add_parser("free-port")
    f.set_defaults(run=free_port)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
