#!/usr/bin/python3
"""melnorm.torch.ExtractedDataset's cost per row vs a plain np.memmap of the same packed features.npy, in one run.

Makes (or takes, --outdir) a packed OUTDIR of --clips one-second noise clips at 16 kHz (.npy waveforms;
torchaudio preset, 64 mels, pad_to 1 s: rows [64, 81] float32), then times, over every row in a shuffled
order, --repeat times each (best and median pass): ``ds[i]`` (the library's OUTDIR reader: a read-only view
into its mapping of features.npy, copied into a float32 tensor) against the same work by hand on
``np.load(features.npy, mmap_mode="r")``: ``torch.from_numpy(np.array(mm[i], np.float32)).unsqueeze(0)`` and
the target. Prints µs/row for each and their ratio (dataset / memmap; 1.0 is no overhead).

    PYTHONPATH=build/python /usr/bin/python3 bench/extracted_dataset_rows.py [--clips 2000] [--repeat 7]
"""
import argparse
import os
import tempfile
import time

import numpy as np
import torch

import melnorm
import melnorm.torch


def make_outdir(root, clips):
    sr = 16000
    src = os.path.join(root, "clips")
    rng = np.random.default_rng(0)
    for i in range(clips):
        label = str(i % 10)
        os.makedirs(os.path.join(src, label), exist_ok=True)
        np.save(os.path.join(src, label, f"{i}.npy"), rng.uniform(-0.5, 0.5, sr).astype(np.float32))
    out = os.path.join(root, "packed")
    melnorm.extract(src, out, sr=sr, preset="torchaudio", n_mels=64, pad_to=1.0, format="packed",
                    normalize="zscore", jobs=2)
    return out


def per_row_us(read, order, repeat):
    for i in order[:100]:  # warm-up: page cache, allocator
        read(i)
    passes = []
    for _ in range(repeat):
        t = time.perf_counter()
        for i in order:
            read(i)
        passes.append((time.perf_counter() - t) / len(order) * 1e6)
    return min(passes), float(np.median(passes))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clips", type=int, default=2000)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--outdir", help="an existing packed OUTDIR (default: made in a temporary folder)")
    a = p.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        out = a.outdir or make_outdir(tmp, a.clips)
        ds = melnorm.torch.ExtractedDataset(out)
        mm = np.load(os.path.join(out, "features.npy"), mmap_mode="r")
        targets = ds.targets

        def by_hand(i):
            return torch.from_numpy(np.array(mm[i], dtype=np.float32)).unsqueeze(0), targets[i]

        assert len(ds) == mm.shape[0] and torch.equal(ds[len(ds) - 1][0], by_hand(len(ds) - 1)[0])
        order = np.random.default_rng(1).permutation(len(ds)).tolist()
        dataset = per_row_us(ds.__getitem__, order, a.repeat)
        memmap = per_row_us(by_hand, order, a.repeat)
        print(f"{len(ds)} rows of {list(mm.shape[1:])} {mm.dtype}, {a.repeat} passes (best / median µs per row)")
        print(f"  ExtractedDataset[i]   {dataset[0]:6.2f} / {dataset[1]:6.2f}")
        print(f"  np.memmap by hand     {memmap[0]:6.2f} / {memmap[1]:6.2f}")
        print(f"  ratio dataset/memmap  {dataset[0] / memmap[0]:6.2f} / {dataset[1] / memmap[1]:6.2f}")


if __name__ == "__main__":
    main()
