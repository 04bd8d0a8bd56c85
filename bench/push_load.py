#!/usr/bin/env python3
"""Load generator for bench/compare_push.sh (standard library only, 127.0.0.1 only).

  push_load.py json --url URL --batches N --batch-size B --series S --threads T
      POSTs N JSON batches of B gauge samples (S distinct series, cycled) to URL/api/v1/metrics
      from T threads, each over one keep-alive connection. Bodies are built before the clock
      starts. Prints {"samples", "seconds", "samples_per_second", "errors"}.
  push_load.py gateway --url URL --groups G --per-group P --rounds R
      R rounds of G PUTs to URL/metrics/job/bench/instance/<g>, each a text-format body of P
      gauge series (G*P series per round). Prints {"series", "seconds", "series_per_second"}.
  push_load.py scrape --url URL --count N
      N sequential GETs of URL; prints latency p50/max in ms and the sample lines of the last.
  push_load.py rss --pid PID            VmRSS of PID in KiB
  push_load.py free-port                a port on 127.0.0.1 that was free just now
"""

import argparse
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

from scrape_load import rss_kib


def connect(url):
    parts = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=60), parts.path.rstrip("/")


def request(connection, method, path, body, content_type):
    headers = {"Content-Type": content_type, "Connection": "keep-alive"}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    return response.status, data


def json_bodies(batches, batch_size, series):
    bodies = []
    offset = 0
    for batch in range(batches):
        metrics = []
        for i in range(batch_size):
            n = (offset + i) % series
            metrics.append({
                "name": f"bench.metric_{n % 10}",
                "type": "gauge",
                "value": batch + i * 0.5,
                "labels": {"series": str(n // 10), "source": "bench"},
            })
        offset += batch_size
        bodies.append(json.dumps({"metrics": metrics}).encode())
    return bodies


def run_json(args):
    bodies = json_bodies(args.batches, args.batch_size, args.series)
    errors = []
    lock = threading.Lock()

    def worker(index):
        connection, base = connect(args.url)
        for body in bodies[index::args.threads]:
            status, data = request(connection, "POST", base + "/api/v1/metrics", body, "application/json")
            if status != 200:
                with lock:
                    errors.append(f"{status} {data[:200]!r}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    samples = args.batches * args.batch_size
    print(json.dumps({"samples": samples, "seconds": seconds,
                      "samples_per_second": samples / seconds, "errors": errors[:5],
                      "error_count": len(errors)}))


def run_gateway(args):
    bodies = []
    for group in range(args.groups):
        lines = ["# TYPE bench_gateway_metric gauge"]
        for i in range(args.per_group):
            lines.append(f'bench_gateway_metric{{series="{i}"}} {group + i * 0.25}')
        bodies.append(("\n".join(lines) + "\n").encode())
    connection, base = connect(args.url)
    errors = []
    start = time.perf_counter()
    for _ in range(args.rounds):
        for group, body in enumerate(bodies):
            status, data = request(connection, "PUT", f"{base}/metrics/job/bench/instance/i{group}",
                                   body, "text/plain; version=0.0.4")
            if status not in (200, 202):
                errors.append(f"{status} {data[:200]!r}")
    seconds = time.perf_counter() - start
    series = args.rounds * args.groups * args.per_group
    print(json.dumps({"series": series, "seconds": seconds, "series_per_second": series / seconds,
                      "errors": errors[:5], "error_count": len(errors)}))


def run_scrape(args):
    connection, _ = connect(args.url)
    path = urllib.parse.urlsplit(args.url).path
    latencies = []
    text = b""
    for _ in range(args.count):
        start = time.perf_counter()
        connection.request("GET", path, headers={"Accept": "text/plain;version=0.0.4"})
        response = connection.getresponse()
        text = response.read()
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    samples = sum(1 for line in text.splitlines() if line and not line.startswith(b"#"))
    print(json.dumps({"p50_ms": latencies[len(latencies) // 2], "max_ms": latencies[-1],
                      "samples": samples, "bytes": len(text)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    push = commands.add_parser("json")
    push.add_argument("--url", required=True)
    push.add_argument("--batches", type=int, default=300)
    push.add_argument("--batch-size", type=int, default=1000)
    push.add_argument("--series", type=int, default=10000)
    push.add_argument("--threads", type=int, default=2)
    gateway = commands.add_parser("gateway")
    gateway.add_argument("--url", required=True)
    gateway.add_argument("--groups", type=int, default=100)
    gateway.add_argument("--per-group", type=int, default=100)
    gateway.add_argument("--rounds", type=int, default=5)
    scrape = commands.add_parser("scrape")
    scrape.add_argument("--url", required=True)
    scrape.add_argument("--count", type=int, default=20)
    rss = commands.add_parser("rss")
    rss.add_argument("--pid", type=int, required=True)
    commands.add_parser("free-port")
    args = parser.parse_args()
    if args.command == "json":
        run_json(args)
    elif args.command == "gateway":
        run_gateway(args)
    elif args.command == "scrape":
        run_scrape(args)
    elif args.command == "rss":
        print(rss_kib(args.pid))
    else:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            print(sock.getsockname()[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
