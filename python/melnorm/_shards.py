"""Training-side reader for ``melnorm extract --format shards`` (WebDataset tar shards).

Pure Python (numpy, torch, tarfile, json): it does not need the compiled module, so a training job can read
shards made on another machine with only ``melnorm/_shards.py`` importable.

An OUTDIR holds ``shards.json`` and ``shard-000000.tar``, ``shard-000001.tar``, ... Each shard is a plain ustar
tar with, per ok row, ``KEY.json`` (the row's metadata) then ``KEY.npy`` (its features, ``[n_mels, frames]``).

>>> from melnorm._shards import ShardedDataset  # doctest: +SKIP
>>> ds = ShardedDataset("out/shards", split="train", shuffle_buffer=1000, seed=0)  # doctest: +SKIP
>>> loader = torch.utils.data.DataLoader(ds, batch_size=32, num_workers=4)  # doctest: +SKIP
>>> for epoch in range(10):  # doctest: +SKIP
...     ds.set_epoch(epoch)
...     for x, y in loader: ...
"""
import glob as _glob
import io
import json
import os
import random
import tarfile

import numpy as np
import torch

__all__ = ["read_index", "iter_shard", "ShardedDataset"]

INDEX_NAME = "shards.json"
_VERSIONS = (1,)
_GLOB_CHARS = frozenset("*?[")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def read_index(outdir, *, allow_incomplete=False):
    """Read and check ``OUTDIR/shards.json``; returns the parsed object (a dict).

    Raises ``ValueError`` naming the file and what is wrong: no such file, not JSON, not ``"format": "shards"``,
    an unknown ``version``, a malformed ``shards`` list, or ``"complete": false`` (the extraction has not
    finished) unless ``allow_incomplete=True``.
    """
    outdir = os.fspath(outdir)
    path = os.path.join(outdir, INDEX_NAME) if os.path.isdir(outdir) or not outdir.endswith(".json") else outdir
    if not os.path.isfile(path):
        if not os.path.exists(outdir):
            raise ValueError(f"{outdir}: no such directory (expected a `melnorm extract --format shards` OUTDIR)")
        raise ValueError(f"{path}: missing: {outdir} is not a `melnorm extract --format shards` OUTDIR "
                         f"(or its extraction has not written an index yet)")
    try:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: cannot be read as JSON: {e}") from None
    if not isinstance(index, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(index).__name__}")
    fmt = index.get("format")
    if fmt != "shards":
        raise ValueError(f"{path}: \"format\" is {fmt!r}, not \"shards\": not a shards index")
    version = index.get("version")
    if not _is_int(version) or version not in _VERSIONS:
        raise ValueError(f"{path}: unknown \"version\" {version!r}; this reader knows version "
                         f"{', '.join(map(str, _VERSIONS))} (a newer melnorm wrote it? upgrade melnorm)")
    labels = index.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(s, str) and s for s in labels):
        raise ValueError(f"{path}: \"labels\" must be a list of non-empty strings")
    if labels != sorted(set(labels)):
        raise ValueError(f"{path}: \"labels\" must be sorted and distinct")
    shards = index.get("shards")
    if not isinstance(shards, list):
        raise ValueError(f"{path}: \"shards\" must be a list, got {type(shards).__name__}")
    seen = set()
    for i, s in enumerate(shards):
        if not isinstance(s, dict):
            raise ValueError(f"{path}: shards[{i}] must be an object")
        name = s.get("file")
        if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ValueError(f"{path}: shards[{i}].file must be a file name in the OUTDIR, got {name!r}")
        if name in seen:
            raise ValueError(f"{path}: shards[{i}].file {name!r} is listed twice")
        seen.add(name)
        for k in ("rows", "clips", "first_clip"):
            if k in s and not (_is_int(s[k]) and s[k] >= 0):
                raise ValueError(f"{path}: shards[{i}].{k} must be a non-negative integer, got {s[k]!r}")
        if "rows" not in s:
            raise ValueError(f"{path}: shards[{i}] ({name}) has no \"rows\"")
    complete = index.get("complete")
    if not isinstance(complete, bool):
        raise ValueError(f"{path}: \"complete\" must be true or false, got {complete!r}")
    if not complete and not allow_incomplete:
        raise ValueError(f"{path}: the extraction has not finished (\"complete\": false, {len(shards)} shard(s) "
                         f"listed so far): run the extraction again to finish it, or pass the finished shards' "
                         f"paths explicitly (ShardedDataset([...], labels=[...]))")
    return index


