#!/usr/bin/env python3
"""Detection-to-delivery latency (a benchmark helper, not a test): runs a webhook receiver on
127.0.0.1 and pushes N distinct gauges that each cross an alert threshold, measuring from just
before each push to the moment the receiver gets the webhook for that alert (label `seq`).

  watchpost:  POST {"metrics": [...]} to watchpost's /api/v1/metrics
  pushgateway: PUT text to /metrics/job/notify_latency/seq/<i> (Prometheus scrapes it, its rule
               fires, Alertmanager posts the webhook)

usage: notify_latency.py --mode watchpost|pushgateway --push-url URL --receiver-port PORT
                         [--count N] [--spacing SECONDS] [--timeout SECONDS] [--run-id ID]
--spacing 0 pushes one alert at a time and waits for it; > 0 pushes every SPACING seconds
without waiting (for slow pipelines) and then waits for all. Prints one JSON object.
"""

import argparse
import http.server
import json
import statistics
import threading
import time
import urllib.request

arrivals = {}
arrived = threading.Condition()


class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        now = time.monotonic()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.end_headers()
        try:
            payload = json.loads(body)
        except ValueError:
            return
        if payload.get("status") != "firing":
            return
        with arrived:
            for alert in payload.get("alerts", []):
                seq = alert.get("labels", {}).get("seq")
                if seq is not None and alert.get("status") == "firing":
                    arrivals.setdefault(seq, now)
            arrived.notify_all()

    def log_message(self, *args):
        pass


def push(mode, url, run_id, seq):
    if mode == "watchpost":
        body = json.dumps({"metrics": [{"name": "notify_latency_value", "type": "gauge",
                                        "value": 150, "labels": {"run": run_id, "seq": seq}}]})
        request = urllib.request.Request(url, body.encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
    else:
        body = f"# TYPE notify_latency_value gauge\nnotify_latency_value{{run=\"{run_id}\"}} 150\n"
        request = urllib.request.Request(f"{url}/metrics/job/notify_latency/seq/{seq}",
                                         body.encode(), method="PUT")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def wait_for(seqs, deadline):
    with arrived:
        while not all(s in arrivals for s in seqs):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            arrived.wait(left)


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["watchpost", "pushgateway"], required=True)
    parser.add_argument("--push-url", required=True)
    parser.add_argument("--receiver-port", type=int, required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--spacing", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--run-id", default=str(int(time.time())))
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.receiver_port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pushed = {}
    start = time.monotonic()
    for i in range(args.count):
        seq = f"{args.run_id}-{i}"
        pause = start + i * args.spacing - time.monotonic()
        if args.spacing > 0 and pause > 0:
            time.sleep(pause)
        pushed[seq] = time.monotonic()
        push(args.mode, args.push_url, args.run_id, seq)
        if args.spacing == 0:
            wait_for([seq], time.monotonic() + args.timeout)
    wait_for(list(pushed), time.monotonic() + args.timeout)
    latencies = [(arrivals[s] - t) * 1000 for s, t in pushed.items() if s in arrivals]
    result = {"pushed": len(pushed), "received": len(latencies)}
    if latencies:
        result.update(p50_ms=statistics.median(latencies), p99_ms=percentile(latencies, 0.99),
                      max_ms=max(latencies), min_ms=min(latencies))
    print(json.dumps(result))
    server.shutdown()


if __name__ == "__main__":
    main()
