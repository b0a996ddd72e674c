"""Dataset extraction on a Dask ``distributed`` cluster.

The work of ``melnorm extract`` split three ways: every worker rebuilds the
plan (options checked, clips listed: the input must be on storage every worker
sees, such as NFS), computes clips in chunks and sends their rows back; the
client writes OUTDIR with the same writer as the CLI, in clip order. So the
OUTDIR is the CLI's, byte for byte, and an interrupted run resumes the same
way (run the same call again). Global statistics (``fit_stats=True``) are
fitted as a tree of partial :class:`melnorm.Stats` merges, in the same fixed
order as the CLI, so they are the same bits too. See docs/scaling.md.

>>> from distributed import Client  # doctest: +SKIP
>>> client = Client("tcp://scheduler:8786")  # doctest: +SKIP
>>> melnorm.dask.extract("/nfs/fsdd/recordings", "/nfs/out/fsdd", client, sr=8000, n_mels=64,
...                      normalize="zscore", scope="global", fit_stats=True)  # doctest: +SKIP
"""
import collections
import csv
import functools
import json
import os
import pathlib
import warnings

from . import _melnorm

__all__ = ["extract"]


@functools.lru_cache(maxsize=4)
def _plan(options_json):
    # Listing the clips once per worker process and options, not once per task.
    return _melnorm.ExtractPlan(json.loads(options_json))


def _fit_chunk(options_json, sources):
    """(partial statistics, the library's warnings): a worker's warnings travel to the client."""
    return _melnorm.ExtractWorker(_plan(options_json)).fit_collecting(sources)


def _merge(a, b):
    merged = a.copy()
    merged.merge(b)
    return merged


def _process_chunk(options_json, stats, sources):
    """([results], the library's warnings)."""
    worker = _melnorm.ExtractWorker(_plan(options_json), stats)
    results, messages = [], []
    for i in sources:
        result, said = worker.process_collecting(i)
        results.append(result)
        messages.extend(said)
    return results, messages


def _write_shard(options_json, stats, shard):
    """(the shard's summary, the library's warnings): the worker writes OUTDIR/shard-NNNNNN.tar itself."""
    return _melnorm.ExtractWorker(_plan(options_json), stats).write_shard_collecting(shard)


class _Forwarded:
    """The workers' warnings, issued on the client once per distinct message."""

    def __init__(self):
        self.seen = set()

    def __call__(self, messages):
        for m in messages:
            if m not in self.seen:
                self.seen.add(m)
                warnings.warn(m, UserWarning, stacklevel=3)


def _first(pair):
    return pair[0]


def _second(pair):
    return pair[1]


def _plain(value):
    """Values json cannot write as they are: numpy scalars as numbers, paths as text."""
    if hasattr(value, "item") and hasattr(value, "dtype"):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{value!r} is not an option value")


def _input_options(paths_or_manifest, out_dir, options):
    """The extract options for a folder, a list/labels file, or a Python list of paths."""
    if isinstance(paths_or_manifest, (str, os.PathLike)):
        path = pathlib.Path(paths_or_manifest)
        if path.suffix.lower() == ".csv" and "labels" not in options and path.is_file():
            with open(path, newline="", encoding="utf-8-sig") as f:  # a byte-order mark is not part of the header
                header = next(csv.reader(f), [])
            named = [options.get("path_column", "path"), options.get("label_column", "label")]
            if all(c in header for c in named):  # a labels CSV: paths relative to it
                return dict(options, input=str(path.parent), labels=str(path))
        return dict(options, input=str(path))
    paths = [str(pathlib.Path(p).resolve()) for p in paths_or_manifest]
    if not paths:
        raise ValueError("paths_or_manifest is an empty list; give audio paths, a folder, or a labels CSV")
    os.makedirs(out_dir, exist_ok=True)
    listing = pathlib.Path(out_dir) / "sources.txt"
    text = "".join(p + "\n" for p in paths)
    if not listing.exists() or listing.read_text() != text:
        tmp = listing.with_name(listing.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, listing)
    return dict(options, input=str(listing))


