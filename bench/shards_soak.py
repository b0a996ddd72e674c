"""Soak benchmark of format shards (issue 25; not CI): N synthetic 1 s clips at 16 kHz (made here,
deterministically, never committed), extracted to shards three ways, side by side in one run:

  1. `melnorm extract --jobs 2 --format shards` (the CLI on this machine),
  2. melnorm.dask.extract with 2 worker processes (1 thread each, started by `dask worker`; the scheduler is its
     own process, as on a cluster) writing their own shards,
  3. the same with one worker killed (SIGKILL) half way: it completes, shards identical.

Reports wall times (Dask / CLI: goal within 15 %), the client's peak RSS (goal <= 150 MiB) and its share
of the CPU time (goal <= 5 %), then one ShardedDataset epoch with 2 DataLoader workers (goal >= 20,000 rows/s).

  PYTHONPATH=build/python /usr/bin/python3 bench/shards_soak.py --clips 100000 [--work /tmp/soak]
"""
import argparse
import filecmp
import os
import resource
import shutil
import subprocess
import sys
import time
import wave

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))
OPTIONS = dict(sr=16000, n_mels=64, format="shards", shard_size=1000)
FLAGS = ["--sr", "16000", "--n-mels", "64", "--format", "shards", "--shard-size", "1000"]


def make_clips(folder, n):
    marker = os.path.join(folder, f".made-{n}")
    if os.path.exists(marker):
        return
    shutil.rmtree(folder, ignore_errors=True)
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000.0
    for i in range(n):
        d = os.path.join(folder, f"class{i % 10}", f"{i // 1000:03d}")
        os.makedirs(d, exist_ok=True)
        x = 0.3 * np.sin(2 * np.pi * (200 + 37 * (i % 50)) * t) + 0.05 * rng.standard_normal(16000)
        with wave.open(os.path.join(d, f"c{i:06d}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes((x * 32767 * 0.8).astype("<i2").tobytes())
    open(marker, "w").close()


def same_shards(a, b):
    names = sorted(f for f in os.listdir(a) if f.startswith("shard-") or f in ("shards.json", "manifest.csv"))
    return names == sorted(f for f in os.listdir(b) if f.startswith("shard-") or f in ("shards.json", "manifest.csv")) \
        and all(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False) for f in names)


def start_cluster():
    """A scheduler and 2 single-threaded workers (with nannies), each its own process as on a cluster: the
    client's CPU and memory below are the client's alone, not the scheduler's."""
    port = 8786 + os.getpid() % 1000
    env = dict(os.environ)
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--dashboard-address", ":0"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
                                "--nworkers", "2", "--nthreads", "1", "--dashboard-address", ":0"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"tcp://127.0.0.1:{port}", [sched, workers]


def run_dask(clips, out, address, kill_half=False):
    """Runs the client in a child process so that its peak RSS and CPU time are the client's alone."""
    code = f"""
import os, resource, signal, sys, time, json
import distributed, melnorm.dask
client = distributed.Client({address!r})
client.wait_for_workers(2, timeout=120)
pids = client.run(os.getpid)
killed = []
def progress(done, total):
    if {kill_half!r} and not killed and done >= total // 2:
        os.kill(sorted(pids.values())[0], signal.SIGKILL); killed.append(1)
t0 = time.perf_counter(); c0 = time.process_time()
s = melnorm.dask.extract({clips!r}, {out!r}, client, progress=progress, **{OPTIONS!r})
wall = time.perf_counter() - t0; cpu = time.process_time() - c0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(wall=wall, client_cpu=cpu, client_rss_mib=rss, rows=s["rows"], killed=len(killed))))
client.close()
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    if r.returncode != 0:
        raise SystemExit(r.stderr[-3000:])
    import json
    return json.loads(r.stdout.strip().splitlines()[-1])


def epoch(out):
    import torch
    from melnorm.torch import ShardedDataset
    ds = ShardedDataset(out, shuffle_buffer=1000, seed=0)
    loader = torch.utils.data.DataLoader(ds, batch_size=256, num_workers=2)
    t0 = time.perf_counter()
    n = sum(len(y) for _, y in loader)
    return n, n / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, default=100000)
    ap.add_argument("--work", default="/tmp/melnorm-shards-soak")
    a = ap.parse_args()
    clips = os.path.join(a.work, f"clips-{a.clips}")
    t0 = time.perf_counter()
    make_clips(clips, a.clips)
    print(f"{a.clips} clips ready in {time.perf_counter() - t0:.1f} s")
    outs = {k: os.path.join(a.work, k) for k in ("cli", "dask", "dask-killed")}
    for o in outs.values():
        shutil.rmtree(o, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([CLI, "extract", clips, "-o", outs["cli"], "--quiet", "--jobs", "2", *FLAGS], check=True)
    cli = time.perf_counter() - t0
    address, procs = start_cluster()
    try:
        d = run_dask(clips, outs["dask"], address)
        k = run_dask(clips, outs["dask-killed"], address, kill_half=True)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)
    print(f"CLI --jobs 2:            {cli:7.1f} s")
    print(f"Dask, 2 workers:         {d['wall']:7.1f} s = {d['wall'] / cli:.2f}x the CLI (goal <= 1.15); "
          f"client peak RSS {d['client_rss_mib']:.0f} MiB (goal <= 150), client CPU {d['client_cpu']:.1f} s = "
          f"{100 * d['client_cpu'] / (2 * d['wall']):.1f} % of the 2 cores' time (goal <= 5 %)")
    print(f"Dask, worker killed:     {k['wall']:7.1f} s, killed={k['killed']}, rows {k['rows']}")
    print(f"shards identical: CLI == Dask {same_shards(outs['cli'], outs['dask'])}, "
          f"CLI == Dask with a worker killed {same_shards(outs['cli'], outs['dask-killed'])}; "
          f"stray files: {[f for f in os.listdir(outs['dask-killed']) if f == '.tmp']}")
    n, rate = epoch(outs["cli"])
    print(f"ShardedDataset epoch, 2 DataLoader workers: {n} rows, {rate:,.0f} rows/s (goal >= 20,000)")
    print(f"peak RSS of this driver: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
