#!/usr/bin/env python3
"""Kernel benchmark: starts the `streamlab` kernel through jupyter_client and prints medians.

    .venv/bin/python tools/bench_kernel.py [--kernel streamlab] [--starts 5] [--warm 60] [--services N]

Figures: cold start to kernel_info_reply, first cell, warm trivial cell, completion,
interrupt-to-idle, and the kernel process's RSS after start. Targets (2 cores): start <= 1.5 s,
warm cell <= 30 ms, completion <= 50 ms, interrupt-to-idle <= 100 ms, RSS <= 250 MB.

With --services N (N fresh kernels): the first use of each service from a notebook cell, through the
kernel's own JVM options, and the kernel's RSS with all four services alive. Targets: Kafka ready
<= 2 s, first Flink SQL result <= 3 s, SparkSession plus first Delta write <= 5 s, ClickHouse ready
<= 1 s, RSS with all four <= 1.5 GB.
"""
import argparse
import os
import statistics
import time

import jupyter_client


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wait_idle(kc, msg_id, timeout=60):
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            return


def interrupt_to_idle(km, kc, code, runs):
    """Seconds from interrupt_request to the kernel being idle again, while `code` runs."""
    times = []
    for _ in range(runs):
        msg_id = kc.execute(code)
        time.sleep(0.3)
        t0 = time.perf_counter()
        km.interrupt_kernel()
        wait_idle(kc, msg_id)
        times.append(time.perf_counter() - t0)
    return times


def execute(kc, code, timeout=120):
    """Seconds from execute_request to execute_reply."""
    t0 = time.perf_counter()
    reply = kc.execute(code, reply=True, timeout=timeout)
    elapsed = time.perf_counter() - t0
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"cell failed: {code!r}: {reply['content']}")
    return elapsed


FIRST_USE = [
    ("Kafka ready (topic created)", "%kafka create bench --partitions 1", 2.0),
    ("first Flink SQL result", "%%flinksql --mode batch\nSELECT 1 AS n", 3.0),
    ("SparkSession + first Delta write",
     "%%sparksql\nCREATE TABLE bench (id INT) USING DELTA;\nINSERT INTO bench VALUES (1)", 5.0),
    ("ClickHouse ready (first query)", "%%clickhouse\nSELECT 1 AS n", 1.0),
]


def services(kernel, runs):
    import shutil
    import tempfile
    firsts = {name: [] for name, _, _ in FIRST_USE}
    rss_all = []
    for _ in range(runs):
        ws = tempfile.mkdtemp(prefix="streamlab-bench-")
        km, kc, _ = start(kernel, env={**os.environ, "STREAMLAB_WORKSPACE": ws}, cwd=ws)
        try:
            execute(kc, "int warm = 1;")
            for name, code, _ in FIRST_USE:
                firsts[name].append(execute(kc, code, timeout=600))
            time.sleep(2)
            rss_all.append(rss_mb(km.provisioner.process.pid))
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            shutil.rmtree(ws, ignore_errors=True)
    for name, _, target in FIRST_USE:
        print(f"{name} (median of {runs}): {statistics.median(firsts[name]) * 1000:8.0f} ms   target <= {target * 1000:.0f} ms")
    print(f"RSS with Kafka, Flink, Spark and ClickHouse alive (median of {runs}): {statistics.median(rss_all):8.0f} MB"
          "   target <= 1536 MB")


def start(kernel, **kwargs):
    km = jupyter_client.KernelManager(kernel_name=kernel)
    t0 = time.perf_counter()
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    kc.kernel_info(reply=False)
    kc.wait_for_ready(timeout=60)
    return km, kc, time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", default="streamlab")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--warm", type=int, default=60)
    ap.add_argument("--services", type=int, default=0, metavar="N",
                    help="also measure the first use of each service in N fresh kernels")
    args = ap.parse_args()

    starts, firsts, rss = [], [], []
    for _ in range(args.starts):
        km, kc, started = start(args.kernel)
        starts.append(started)
        rss.append(rss_mb(km.provisioner.process.pid))
        firsts.append(execute(kc, "int first = 1 + 1;"))
        kc.stop_channels()
        km.shutdown_kernel(now=True)

    km, kc, _ = start(args.kernel)
    execute(kc, "int warmup = 0;")
    for _ in range(10):
        execute(kc, "1 + 1")
    warm = [execute(kc, "1 + 1") for _ in range(args.warm)]
    completes = []
    for _ in range(30):
        t0 = time.perf_counter()
        kc.complete("Strin", 5, reply=True, timeout=30)
        completes.append(time.perf_counter() - t0)
    interrupts = interrupt_to_idle(km, kc, "Thread.sleep(30_000);", 5)
    busy = interrupt_to_idle(km, kc, "long n = 0; while (true) { n++; }", 3)
    kc.stop_channels()
    km.shutdown_kernel(now=True)

    ms = lambda xs: f"{statistics.median(xs) * 1000:8.1f} ms"
    print(f"kernel: {args.kernel}")
    print(f"cold start to kernel_info_reply (median of {len(starts)}): {ms(starts)}   target <= 1500 ms")
    print(f"first cell (median of {len(firsts)}):                       {ms(firsts)}")
    print(f"warm trivial cell (median of {len(warm)}):                 {ms(warm)}   target <= 30 ms")
    print(f"completion (median of {len(completes)}):                        {ms(completes)}   target <= 50 ms")
    print(f"interrupt to idle, Thread.sleep (median of {len(interrupts)}):        {ms(interrupts)}   target <= 100 ms")
    print(f"interrupt to idle, busy loop (median of {len(busy)}):           {ms(busy)}")
    print(f"RSS after start (median of {len(rss)}):                       {statistics.median(rss):8.1f} MB   target <= 250 MB")
    if args.services:
        services(args.kernel, args.services)


if __name__ == "__main__":
    main()