def _split_name(shard, name):
    base = name.rsplit("/", 1)[-1]
    if "." not in base:
        raise ValueError(f"{shard}: member {name!r} has no extension (expected KEY.json and KEY.npy)")
    cut = len(name) - len(base) + base.index(".")
    return name[:cut], name[cut + 1:]


def _read_member(tf, shard, m):
    if not m.isfile():
        raise ValueError(f"{shard}: member {m.name!r} is not a regular file")
    f = tf.extractfile(m)
    data = f.read()
    if len(data) != m.size:
        raise ValueError(f"{shard}: member {m.name!r} is truncated ({len(data)} of {m.size} bytes)")
    return data


def _load_npy(data, headers):
    """``np.load(io.BytesIO(data), allow_pickle=False)``, minus its per-call header parsing (about half the
    cost of a small row): a header seen before in this shard is looked up. Returns a writable array."""
    if bytes(data[:6]) != b"\x93NUMPY" or len(data) < 10:
        raise ValueError("not a .npy file (bad magic)")
    if data[6] == 1:
        end = 10 + int.from_bytes(data[8:10], "little")
    elif data[6] in (2, 3):
        end = 12 + int.from_bytes(data[8:12], "little")
    else:
        end = None
    hdr = bytes(data[:end]) if end is not None else None
    parsed = headers.get(hdr) if hdr is not None else None
    if parsed is None:
        x = np.load(io.BytesIO(data), allow_pickle=False)  # validates the header and the size
        if hdr is not None and len(headers) < 64 and not x.dtype.hasobject:
            order = "F" if x.flags.f_contiguous and not x.flags.c_contiguous else "C"
            headers[hdr] = (x.dtype, x.shape, order, end, int(np.prod(x.shape, dtype=np.int64)))
        return x
    dtype, shape, order, offset, n = parsed
    if len(data) - offset < n * dtype.itemsize:
        raise ValueError(f"array data truncated: {len(data) - offset} of {n * dtype.itemsize} bytes")
    return np.frombuffer(data, dtype, count=n, offset=offset).reshape(shape, order=order).copy(order="K")


_ZERO_BLOCK = bytes(512)


def _ustar_members(path, buf):
    """``(name, data offset, size)`` of each member of the uncompressed tar in ``buf``, or None when it holds
    what this direct reader does not (pax or GNU long-name headers, links, base-256 sizes): the caller reads
    it with ``tarfile`` then. About 20x faster per member than ``tarfile``; checks each header's checksum and
    that every member lies inside the file (``ValueError`` naming the shard otherwise)."""
    members, off, n = [], 0, len(buf)
    while True:
        if off + 512 > n:
            raise ValueError(f"{path}: corrupt or truncated tar after {len(members) // 2} row(s): the file ends "
                             f"at byte {n} without the end-of-archive blocks")
        h = bytes(buf[off:off + 512])
        if h == _ZERO_BLOCK:
            return members
        chk = h[148:156]
        try:
            want = int(chk.strip(b"\0 ") or b"0", 8)
        except ValueError:
            want = -1
        if want != sum(h) - sum(chk) + 256:
            raise ValueError(f"{path}: corrupt or truncated tar after {len(members) // 2} row(s): bad header "
                             f"checksum at byte {off}")
        if h[156:157] not in (b"0", b"\0") or h[124] & 0x80:
            return None
        name = h[:100].split(b"\0", 1)[0]
        if h[257:262] == b"ustar":
            prefix = h[345:500].split(b"\0", 1)[0]
            if prefix:
                name = prefix + b"/" + name
        size = int(h[124:136].strip(b"\0 ") or b"0", 8)
        start = off + 512
        if start + size > n:
            raise ValueError(f"{path}: corrupt or truncated tar after {len(members) // 2} row(s): member "
                             f"{name.decode('utf-8', 'replace')!r} is truncated ({n - start} of {size} bytes)")
        members.append((name.decode("utf-8", "surrogateescape"), start, size))
        off = start + (size + 511) // 512 * 512


