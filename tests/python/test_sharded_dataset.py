"""melnorm._shards: the pure-Python reader of ``extract --format shards`` OUTDIRs (WebDataset tar shards).

The shards here come from a small test-only writer that follows the on-disk format (so these tests do not need
the C++ side); they are also read back with tarfile + numpy alone, as any WebDataset reader would.
"""
import glob
import io
import json
import os
import tarfile
from collections import Counter
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pytest
import torch

from melnorm._shards import ShardedDataset, iter_shard, read_index

N_MELS = 4
LABELS_CYCLE = ["one", "four", "five", ""]


def _add(tf, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o644
    tf.addfile(info, io.BytesIO(data))


def _npy(x):
    b = io.BytesIO()
    np.save(b, x, allow_pickle=False)
    return b.getvalue()


def write_shards(outdir, n_shards, rows_per_shard, *, segments=False, dtype="float32", complete=True,
                 failed_every=0, n_mels=N_MELS, empty_shards=()):
    """Write OUTDIR/shard-%06d.tar + shards.json per the format; returns {key: (meta, features)} of ok rows.

    Row r's features are full of its global ordinal (so a test can tell rows apart); label cycles through
    LABELS_CYCLE; split alternates train/test (every third row is test)."""
    os.makedirs(outdir, exist_ok=True)
    rows, entries, all_labels = {}, [], set()
    clip = 0
    ordinal = 0
    for s in range(n_shards):
        name = f"shard-{s:06d}.tar"
        first, ok, failed = clip, 0, 0
        path = os.path.join(outdir, name)
        with tarfile.open(path + ".tmp", "w", format=tarfile.USTAR_FORMAT) as tf:
            r = 0
            while r < (0 if s in empty_shards else rows_per_shard):
                if failed_every and clip % failed_every == failed_every - 1:
                    failed += 1
                    clip += 1
                    continue
                seg = r % 2 if segments else 0
                key = f"{clip:09d}" + (f"_s{seg:04d}" if segments else "")
                label = LABELS_CYCLE[clip % len(LABELS_CYCLE)]
                meta = {"clip": clip, "segment": seg, "source": f"clips/{clip}.wav", "label": label,
                        "split": "test" if ordinal % 3 == 2 else "train", "offset": seg * 1.0, "frames": 3,
                        "columns": {"speaker": f"s{clip % 2}"}}
                x = np.full((n_mels, 3), ordinal, dtype=dtype)
                _add(tf, key + ".json", json.dumps(meta).encode())
                _add(tf, key + ".npy", _npy(x))
                rows[key] = (meta, x)
                if label:
                    all_labels.add(label)
                ok += 1
                ordinal += 1
                r += 1
                if not segments or seg == 1:
                    clip += 1
            if segments and r % 2 == 1:
                clip += 1
        os.replace(path + ".tmp", path)
        entries.append({"file": name, "first_clip": first, "clips": clip - first, "rows": ok, "failed": failed,
                        "bytes": os.path.getsize(path), "sha256": "0" * 64})
    index = {"format": "shards", "version": 1, "shard_size": rows_per_shard, "dtype": dtype, "n_mels": n_mels,
             "labels": sorted(all_labels), "shards": entries, "complete": complete}
    with open(os.path.join(outdir, "shards.json"), "w") as f:
        json.dump(index, f)
    return rows


def _ids(items):
    """Row ordinals (the constant each row's features hold) in yield order."""
    return [int(x.reshape(-1)[0]) for x, *_ in items]


@pytest.fixture(scope="module")
def seven(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("seven"))
    rows = write_shards(out, 7, 5)
    return out, rows


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("two"))
    rows = write_shards(out, 2, 6)
    return out, rows


# --- the format itself, read with tarfile + numpy only (a plain WebDataset reader) ---

def test_plain_tarfile_numpy_read_back(seven):
    out, rows = seven
    seen = {}
    for p in sorted(glob.glob(os.path.join(out, "shard-*.tar"))):
        with tarfile.open(p, "r|") as tf:
            for m in tf:
                assert m.mtime == 0 and m.uid == 0 and m.gid == 0 and "." not in m.name.rsplit(".", 1)[0]
                key, ext = m.name.split(".", 1)
                data = tf.extractfile(m).read()
                seen.setdefault(key, {})[ext] = json.loads(data) if ext == "json" else np.load(io.BytesIO(data))
    assert set(seen) == set(rows)
    for key, (meta, x) in rows.items():
        assert seen[key]["json"] == meta
        np.testing.assert_array_equal(seen[key]["npy"], x)


