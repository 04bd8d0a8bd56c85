#!/usr/bin/env python3
"""Benchmark helper (not a test): serves 100,000 gauge series (1,000 metrics x 100 series, the
criterion rule_eval bench's shapes) as a text exposition on 127.0.0.1 for Prometheus to scrape.

Each GET /metrics is one step: value = ((m*7 + s*13) + step*3) % 100, plus step*50 for every
fourth metric (m % 4 == 2), as benches/rule_eval.rs generates them, so the windows change
from scrape to scrape the way the bench's do.
    usage: prom_series_server.py PORT_FILE   (binds 127.0.0.1:0, writes the port to PORT_FILE)
"""

import http.server
import sys
import threading

METRICS = 1000
SERIES_PER_METRIC = 100


class State:
    step = 0
    lock = threading.Lock()


def exposition(step):
    lines = []
    for m in range(METRICS):
        lines.append(f"# TYPE bench_metric_{m} gauge\n")
        ramp = step * 50 if m % 4 == 2 else 0
        for s in range(SERIES_PER_METRIC):
            value = ((m * 7 + s * 13) + step * 3) % 100 + ramp
            lines.append(
                f'bench_metric_{m}{{instance="host-{s:03}:9100",job="node"}} {value}\n'
            )
    return "".join(lines).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        with State.lock:
            step = State.step
            State.step += 1
        body = exposition(step)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as port_file:
        port_file.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
