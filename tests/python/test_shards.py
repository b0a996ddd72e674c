"""extract --format shards: the CLI (any --jobs), melnorm.extract and a Dask cluster whose workers write
their own shards give the same bytes; kill -9 then resume, a worker killed mid-run, and a damaged shard all
end in the clean run's shards; the shards are plain WebDataset tars that ShardedDataset streams."""
import filecmp
import io
import json
import os
import random
import signal
import subprocess
import tarfile
import time
import wave

import numpy as np
import pytest

import melnorm

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "data", "samples")
LABELS = os.path.join(SAMPLES, "LABELS.csv")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))

FLAGS = ["--labels", LABELS, "--sr", "8000", "--n-fft", "512", "--hop", "128", "--n-mels", "40",
         "--normalize", "zscore", "--scope", "global", "--fit-stats", "--format", "shards", "--shard-size", "6"]
KWARGS = dict(labels=LABELS, sr=8000, n_fft=512, hop_length=128, n_mels=40, normalize="zscore", scope="global",
              fit_stats=True, format="shards", shard_size=6)


def published(out_dir):
    """The files a finished OUTDIR publishes (journals and options.json's paths aside)."""
    return sorted(f for f in os.listdir(out_dir) if not f.startswith(".") and f != "options.json")


def assert_same_shards(a, b):
    names = published(a)
    assert names == published(b)
    assert sum(n.startswith("shard-") for n in names) >= 2
    for name in names:
        assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), name


def run_cli(input_dir, out_dir, *flags, check=True):
    r = subprocess.run([CLI, "extract", str(input_dir), "-o", str(out_dir), "--quiet", *flags],
                       capture_output=True, text=True)
    if check:
        assert r.returncode == 0, r.stderr
    return r


