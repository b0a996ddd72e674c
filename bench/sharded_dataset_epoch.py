#!/usr/bin/python3
"""melnorm._shards.ShardedDataset: rows/s of one epoch through a torch DataLoader (goal: >= 20,000 rows/s).

Writes (or takes, OUTDIR) a shards OUTDIR: --shards tar shards of --rows rows each, [--n-mels, --frames]
float32 features, written per the ``extract --format shards`` layout by a small writer here (so it needs
neither the compiled module nor audio), then times --repeat epochs (best and median) of
``DataLoader(ShardedDataset(OUTDIR, shuffle_buffer=...), batch_size=..., num_workers=...)``, counting rows.
The first epoch also warms the page cache.

    PYTHONPATH=build/python /usr/bin/python3 bench/sharded_dataset_epoch.py [OUTDIR] [--workers 2] [--repeat 3]
"""
import argparse
import io
import json
import os
import tarfile
import tempfile
import time

import numpy as np
import torch

from melnorm._shards import ShardedDataset


def write_outdir(out, shards, rows, n_mels, frames):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    labels = [str(i) for i in range(10)]
    entries = []
    clip = 0
    for s in range(shards):
        name = f"shard-{s:06d}.tar"
        with tarfile.open(os.path.join(out, name), "w", format=tarfile.USTAR_FORMAT) as tf:
            for _ in range(rows):
                key = f"{clip:09d}"
                meta = {"clip": clip, "segment": 0, "source": f"clips/{clip}.wav", "label": labels[clip % 10],
                        "split": "train", "offset": 0.0, "frames": frames, "columns": {}}
                b = io.BytesIO()
                np.save(b, rng.standard_normal((n_mels, frames), dtype=np.float32))
                for ext, data in (("json", json.dumps(meta).encode()), ("npy", b.getvalue())):
                    info = tarfile.TarInfo(f"{key}.{ext}")
                    info.size, info.mtime, info.mode = len(data), 0, 0o644
                    tf.addfile(info, io.BytesIO(data))
                clip += 1
        entries.append({"file": name, "first_clip": clip - rows, "clips": rows, "rows": rows, "failed": 0,
                        "bytes": os.path.getsize(os.path.join(out, name)), "sha256": ""})
    index = {"format": "shards", "version": 1, "shard_size": rows, "dtype": "float32", "n_mels": n_mels,
             "labels": labels, "shards": entries, "complete": True}
    with open(os.path.join(out, "shards.json"), "w") as f:
        json.dump(index, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?", help="read these shards instead of writing a temporary OUTDIR")
    ap.add_argument("--shards", type=int, default=20)
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--n-mels", type=int, default=64)
    ap.add_argument("--frames", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--shuffle-buffer", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = args.outdir
        if out is None:
            out = os.path.join(tmp, "shards")
            t = time.perf_counter()
            write_outdir(out, args.shards, args.rows, args.n_mels, args.frames)
            print(f"wrote {args.shards} x {args.rows} rows [{args.n_mels}, {args.frames}] float32 in "
                  f"{time.perf_counter() - t:.1f} s")
        ds = ShardedDataset(out, shuffle_buffer=args.shuffle_buffer, seed=0)
        loader = torch.utils.data.DataLoader(ds, batch_size=args.batch_size, num_workers=args.workers)
        rates = []
        for epoch in range(args.repeat):
            ds.set_epoch(epoch)
            t = time.perf_counter()
            n = sum(len(y) for _, y in loader)
            rates.append(n / (time.perf_counter() - t))
        print(f"{n} rows/epoch, {args.workers} workers, batch {args.batch_size}, shuffle_buffer "
              f"{args.shuffle_buffer}: best {max(rates):,.0f} rows/s, median {float(np.median(rates)):,.0f} rows/s "
              f"over {args.repeat} epochs (goal >= 20,000)")


if __name__ == "__main__":
    main()
