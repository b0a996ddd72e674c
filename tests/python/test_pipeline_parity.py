"""One pipeline, four front ends: for every row of a grid of pipelines (presets, rates, dB reference and floor,
every normalization method x scope x axis, pad/segment, float16), the CLI's extract, melnorm.extract and
melnorm.dask.extract write the same OUTDIR byte for byte, and melnorm.Pipeline computes the same bytes on the fly
(built from the OUTDIR, and from the same keywords)."""
import csv
import filecmp
import os
import shutil
import subprocess
import warnings

import numpy as np
import pytest

import melnorm
import melnorm.dask

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
SAMPLES = os.path.join(ROOT, "data", "samples")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))

# Small spectrograms: the grid is about the pipeline's stages, not the sizes.
SMALL = dict(n_fft=256, n_mels=32)
# The registry's methods, by what they declare: a new method joins the grid's rows without an edit here.
LOCAL_METHODS = [m["name"] for m in melnorm.methods()]  # every method has scope local
GLOBAL_METHODS = [m["name"] for m in melnorm.methods() if m["supports_global"]]
FRAME_AXIS_METHODS = [m["name"] for m in melnorm.methods() if m["supports_frame_axis"]]
# The extract-only keywords (everything else is a pipeline option: melnorm.options()).
EXTRACT_ONLY = {o["name"] for o in melnorm.options(extract=True)} - {o["name"] for o in melnorm.options()}


def _row(id, **kw):
    return pytest.param(kw, id=id)


GRID = [
    # presets and rates
    _row("librosa-shared-rate", **SMALL),
    _row("librosa-defaults-sr8000", sr=8000),
    _row("torchaudio-shared-rate", preset="torchaudio", n_mels=32),
    _row("torchaudio-sr16000-zscore", preset="torchaudio", sr=16000, n_mels=32, normalize="zscore"),
    _row("librosa-sr16000", sr=16000, n_fft=512, n_mels=40),
    _row("librosa-sr8000-hop100-hamming", sr=8000, n_fft=256, hop_length=100, n_mels=32, window="hamming"),
    # dB reference and floor
    _row("db-p99.5", db="p99.5", **SMALL),
    _row("db-ref1", db="ref1", **SMALL),
    _row("db-off", db="off", **SMALL),
    _row("db-off-minmax", db="off", normalize="minmax", **SMALL),
    _row("db-floor-relative", db_floor="relative", **SMALL),
    _row("db-p99.5-floor-relative-top30", db="p99.5", db_floor="relative", top_db=30, **SMALL),
    _row("top-db-none", top_db=None, **SMALL),
    # every method, local (axis all)
    *[_row(f"local-{m}", sr=8000, normalize=m, **SMALL) for m in LOCAL_METHODS],
    # every global-capable method x axis all/band (statistics fitted on the train rows)
    *[_row(f"global-{m}-{axis}", sr=8000, normalize=m, scope="global", axis=axis, fit_stats=True, **SMALL)
      for m in GLOBAL_METHODS for axis in ("all", "band")],
    # other axes and parameters
    # every method with a frame axis (the statistics methods) x local x band/frame
    *[_row(f"local-{m}-{axis}", normalize=m, axis=axis, **SMALL) for m in FRAME_AXIS_METHODS
      for axis in ("band", "frame")],
    _row("local-robust-band-params", normalize="robust", axis="band", params={"low": 5, "high": 95}, **SMALL),
    _row("global-zscore-ddof1-fit-all", normalize="zscore", scope="global", params={"ddof": 1},
         fit_stats=True, fit_on="all", **SMALL),
    _row("pcen-params", normalize="pcen", params={"gain": 0.8, "time_constant": 0.06}, **SMALL),
    _row("pcen-torchaudio-sr16000", preset="torchaudio", sr=16000, n_mels=32, normalize="pcen"),
    # fixed-size rows: pad/crop, segments
    _row("pad-to-1s-packed", pad_to=1.0, format="packed", normalize="zscore", **SMALL),
    _row("pad-to-0.4s-npy-crop", pad_to=0.4, normalize="minmax", **SMALL),
    _row("segment-hop-npy", segment=0.25, segment_hop=0.125, normalize="zscore", **SMALL),
    _row("segment-packed-global", segment=0.3, segment_hop=0.1, format="packed", normalize="zscore", scope="global",
         fit_stats=True, **SMALL),
    # float16 output
    _row("float16-packed", dtype="float16", pad_to=1.0, format="packed", normalize="zscore", **SMALL),
    _row("float16-npy", dtype="float16", normalize="minmax", **SMALL),
    _row("float16-segment-global-packed", dtype="float16", segment=0.5, format="packed", sr=16000,
         normalize="robust-zscore", scope="global", axis="band", fit_stats=True, **SMALL),
]