@pytest.fixture(scope="module")
def cli_jobs1(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "jobs1"
    run_cli(SAMPLES, out, *FLAGS, "--jobs", "1")
    return out


def test_cli_jobs_1_and_2_and_python_extract_write_the_same_shards(tmp_path, cli_jobs1):
    run_cli(SAMPLES, tmp_path / "jobs2", *FLAGS, "--jobs", "2")
    assert_same_shards(cli_jobs1, tmp_path / "jobs2")
    summary = melnorm.extract(SAMPLES, tmp_path / "py", **KWARGS, jobs=2)
    assert summary["rows"] == 20 and summary["failed"] == 0
    assert_same_shards(cli_jobs1, tmp_path / "py")


def test_dask_workers_write_the_clis_shards_and_the_client_gets_no_features(tmp_path, cli_jobs1, client):
    import melnorm.dask
    seen = []
    summary = melnorm.dask.extract(SAMPLES, tmp_path / "dask", client, progress=lambda d, t: seen.append(d),
                                   **KWARGS)
    assert summary["rows"] == 20 and summary["rewritten"] == 0
    assert seen == [6, 12, 18, 20]  # one summary per shard, in order
    assert_same_shards(cli_jobs1, tmp_path / "dask")
    assert not (tmp_path / "dask" / ".tmp").exists()
    # what a worker sends back: counts, hash and manifest lines, not rows
    import pickle
    plan = melnorm._melnorm.ExtractPlan(dict(KWARGS, input=SAMPLES, out_dir=str(tmp_path / "dask")))
    stats = melnorm.Stats.load(str(tmp_path / "dask" / "stats.json"))
    shard, _ = melnorm._melnorm.ExtractWorker(plan, stats).write_shard_collecting(0)
    assert len(pickle.dumps(shard)) < 4096 < os.path.getsize(tmp_path / "dask" / "shard-000000.tar")


def test_shards_are_plain_webdataset_tars(cli_jobs1):
    index = json.load(open(cli_jobs1 / "shards.json"))
    assert index["format"] == "shards" and index["complete"] and index["rows"] == 20
    keys = []
    for entry in index["shards"]:
        with tarfile.open(cli_jobs1 / entry["file"]) as tar:
            names = tar.getnames()
            assert names[0::2] == [n[:-3] + "json" for n in names[1::2]]  # KEY.json then KEY.npy
            for name in names[1::2]:
                meta = json.loads(tar.extractfile(name[:-3] + "json").read())
                x = np.load(io.BytesIO(tar.extractfile(name).read()))
                assert x.shape == (40, meta["frames"]) and x.dtype == np.float32
                assert "." not in name[:-4]
                keys.append(name[:-4])
    assert keys == sorted(keys) and len(keys) == 20


def test_sharded_dataset_reads_the_cli_shards_as_outdir_reader_does(cli_jobs1):
    from melnorm.torch import ShardedDataset
    reader = melnorm._melnorm.OutdirReader(str(cli_jobs1))
    by_source = {r["source"]: i for i, r in enumerate(reader.rows())}
    ds = ShardedDataset(cli_jobs1, with_metadata=True, channel_dim=False)
    n = 0
    for x, label, meta in ds:
        i = by_source[meta["source"]]
        np.testing.assert_array_equal(x.numpy(), reader.features(i))
        assert ds.labels[label] == reader.rows()[i]["label"]
        n += 1
    assert n == 20


def write_clips(folder, n, seconds=1.0, sr=16000):
    rng = np.random.default_rng(0)
    for i in range(n):
        d = folder / str(i % 3)
        d.mkdir(parents=True, exist_ok=True)
        x = (rng.standard_normal(int(seconds * sr)) * 3000).astype("<i2")
        with wave.open(str(d / f"c{i:04d}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(sr)
            w.writeframes(x.tobytes())


def test_cli_killed_at_random_moments_then_resumed_equals_a_clean_run(tmp_path):
    clips = tmp_path / "clips"
    write_clips(clips, 240, seconds=2.0)
    flags = ["--sr", "16000", "--n-mels", "64", "--format", "shards", "--shard-size", "16", "--jobs", "2"]
    t0 = time.perf_counter()
    run_cli(clips, tmp_path / "clean", *flags)
    whole = time.perf_counter() - t0  # the kills fall within a run's time on this machine, idle or loaded
    out = tmp_path / "killed"
    rng = random.Random(7)
    kills = 0
    for _ in range(6):
        p = subprocess.Popen([CLI, "extract", str(clips), "-o", str(out), "--quiet", *flags],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.5) * whole)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            kills += 1
        p.wait()
    run_cli(clips, out, *flags)
    assert kills >= 1
    assert_same_shards(tmp_path / "clean", out)
    assert not (out / ".tmp").exists()


def test_a_damaged_shard_is_found_by_its_hash_and_rewritten(tmp_path, cli_jobs1):
    out = tmp_path / "out"
    run_cli(SAMPLES, out, *FLAGS)
    shard = out / "shard-000001.tar"
    data = bytearray(shard.read_bytes())
    data[2000] ^= 0x01  # one bit of a feature value: the size still matches, the hash does not
    shard.write_bytes(bytes(data))
    (out / "shard-000002.tar").write_bytes(data[:700])  # truncated
    assert melnorm.extract(SAMPLES, out, **KWARGS)["rewritten"] == 2
    assert_same_shards(cli_jobs1, out)
    os.remove(out / "shard-000003.tar")
    r = subprocess.run([CLI, "extract", SAMPLES, "-o", str(out), *FLAGS], capture_output=True, text=True)
    assert r.returncode == 0 and "1 missing or damaged shards written again" in r.stderr, r.stderr
    assert_same_shards(cli_jobs1, out)


def test_shard_size_with_another_format_is_refused_in_each_front_ends_words(tmp_path):
    r = run_cli(SAMPLES, tmp_path / "x", "--shard-size", "10", check=False)
    assert r.returncode != 0 and "--shard-size 10 applies to --format shards only; format is npy" in r.stderr
    with pytest.raises(ValueError, match="shard_size=10 applies to format='shards' only; format is npy"):
        melnorm.extract(SAMPLES, tmp_path / "y", shard_size=10)
    with pytest.raises(ValueError, match="shard_size"):
        melnorm.extract(SAMPLES, tmp_path / "y", format="shards", shard_size=0)


def test_dask_worker_killed_mid_run_completes_with_identical_shards(tmp_path):
    distributed = pytest.importorskip("distributed")
    import melnorm.dask
    clips = tmp_path / "clips"
    write_clips(clips, 120, seconds=2.0)
    opts = dict(sr=16000, n_mels=64, format="shards", shard_size=8)
    melnorm.extract(clips, tmp_path / "clean", **opts, jobs=2)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=":0", silence_logs=50)
    try:
        with distributed.Client(cluster) as client:
            pids = client.run(os.getpid)
            killed = []

            def kill_one(done, total):
                if not killed and done >= 24:  # a third of the way: the other shards are in flight
                    victim = sorted(pids.values())[0]
                    os.kill(victim, signal.SIGKILL)
                    killed.append(victim)

            summary = melnorm.dask.extract(clips, tmp_path / "dask", client, progress=kill_one, **opts)
    finally:
        cluster.close()
    assert killed and summary["rows"] == 120
    assert_same_shards(tmp_path / "clean", tmp_path / "dask")
    assert sorted(os.listdir(tmp_path / "dask")) == sorted(os.listdir(tmp_path / "clean"))  # no stray files