def _tarfile_members(path, fobj):
    """``(name, read)`` per member through ``tarfile`` (stream mode): the general reader."""
    try:
        tf = tarfile.open(fileobj=fobj, mode="r|")
    except tarfile.ReadError as e:
        raise ValueError(f"{path}: not a tar file (corrupt shard?): {e}") from None
    count = 0
    try:
        for m in tf:
            yield m.name, (lambda m=m: _read_member(tf, path, m))
            count += 1
    except tarfile.TarError as e:
        raise ValueError(f"{path}: corrupt or truncated tar after {count // 2} row(s): {e}") from None


def _shard_members(path, fobj):
    """``(name, read)`` per member of the shard open as ``fobj``: read() gives the member's bytes."""
    size = os.fstat(fobj.fileno()).st_size
    if size == 0:
        return  # tolerate a 0-byte shard as empty (the writer's empty shard is just the end blocks)
    buf = fobj.read()
    try:
        members = _ustar_members(path, buf)
    except ValueError:
        if buf[257:262] != b"ustar" and buf[:512] != _ZERO_BLOCK:
            raise ValueError(f"{path}: not a tar file (corrupt shard?): no ustar header at its start") from None
        raise
    if members is None:
        fobj.seek(0)
        yield from _tarfile_members(path, fobj)
        return
    view = memoryview(buf)
    for name, start, length in members:
        yield name, (lambda a=start, b=start + length: view[a:b])


def iter_shard(path, *, load=True, rows=None):
    """Stream one shard: yields ``(key, meta, features)`` per row, in file order.

    ``meta``: the row's ``KEY.json`` object (dict); ``features``: its ``KEY.npy`` as a NumPy array (whatever
    dtype was stored). Reads the shard's ustar headers directly (``tarfile`` for what they do not cover).
    ``load=False`` skips decoding the ``.npy`` (``features`` is None); ``rows`` (a callable on the row's
    ordinal in the shard, 0, 1, ...) keeps only the rows it returns true for, without decoding the others.
    Raises ``ValueError`` naming the shard and the member when a member is missing, out of order, not JSON /
    .npy, or the tar is corrupt or truncated.
    """
    path = os.fspath(path)
    try:
        fobj = open(path, "rb")
    except OSError as e:
        raise ValueError(f"{path}: cannot open shard: {e.strerror or e}") from None
    with fobj:
        headers = {}  # .npy header bytes -> (dtype, shape, order, data offset): rows of a shard mostly share one
        pending = None  # (key, json member name, meta, keep) waiting for its .npy
        ordinal = 0
        for name, read in _shard_members(path, fobj):
            key, ext = _split_name(path, name)
            if ext == "json":
                if pending is not None:
                    raise ValueError(f"{path}: member {name!r} follows {pending[1]!r} but {pending[0]}.npy "
                                     f"is missing (expected KEY.json then KEY.npy per row)")
                keep = rows is None or rows(ordinal)
                pending = (key, name, _read_meta(path, name, read()) if keep else None, keep)
            elif ext == "npy":
                if pending is None or pending[0] != key:
                    want = f" (after {pending[1]!r} expected {pending[0]}.npy)" if pending else ""
                    raise ValueError(f"{path}: member {name!r} has no {key}.json before it{want}")
                _, _, meta, keep = pending
                pending = None
                ordinal += 1
                if not keep:
                    continue
                x = None
                if load:
                    try:
                        x = _load_npy(read(), headers)
                    except (ValueError, OSError, EOFError) as e:
                        raise ValueError(f"{path}: member {name!r} is not a valid .npy array: {e}") from None
                yield key, meta, x
            else:
                raise ValueError(f"{path}: unexpected member {name!r} (a shard holds only KEY.json and KEY.npy)")
        if pending is not None:
            raise ValueError(f"{path}: member {pending[0]}.npy is missing at the end of the shard "
                             f"(after {pending[1]!r}): truncated shard?")