def test_read_index_and_iter_shard(seven):
    out, rows = seven
    index = read_index(out)
    assert index["labels"] == ["five", "four", "one"] and len(index["shards"]) == 7
    got = list(iter_shard(os.path.join(out, "shard-000001.tar")))
    assert [k for k, _, _ in got] == sorted(rows)[5:10]
    for key, meta, x in got:
        assert meta == rows[key][0]
        np.testing.assert_array_equal(x, rows[key][1])


# --- exactly once per epoch, over ranks x DataLoader workers ---

def _epoch(make, world_size, num_workers, epoch=0, real=False):
    """One epoch over every rank (simulated: one dataset per rank) and DataLoader worker: real worker processes
    with real=True, else each worker's share in turn in this process (get_worker_info patched; fast)."""
    out = []
    for rank in range(world_size):
        ds = make(rank, world_size)
        ds.set_epoch(epoch)
        if real or num_workers == 0:
            out.extend(torch.utils.data.DataLoader(ds, batch_size=None, num_workers=num_workers))
            continue
        for worker in range(num_workers):
            info = SimpleNamespace(num_workers=num_workers, id=worker)
            with mock.patch("torch.utils.data.get_worker_info", return_value=info):
                out.extend(ds)
    return out


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
@pytest.mark.parametrize("fixture", ["seven", "two"])
@pytest.mark.parametrize("world_size", [1, 2])
@pytest.mark.parametrize("num_workers", [0, 1, 2, 3])
def test_every_row_exactly_once(request, fixture, world_size, num_workers):
    out, rows = request.getfixturevalue(fixture)  # "two": 2 shards for up to 6 partitions: rows are strided

    def make(rank, ws):
        return ShardedDataset(out, shuffle_buffer=4, seed=3, rank=rank, world_size=ws)

    ids = _ids(_epoch(make, world_size, num_workers))
    assert sorted(ids) == list(range(len(rows))), Counter(ids).most_common(3)


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
@pytest.mark.parametrize("fixture, world_size, num_workers", [("seven", 2, 2), ("two", 1, 3), ("two", 2, 2)])
def test_every_row_exactly_once_real_workers(request, fixture, world_size, num_workers):
    out, rows = request.getfixturevalue(fixture)
    make = lambda rank, ws: ShardedDataset(out, shuffle_buffer=4, seed=3, rank=rank, world_size=ws)  # noqa: E731
    simulated = _ids(_epoch(make, world_size, num_workers))
    real = _ids(_epoch(make, world_size, num_workers, real=True))
    assert sorted(real) == list(range(len(rows)))
    assert sorted(real) == sorted(simulated)


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_more_partitions_than_rows(tmp_path):
    rows = write_shards(str(tmp_path), 2, 1)  # 2 rows for 2 ranks x 3 workers
    make = lambda rank, ws: ShardedDataset(str(tmp_path), rank=rank, world_size=ws)  # noqa: E731
    assert sorted(_ids(_epoch(make, 2, 3))) == list(range(len(rows)))


def test_no_shuffle_is_file_order(seven):
    out, rows = seven
    assert _ids(ShardedDataset(out)) == list(range(len(rows)))


def test_same_seed_epoch_same_order_other_epoch_differs(seven):
    out, _ = seven

    def order(seed, epoch, world_size=1, num_workers=0):
        return _ids(_epoch(lambda r, ws: ShardedDataset(out, shuffle_buffer=8, seed=seed, rank=r, world_size=ws),
                           world_size, num_workers, epoch))

    a = order(0, 0)
    assert a == order(0, 0)
    assert a != order(0, 1) and sorted(a) == sorted(order(0, 1))
    assert a != order(1, 0)
    assert order(5, 2, 2, 2) == order(5, 2, 2, 2)  # same rank/worker layout: same order
    ds = ShardedDataset(out, shuffle_buffer=8)
    ds.set_epoch(1)
    assert _ids(ds) == order(0, 1)