def _flags():
    return {o["name"]: o["flag"] for o in melnorm.options(extract=True)}


FLAGS = _flags()


def cli_args(options):
    """Python keywords -> the CLI's flags (the schema's flag of each option)."""
    args = []
    for name, value in options.items():
        flag = FLAGS[name]
        if value is True:
            args.append(flag)
        elif name == "params":
            for k, v in value.items():
                args += [flag, f"{k}={v}"]
        else:
            args += [flag, "none" if value is None else str(value)]
    return args


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """8 of the bundled clips (2 speakers x 4 digits, lengths differ) copied with a labels CSV whose paths are
    relative to it and whose split column holds 6 train and 2 test rows."""
    root = tmp_path_factory.mktemp("clips")
    with open(os.path.join(SAMPLES, "LABELS.csv"), newline="") as f:
        rows = list(csv.DictReader(f))[:8]
    with open(root / "labels.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "label", "speaker", "split"])
        for i, r in enumerate(rows):
            os.makedirs(root / r["label"], exist_ok=True)
            shutil.copy(os.path.join(SAMPLES, r["path"]), root / r["path"])
            w.writerow([r["path"], r["label"], r["speaker"], "test" if i % 4 == 3 else "train"])
    return root


def files_of(out_dir):
    out = []
    for d, _, names in os.walk(out_dir):
        out += [os.path.relpath(os.path.join(d, n), out_dir) for n in names]
    return sorted(out)


def assert_same_outdir(a, b, what):
    names = files_of(a)
    assert names == files_of(b), what
    for required in ("options.json", "manifest.csv"):
        assert required in names
    for name in names:
        assert filecmp.cmp(os.path.join(a, name), os.path.join(b, name), shallow=False), f"{what}: {name} differs"


def manifest(out_dir):
    with open(os.path.join(out_dir, "manifest.csv"), newline="") as f:
        return list(csv.DictReader(f))


def stored_rows(out_dir, rows):
    """Each ok manifest row's stored features (packed: features.npy[output]; npy: the row's file)."""
    packed = os.path.exists(os.path.join(out_dir, "features.npy"))
    features = np.load(os.path.join(out_dir, "features.npy")) if packed else None
    return [features[int(r["output"])] if packed else np.load(os.path.join(out_dir, r["output"])) for r in rows]


def assert_on_the_fly_equals(pipeline, clips, out_dir, options):
    rows = [r for r in manifest(out_dir) if r["status"] == "ok"]
    assert len(rows) >= 8  # one or more per clip, none failed
    dtype = np.float16 if options.get("dtype") == "float16" else np.float32
    by_source = {}
    for r, stored in zip(rows, stored_rows(out_dir, rows)):
        by_source.setdefault(r["source"], []).append((r, stored))
    assert len(by_source) == 8
    for source, items in by_source.items():
        y = pipeline.load(clips / source)
        assert y.dtype == dtype
        if "segment" in options:
            assert y.ndim == 3 and y.shape[0] == len(items), source
            hop = options.get("segment_hop", options["segment"])
            for k, (r, stored) in enumerate(items):
                assert r["offset"] == f"{k * hop:.3f}", source
                assert stored.dtype == dtype and stored.shape == y[k].shape, source
                assert stored.tobytes() == y[k].tobytes(), f"{source} segment {k}"
        else:
            (r, stored), = items
            assert y.ndim == 2 and int(r["n_frames"]) == y.shape[1]
            assert stored.dtype == dtype and stored.shape == y.shape, source
            assert stored.tobytes() == y.tobytes(), source


def cli_warnings(stderr):
    lines = stderr.splitlines()
    assert all(line.startswith("melnorm: warning: ") for line in lines), stderr
    return {line[len("melnorm: warning: "):] for line in lines}


@pytest.mark.parametrize("options", GRID)
def test_every_front_end_gives_the_same_bytes(options, clips, client, tmp_path):
    options = dict(options)
    extract_options = dict(options, labels=str(clips / "labels.csv"))

    # The CLI's OUTDIR.
    cli_out = tmp_path / "cli"
    r = subprocess.run([CLI, "extract", str(clips), "-o", str(cli_out), "--quiet", *cli_args(extract_options)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (cli_out / "stats.json").exists() == bool(options.get("fit_stats"))

    # melnorm.extract: the same bytes, and the CLI's warnings as Python warnings.
    py_out = tmp_path / "py"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = melnorm.extract(str(clips), py_out, **extract_options, jobs=2)
    assert summary["sources"] == 8 and summary["failed"] == 0
    assert_same_outdir(cli_out, py_out, "melnorm.extract vs the CLI")
    assert {str(w.message) for w in caught} == cli_warnings(r.stderr)

    # melnorm.dask.extract on two worker processes: the same bytes.
    dask_out = tmp_path / "dask"
    summary = melnorm.dask.extract(str(clips), dask_out, client, chunk_size=3, **extract_options)
    assert summary["sources"] == 8 and summary["failed"] == 0
    assert_same_outdir(cli_out, dask_out, "melnorm.dask.extract vs the CLI")

    # On the fly: the pipeline the OUTDIR records (and its stats.json) gives every row's bytes.
    from_outdir = melnorm.Pipeline.from_outdir(cli_out)
    assert_on_the_fly_equals(from_outdir, clips, cli_out, options)

    # The same keywords (and the same stats.json) make the same pipeline. (Without sr and with statistics, see
    # test_keywords_without_sr_take_statistics_of_the_shared_rate.)
    if "sr" not in options and options.get("fit_stats"):
        return
    pipeline_options = {k: v for k, v in options.items() if k not in EXTRACT_ONLY}
    stats = cli_out / "stats.json" if options.get("fit_stats") else None
    p = melnorm.Pipeline(**pipeline_options, stats=stats)
    assert_on_the_fly_equals(p, clips, cli_out, options)
    if "sr" in options:  # a fixed rate: the very same resolved pipeline (unset: the OUTDIR records the shared rate)
        assert p.fingerprint == from_outdir.fingerprint and p.options == from_outdir.options
    else:
        assert p.options["sr"] == "shared" and from_outdir.options["sr"] == "8000"


def test_keywords_without_sr_take_statistics_of_the_shared_rate(clips, tmp_path):
    """extract without sr finds the clips' shared rate (8000) and fits stats.json there; a Pipeline made with the
    same keywords and that stats.json computes those clips (at their rate, 8000) as extract did."""
    options = dict(normalize="zscore", scope="global", **SMALL)
    out = tmp_path / "out"
    melnorm.extract(str(clips), out, labels=str(clips / "labels.csv"), fit_stats=True, **options)
    p = melnorm.Pipeline(**options, stats=out / "stats.json")  # refused today: "fmax: stats 4000 vs features none"
    assert_on_the_fly_equals(p, clips, out, options)


def test_the_grid_covers_the_brief():
    rows = [p.values[0] for p in GRID]
    assert len(rows) >= 30
    assert {r.get("preset", "librosa") for r in rows} == {"librosa", "torchaudio"}
    assert {r.get("sr") for r in rows} >= {None, 8000, 16000}
    assert {r.get("db", "max") for r in rows} == {"max", "p99.5", "ref1", "off"}
    assert any(r.get("db_floor") == "relative" for r in rows)
    assert any("top_db" in r and r["top_db"] is None for r in rows)
    local = {r["normalize"] for r in rows if r.get("normalize") and r.get("scope", "local") == "local"}
    assert local == {m["name"] for m in melnorm.methods()}
    global_ = {(r["normalize"], r.get("axis", "all")) for r in rows if r.get("scope") == "global"}
    assert global_ >= {(m["name"], a) for m in melnorm.methods() if m["supports_global"] for a in ("all", "band")}
    assert all(r.get("fit_stats") for r in rows if r.get("scope") == "global")
    assert any(r.get("axis") == "frame" for r in rows)
    assert any("pad_to" in r for r in rows) and any("segment_hop" in r for r in rows)
    assert {r.get("format", "npy") for r in rows if r.get("dtype") == "float16"} == {"npy", "packed"}