def _read_meta(path, name, data):
    try:
        meta = json.loads(bytes(data))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: member {name!r} is not valid JSON: {e}") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{path}: member {name!r} must hold a JSON object, got {type(meta).__name__}")
    return meta


def _expand(source):
    """Shard paths from a shard path, a glob, or a list of those (globs sorted; order otherwise kept)."""
    items = [source] if isinstance(source, (str, os.PathLike)) else source
    out = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(f"source: list items must be paths or glob strings, got {type(item).__name__}")
        item = os.fspath(item)
        if _GLOB_CHARS & set(item) and not os.path.exists(item):
            found = sorted(_glob.glob(item))
            if not found:
                raise ValueError(f"source: the glob {item!r} matches no file")
            out.extend(found)
        elif os.path.isdir(item):
            raise ValueError(f"source: {item!r} is a directory; pass an OUTDIR alone (not in a list)")
        elif not os.path.isfile(item):
            raise ValueError(f"source: no such shard file {item!r}")
        else:
            out.append(item)
    if not out:
        raise ValueError("source: an empty list of shards")
    real = [os.path.realpath(p) for p in out]
    if len(set(real)) != len(real):
        dup = sorted({p for p in out if real.count(os.path.realpath(p)) > 1})
        raise ValueError(f"source: shard(s) listed more than once (each row must be read once): {dup}")
    return out


def _check_int(name, value, minimum, allow_none=False):
    if value is None and allow_none:
        return
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _seed_int(*words):
    return int.from_bytes(np.random.SeedSequence(list(words)).generate_state(2, np.uint64).tobytes(), "little")