def test_shard_order_only(seven):
    out, rows = seven
    ds = ShardedDataset(out, shuffle_buffer=1, seed=0)
    ids = _ids(ds)
    assert sorted(ids) == list(range(len(rows))) and ids != sorted(ids)
    runs = [ids[i:i + 5] for i in range(0, len(ids), 5)]  # whole shards, rows in file order within each
    assert all(r == list(range(r[0], r[0] + 5)) and r[0] % 5 == 0 for r in runs)


# --- split, labels, metadata ---

def test_split_filter_and_num_rows(seven):
    out, rows = seven
    train = ShardedDataset(out, split="train", with_metadata=True)
    got = list(train)
    want = sorted(k for k, (m, _) in rows.items() if m["split"] == "train")
    assert [m["clip"] for _, _, m in got] == [rows[k][0]["clip"] for k in want]
    assert all(m["split"] == "train" for _, _, m in got)
    assert train.num_rows() == len(want)
    assert ShardedDataset(out).num_rows() == len(rows) == 35
    assert ShardedDataset(out).num_rows("test") == len(rows) - len(want)
    assert list(ShardedDataset(out, split="nope")) == []
    # split over several ranks and workers is still exactly once
    ids = _ids(_epoch(lambda r, ws: ShardedDataset(out, split="test", shuffle_buffer=3, rank=r, world_size=ws), 2, 2))
    assert sorted(ids) == sorted(int(x[0, 0]) for m, x in rows.values() if m["split"] == "test")


def test_labels_metadata_and_tensors(seven):
    out, rows = seven
    ds = ShardedDataset(out, with_metadata=True)
    assert ds.labels == ds.classes == ["five", "four", "one"]
    n = 0
    for x, y, meta in ds:
        assert isinstance(x, torch.Tensor) and x.dtype == torch.float32 and list(x.shape) == [1, N_MELS, 3]
        assert isinstance(y, int) and y == (ds.labels.index(meta["label"]) if meta["label"] else -1)
        key = f"{meta['clip']:09d}"
        assert meta == rows[key][0]
        assert set(meta) >= {"clip", "segment", "source", "label", "split", "offset", "frames", "columns"}
        n += 1
    assert n == len(rows)
    x, y = next(iter(ShardedDataset(out, channel_dim=False, transform=lambda t: t * 2)))
    assert list(x.shape) == [N_MELS, 3] and float(x[0, 0]) == 0.0 and y == ds.labels.index("one")
    # batches through the default collate
    xb, yb = next(iter(torch.utils.data.DataLoader(ShardedDataset(out), batch_size=4)))
    assert list(xb.shape) == [4, 1, N_MELS, 3] and yb.tolist() == [2, 1, 0, -1]


def test_float16_stored_dtype_and_segments(tmp_path):
    rows = write_shards(str(tmp_path), 2, 4, segments=True, dtype="float16")
    assert all("_s000" in k for k in rows)
    x, _ = next(iter(ShardedDataset(str(tmp_path))))
    assert x.dtype == torch.float32
    x, _ = next(iter(ShardedDataset(str(tmp_path), dtype=None)))
    assert x.dtype == torch.float16
    got = [m for _, _, m in ShardedDataset(str(tmp_path), with_metadata=True)]
    assert [(m["clip"], m["segment"]) for m in got] == [(m["clip"], m["segment"]) for m, _ in rows.values()]


def test_failed_and_empty_shards(tmp_path):
    rows = write_shards(str(tmp_path), 4, 3, failed_every=4, empty_shards=(2,))
    index = read_index(str(tmp_path))
    assert index["shards"][2]["rows"] == 0 and sum(s["failed"] for s in index["shards"]) > 0
    assert sorted(_ids(ShardedDataset(str(tmp_path)))) == list(range(len(rows)))
    # an empty shard written as just the two end blocks
    empty = tmp_path / "shard-000002.tar"
    empty.write_bytes(b"\0" * 1024)
    assert list(iter_shard(str(empty))) == []


# --- explicit shard paths ---