def extract(paths_or_manifest, out_dir, client, *, chunk_size=32, progress=None, **options):
    """Run (or resume) an extraction on ``client``'s cluster; returns the summary dict.

    ``paths_or_manifest``: a folder (labels from parent folders), a ``.txt``
    list of paths, a labels CSV (``path,label[,split,...]``, paths relative to
    it), or a list of paths. ``out_dir`` is written by this process (the
    client). ``options``: as :func:`melnorm.extract` (``jobs`` does not apply:
    the cluster's threads do the work). ``chunk_size`` clips per task;
    ``progress(done, total)`` is called after each chunk.

    With ``format="shards"`` (``shard_size`` clips per shard, default 1000)
    each task is one shard, which the worker writes straight into ``out_dir``:
    a folder every worker reaches (a shared file system). The client only
    records each shard's summary (rows, failures, SHA-256, manifest lines),
    so its memory and network do not grow with the features. A worker lost
    mid-shard: Dask reruns the task; its temporary is removed when the run
    finishes. The shards are the CLI's (``extract --format shards``), byte
    for byte.
    """
    if int(chunk_size) < 1:
        raise ValueError(f"chunk_size={chunk_size} must be >= 1")
    options = dict(_input_options(paths_or_manifest, out_dir, options), out_dir=str(out_dir))
    options.pop("jobs", None)
    options_json = json.dumps(options, sort_keys=True, default=_plain)
    plan = _plan(options_json)
    writer = _melnorm.ExtractWriter(plan)

    forward = _Forwarded()
    if writer.needs_fit:
        chunks = plan.fit_chunks()
        if not chunks:
            raise ValueError("fit_stats: no rows with split=train")
        fitted = client.map(_fit_chunk, [options_json] * len(chunks), chunks, pure=False)
        for messages in client.gather(client.map(_second, fitted, pure=False)):
            forward(messages)
        level = client.map(_first, fitted, pure=False)
        while len(level) > 1:  # pairwise, level by level: the order of melnorm's merge_tree
            merged = [client.submit(_merge, level[i], level[i + 1], pure=False) for i in range(0, len(level) - 1, 2)]
            level = merged + ([level[-1]] if len(level) % 2 else [])
        writer.set_fitted_stats(level[0].result())

    stats = writer.stats
    stats_future = client.scatter(stats, broadcast=True) if stats is not None else None
    if plan.shard_count:
        return _extract_shards(client, plan, writer, options_json, stats_future, forward, progress)
    starts = list(range(writer.next_source, len(plan), int(chunk_size)))
    window = max(2, 2 * sum(client.nthreads().values()))  # chunks in flight: bounded memory on the client
    pending = collections.deque()
    for k, start in enumerate(starts):
        sources = list(range(start, min(start + int(chunk_size), len(plan))))
        pending.append((sources, client.submit(_process_chunk, options_json, stats_future, sources, pure=False)))
        while len(pending) >= window or (k == len(starts) - 1 and pending):
            done_sources, future = pending.popleft()
            results, messages = future.result()
            forward(messages)
            for i, result in zip(done_sources, results):
                writer.write(i, result)
            if progress is not None:
                progress(writer.next_source, len(plan))
    return writer.finish()


def _extract_shards(client, plan, writer, options_json, stats_future, forward, progress):
    """format="shards": one task per shard, each worker writing its own shard into OUTDIR;
    the client receives summaries (counts, SHA-256, manifest lines) and records them in order."""
    from distributed import as_completed

    redo = list(writer.shards_to_redo())
    for shard in redo:  # an earlier run's shards, missing or damaged: rewritten, then the rest
        summary, messages = client.submit(_write_shard, options_json, stats_future, shard, pure=False).result()
        forward(messages)
        writer.rewrote_shard(summary)
    todo = list(range(writer.next_source // plan.shard_size, plan.shard_count))
    window = max(2, 2 * sum(client.nthreads().values()))  # shards in flight; summaries waiting their turn
    queue = collections.deque(todo)
    running = as_completed()
    done = {}
    next_shard = todo[0] if todo else plan.shard_count
    while queue or running.count() or done:
        while queue and running.count() + len(done) < window:
            running.add(client.submit(_write_shard, options_json, stats_future, queue.popleft(), pure=False))
        if running.count():
            summary, messages = next(running).result()
            forward(messages)
            done[summary.shard] = summary
        while next_shard in done:  # recorded in shard order: manifest.csv in clip order
            writer.write_shard(done.pop(next_shard))
            next_shard += 1
            if progress is not None:
                progress(writer.next_source, len(plan))
    summary = writer.finish()
    summary["rewritten"] = len(redo)
    return summary