class ShardedDataset(torch.utils.data.IterableDataset):
    """The rows of ``melnorm extract --format shards`` tar shards, streamed: ``(features, label)`` per row.

    ``source``: an OUTDIR (its ``shards.json`` lists the shards and the labels; an unfinished extraction is an
    error), or one shard path, a glob (``"out/shard-*.tar"``), or a list of paths/globs. For explicit shards the
    label list is ``labels=`` if given, else the ``labels`` of a ``shards.json`` beside them when it lists them
    all, else the sorted distinct non-empty labels of the given shards (found by reading their ``.json``
    members once, in the constructor).

    Yields ``features``: a tensor ``[1, n_mels, frames]`` (``channel_dim=False``: ``[n_mels, frames]``) of
    ``dtype`` (float32; None keeps the stored dtype), after ``transform``; ``label``: the row's index in
    ``self.labels`` (-1 for a row without a label); with ``with_metadata=True`` also the row's metadata dict
    (its ``KEY.json``: clip, segment, source, label, split, offset, frames, columns). ``split``: keep only rows
    whose metadata ``split`` equals it.

    Partitioning: shards are divided between the DataLoader workers of each of ``world_size`` ranks (``rank``
    / ``world_size`` if given, else ``torch.distributed`` when initialised, else one rank): partition
    ``rank * num_workers + worker`` of P takes every P-th shard of the epoch's order. When there are fewer
    shards than P, each shard is read by a group of about P / n_shards partitions that stride its rows (the
    i-th row of the shard goes to the (i mod group)-th member). Either way every row is yielded exactly once
    per epoch over all ranks and workers; partitions may get a row or shard more than others.

    Shuffling (``shuffle_buffer`` > 0): the shard order is permuted per epoch by a generator seeded by
    ``(seed, epoch)`` (the same on every rank), and rows are shuffled within a buffer of ``shuffle_buffer``
    rows per partition (seeded by ``(seed, epoch, partition)``); ``shuffle_buffer=1`` shuffles the shard order
    only; 0 keeps file order. ``set_epoch(epoch)`` before each epoch reshuffles; the same seed, epoch and
    rank/worker layout give the same order. (The epoch travels to workers when the DataLoader starts them, so
    call it before iterating; with ``persistent_workers=True`` it does not reach running workers.)
    """

    def __init__(self, source, split=None, shuffle_buffer=0, seed=0, rank=None, world_size=None,
                 with_metadata=False, transform=None, *, labels=None, channel_dim=True, dtype=torch.float32):
        if split is not None and not isinstance(split, str):
            raise TypeError(f"split must be a str (e.g. \"train\") or None, got {type(split).__name__}")
        _check_int("shuffle_buffer", shuffle_buffer, 0)
        _check_int("seed", seed, 0)
        if (rank is None) != (world_size is None):
            raise ValueError(f"rank and world_size go together: got rank={rank!r}, world_size={world_size!r}")
        _check_int("world_size", world_size, 1, allow_none=True)
        _check_int("rank", rank, 0, allow_none=True)
        if rank is not None and rank >= world_size:
            raise ValueError(f"rank must be in [0, world_size): got rank={rank} with world_size={world_size}")
        if not isinstance(with_metadata, bool):
            raise TypeError(f"with_metadata must be True or False, got {with_metadata!r}")
        if not isinstance(channel_dim, bool):
            raise TypeError(f"channel_dim must be True or False, got {channel_dim!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"transform must be callable or None, got {type(transform).__name__}")
        if dtype is not None and not isinstance(dtype, torch.dtype):
            raise TypeError(f"dtype must be a torch.dtype (e.g. torch.float32) or None, got {dtype!r}")
        if labels is not None:
            if isinstance(labels, str) or not all(isinstance(s, str) and s for s in labels):
                raise TypeError("labels must be a list of non-empty strings")
            labels = list(labels)
            if len(set(labels)) != len(labels):
                raise ValueError("labels must be distinct")

        self.index = None
        self.outdir = None
        if isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
            self.outdir = os.fspath(source)
            self.index = read_index(self.outdir)
            self.shards = [os.path.join(self.outdir, s["file"]) for s in self.index["shards"]]
            missing = [p for p in self.shards if not os.path.isfile(p)]
            if missing:
                raise ValueError(f"{os.path.join(self.outdir, INDEX_NAME)} lists {len(missing)} shard(s) that "
                                 f"are missing: {missing[:3]}")
            self._rows = [s["rows"] for s in self.index["shards"]]
        elif isinstance(source, (str, os.PathLike, list, tuple)):
            self.shards = _expand(source)
            self._rows = None
            self._index_beside(labels)
        else:
            raise TypeError(f"source must be an OUTDIR, a shard path, a glob or a list of them, "
                            f"got {type(source).__name__}")
        if labels is None:
            labels = self.index["labels"] if self.index is not None else self._scan_labels()
        self.labels = labels
        self._label_index = {s: i for i, s in enumerate(labels)}
        self._label_index[""] = -1
        self._n_mels = self.index.get("n_mels") if self.index is not None else None
        self._np_dtype = None
        if self.index is not None and isinstance(self.index.get("dtype"), str):
            try:
                self._np_dtype = np.dtype(self.index["dtype"])
            except TypeError:
                pass
        self.split = split
        self.shuffle_buffer = shuffle_buffer
        self.seed = seed
        self.epoch = 0
        self.rank, self.world_size = rank, world_size
        if rank is None:
            dist = torch.distributed
            if dist.is_available() and dist.is_initialized():
                self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
            else:
                self.rank, self.world_size = 0, 1
        self.with_metadata = with_metadata
        self.transform = transform
        self.channel_dim = channel_dim
        self.dtype = dtype

    @property
    def classes(self):
        """The label list (as :class:`ExtractedDataset` calls it)."""
        return self.labels

    def _index_beside(self, labels):
        """For explicit shards: use a shards.json in their (common) folder when it lists every one of them."""
        dirs = {os.path.dirname(os.path.abspath(p)) for p in self.shards}
        if len(dirs) != 1:
            return
        d = dirs.pop()
        if not os.path.isfile(os.path.join(d, INDEX_NAME)):
            return
        index = read_index(d, allow_incomplete=True)
        rows = {s["file"]: s["rows"] for s in index["shards"]}
        names = [os.path.basename(p) for p in self.shards]
        if all(n in rows for n in names):
            self.index = index
            self._rows = [rows[n] for n in names]

    def _scan_labels(self):
        found = set()
        for p in self.shards:
            for _, meta, _ in iter_shard(p, load=False):
                found.add(meta.get("label", ""))
        found.discard("")
        return sorted(found)

    def set_epoch(self, epoch):
        """Set the epoch (reseeds the shard order and row shuffle); call it before iterating each epoch."""
        _check_int("epoch", epoch, 0)
        self.epoch = epoch

    def num_rows(self, split=None):
        """Rows per epoch over all ranks and workers: of ``split`` if given, else of the dataset's own ``split``
        (None: every row). Without a split filter this is the index's per-shard row counts (free); with one,
        or for explicit shards without an index, it reads every shard's ``.json`` members (one pass)."""
        if split is not None and not isinstance(split, str):
            raise TypeError(f"split must be a str or None, got {type(split).__name__}")
        split = self.split if split is None else split
        if split is None and self._rows is not None:
            return sum(self._rows)
        n = 0
        for p in self.shards:
            for _, meta, _ in iter_shard(p, load=False):
                n += split is None or meta.get("split", "") == split
        return n

    def _plan(self, partition, partitions):
        """(shard path, row filter) pairs this partition reads this epoch."""
        order = list(range(len(self.shards)))
        if self.shuffle_buffer > 0:
            random.Random(_seed_int(self.seed, self.epoch)).shuffle(order)
        n = len(order)
        if n >= partitions:
            return [(self.shards[order[i]], None) for i in range(partition, n, partitions)]
        if n == 0:
            return []
        s = partition % n  # this shard's group: partitions s, s + n, s + 2n, ... < partitions
        group = len(range(s, partitions, n))
        member = partition // n
        if group == 1:
            return [(self.shards[order[s]], None)]
        return [(self.shards[order[s]], lambda i: i % group == member)]

    def _rows_of(self, plan):
        split = self.split
        for path, keep in plan:
            for key, meta, x in iter_shard(path, rows=keep):
                if split is not None and meta.get("split", "") != split:
                    continue
                yield path, key, meta, x

    def _item(self, path, key, meta, x):
        label = meta.get("label", "")
        try:
            y = self._label_index[label]
        except (KeyError, TypeError):
            raise ValueError(f"{path}: row {key} has label {label!r}, not in labels ({len(self.labels)}: "
                             f"{self.labels[:10]}{'...' if len(self.labels) > 10 else ''})") from None
        if x.ndim != 2 or (self._n_mels is not None and x.shape[0] != self._n_mels):
            want = f"[{self._n_mels}, frames]" if self._n_mels is not None else "[n_mels, frames]"
            raise ValueError(f"{path}: member {key}.npy has shape {list(x.shape)}, expected {want}")
        if self._np_dtype is not None and x.dtype != self._np_dtype:
            raise ValueError(f"{path}: member {key}.npy is {x.dtype}, but the index says {self._np_dtype}")
        t = torch.from_numpy(x)
        if self.dtype is not None and t.dtype != self.dtype:
            t = t.to(self.dtype)
        if self.channel_dim:
            t = t.unsqueeze(0)
        if self.transform is not None:
            t = self.transform(t)
        return (t, y, meta) if self.with_metadata else (t, y)

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        workers, worker = (info.num_workers, info.id) if info is not None else (1, 0)
        partitions = self.world_size * workers
        partition = self.rank * workers + worker
        rows = self._rows_of(self._plan(partition, partitions))
        if self.shuffle_buffer <= 1:
            for r in rows:
                yield self._item(*r)
            return
        rng = random.Random(_seed_int(self.seed, self.epoch, partition, partitions))
        buf = []
        size = self.shuffle_buffer
        for r in rows:
            if len(buf) < size:
                buf.append(r)
                continue
            j = rng.randrange(size)
            out, buf[j] = buf[j], r
            yield self._item(*out)
        rng.shuffle(buf)
        for r in buf:
            yield self._item(*r)

    def __repr__(self):
        where = self.outdir if self.outdir is not None else f"{len(self.shards)} shard(s)"
        return (f"ShardedDataset({where!r}, split={self.split!r}, shuffle_buffer={self.shuffle_buffer}, "
                f"seed={self.seed}, rank={self.rank}, world_size={self.world_size})")