def test_explicit_paths_globs_and_labels(seven, tmp_path):
    out, rows = seven
    paths = sorted(glob.glob(os.path.join(out, "shard-*.tar")))
    one = ShardedDataset(paths[3])
    assert one.labels == ["five", "four", "one"]  # from the shards.json beside it
    assert _ids(one) == list(range(15, 20)) and one.num_rows() == 5
    assert _ids(ShardedDataset(os.path.join(out, "shard-00000[0-1].tar"))) == list(range(10))
    assert sorted(_ids(ShardedDataset([paths[0], os.path.join(out, "shard-00000[56].tar")]))) == \
        list(range(5)) + list(range(25, 35))
    # no index beside them: labels scanned from the shards, or given
    for p in paths[:2]:
        os.link(p, tmp_path / os.path.basename(p))
    alone = sorted(str(p) for p in tmp_path.glob("*.tar"))
    assert ShardedDataset(alone).labels == ["five", "four", "one"]
    assert ShardedDataset(alone).num_rows() == 10
    ds = ShardedDataset(alone, labels=["one", "four", "five", "zero"], with_metadata=True)
    assert [(y, m["label"]) for _, y, m in ds][:4] == [(0, "one"), (1, "four"), (2, "five"), (-1, "")]
    with pytest.raises(ValueError, match=r"label 'five', not in labels"):
        list(ShardedDataset(alone, labels=["one", "four"]))


def test_incomplete_outdir(tmp_path):
    write_shards(str(tmp_path), 3, 2, complete=False)
    with pytest.raises(ValueError, match=r"shards\.json: the extraction has not finished.*run the extraction again"):
        ShardedDataset(str(tmp_path))
    with pytest.raises(ValueError, match="has not finished"):
        read_index(str(tmp_path))
    assert read_index(str(tmp_path), allow_incomplete=True)["complete"] is False
    ds = ShardedDataset(str(tmp_path / "shard-*.tar"))  # explicit paths: allowed
    assert sorted(_ids(ds)) == list(range(6)) and ds.labels == ["five", "four", "one"]


# --- errors ---

@pytest.mark.parametrize("kwargs, exc, msg", [
    ({"shuffle_buffer": -1}, ValueError, r"shuffle_buffer must be >= 0, got -1"),
    ({"shuffle_buffer": 2.5}, TypeError, r"shuffle_buffer must be an int"),
    ({"seed": -3}, ValueError, r"seed must be >= 0"),
    ({"rank": 3, "world_size": 2}, ValueError, r"rank must be in \[0, world_size\): got rank=3 with world_size=2"),
    ({"rank": 0}, ValueError, r"rank and world_size go together"),
    ({"rank": 0, "world_size": 0}, ValueError, r"world_size must be >= 1"),
    ({"split": 1}, TypeError, r"split must be a str"),
    ({"with_metadata": 1}, TypeError, r"with_metadata must be True or False"),
    ({"transform": 3}, TypeError, r"transform must be callable"),
    ({"labels": "abc"}, TypeError, r"labels must be a list of non-empty strings"),
    ({"labels": ["a", "a"]}, ValueError, r"labels must be distinct"),
    ({"dtype": "float32"}, TypeError, r"dtype must be a torch.dtype"),
])
def test_bad_arguments(seven, kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        ShardedDataset(seven[0], **kwargs)
    ds = ShardedDataset(seven[0])
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        ds.set_epoch(-1)


def test_bad_sources(tmp_path, seven):
    with pytest.raises(ValueError, match=r"shards\.json: missing"):
        ShardedDataset(str(tmp_path))
    with pytest.raises(ValueError, match="no such directory"):
        read_index(str(tmp_path / "nope"))
    with pytest.raises(ValueError, match="matches no file"):
        ShardedDataset(str(tmp_path / "x-*.tar"))
    with pytest.raises(ValueError, match="no such shard file"):
        ShardedDataset([str(tmp_path / "x.tar")])
    with pytest.raises(ValueError, match="more than once"):
        ShardedDataset([os.path.join(seven[0], "shard-000000.tar")] * 2)
    with pytest.raises(TypeError, match="source must be"):
        ShardedDataset(3)


@pytest.mark.parametrize("change, msg", [
    (lambda ix: ix.update(format="packed"), r"\"format\" is 'packed', not \"shards\""),
    (lambda ix: ix.update(version=2), r"unknown \"version\" 2"),
    (lambda ix: ix.pop("complete"), r"\"complete\" must be true or false"),
    (lambda ix: ix["shards"][0].update(file="../x.tar"), r"shards\[0\]\.file must be a file name"),
    (lambda ix: ix["shards"][0].pop("rows"), r"shards\[0\] \(shard-000000\.tar\) has no \"rows\""),
    (lambda ix: ix.update(labels=["b", "a"]), r"must be sorted and distinct"),
])
def test_bad_index(tmp_path, change, msg):
    write_shards(str(tmp_path), 1, 1)
    p = tmp_path / "shards.json"
    index = json.loads(p.read_text())
    change(index)
    p.write_text(json.dumps(index))
    with pytest.raises(ValueError, match=msg):
        read_index(str(tmp_path))
    p.write_text("{not json")
    with pytest.raises(ValueError, match=r"shards\.json: cannot be read as JSON"):
        read_index(str(tmp_path))


def _tar(path, members):
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tf:
        for name, data in members:
            _add(tf, name, data)
    return str(path)


def test_corrupt_shards(tmp_path):
    meta = json.dumps({"clip": 0, "label": "", "split": ""}).encode()
    arr = _npy(np.zeros((2, 3), np.float32))
    cases = [
        ([("000000000.npy", arr)], r"member '000000000\.npy' has no 000000000\.json before it"),
        ([("000000000.json", meta), ("000000001.json", meta)], r"'000000001\.json' follows '000000000\.json' but "
                                                                r"000000000\.npy is missing"),
        ([("000000000.json", meta), ("000000001.npy", arr)], r"has no 000000001\.json before it \(after "
                                                              r"'000000000\.json' expected 000000000\.npy\)"),
        ([("000000000.json", meta)], r"000000000\.npy is missing at the end of the shard"),
        ([("000000000.json", b"[1]"), ("000000000.npy", arr)], r"'000000000\.json' must hold a JSON object"),
        ([("000000000.json", b"{x"), ("000000000.npy", arr)], r"'000000000\.json' is not valid JSON"),
        ([("000000000.json", meta), ("000000000.npy", b"nope")], r"'000000000\.npy' is not a valid \.npy array"),
        ([("000000000.txt", b"")], r"unexpected member '000000000\.txt'"),
        ([("000000000", b"")], r"member '000000000' has no extension"),
    ]
    for i, (members, msg) in enumerate(cases):
        p = _tar(tmp_path / f"bad{i}.tar", members)
        with pytest.raises(ValueError, match=rf"bad{i}\.tar: .*{msg}"):
            list(iter_shard(p))
    # truncated in the middle of a member, and not a tar at all
    good = _tar(tmp_path / "good.tar", [("000000000.json", meta), ("000000000.npy", arr)])
    data = open(good, "rb").read()
    (tmp_path / "trunc.tar").write_bytes(data[:700])
    with pytest.raises(ValueError, match=r"trunc\.tar: .*(truncated|corrupt)"):
        list(iter_shard(str(tmp_path / "trunc.tar")))
    (tmp_path / "junk.tar").write_bytes(b"hello" * 300)
    with pytest.raises(ValueError, match=r"junk\.tar: (not a tar file|corrupt)"):
        list(iter_shard(str(tmp_path / "junk.tar")))
    with pytest.raises(ValueError, match=r"nothere\.tar: cannot open shard"):
        list(iter_shard(str(tmp_path / "nothere.tar")))


def test_shape_check_against_index(tmp_path):
    write_shards(str(tmp_path), 1, 2, n_mels=5)
    index = json.loads((tmp_path / "shards.json").read_text())
    index["n_mels"] = 6
    (tmp_path / "shards.json").write_text(json.dumps(index))
    with pytest.raises(ValueError, match=r"shard-000000\.tar: member 000000000\.npy has shape \[5, 3\], "
                                         r"expected \[6, frames\]"):
        list(ShardedDataset(str(tmp_path)))
