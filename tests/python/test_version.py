"""The version has one source, the file VERSION, and every place that states it agrees (issue 28, part 10):
CMake's project() and the compiled library, `melnorm --version` and `melnorm-experiment --version`, Python's
melnorm.__version__, the package metadata (setup.py, pyproject's dynamic version), pipeline.json and
model.json's writer version, and CHANGELOG.md's top released entry."""
import json
import os
import re
import subprocess
import sys

import pytest

import melnorm

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(ROOT, "data", "samples")
CLI = os.environ.get("MELNORM_BIN", os.path.join(ROOT, "build", "bin", "melnorm"))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


VERSION = read("VERSION").strip()


def test_version_file_is_major_minor_patch():
    assert re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", VERSION), VERSION


def test_cmake_reads_the_version_file_and_states_no_number_of_its_own():
    cmake = read("CMakeLists.txt")
    assert 'file(READ "${CMAKE_CURRENT_SOURCE_DIR}/VERSION"' in cmake
    project = re.search(r"project\(melnorm VERSION (\S+)", cmake).group(1)
    assert project == "${MELNORM_VERSION_FILE}", project


def test_python_version_is_the_compiled_library_version():
    assert melnorm.__version__ == VERSION


def test_package_metadata_reads_the_version_file():
    pyproject = read("pyproject.toml")
    assert re.search(r'^dynamic = \[[^\]]*"version"', pyproject, re.M), "pyproject.toml: version is not dynamic"
    assert not re.search(r"^version\s*=", pyproject, re.M), "pyproject.toml states a version of its own"
    r = subprocess.run([sys.executable, "setup.py", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == VERSION, r.stdout


def test_pipeline_record_names_the_version():
    record = json.loads(melnorm.Pipeline(sr=16000).to_json())
    assert record["melnorm_version"] == VERSION


@pytest.mark.parametrize("program", ["melnorm", "melnorm-experiment"])
def test_cli_version(program):
    path = os.path.join(os.path.dirname(CLI), program)
    if not os.path.exists(path):
        pytest.skip(f"{path} not built")
    r = subprocess.run([path, "--version"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"melnorm {VERSION}"


def test_model_json_names_the_version(tmp_path):
    if not os.path.exists(os.path.join(os.path.dirname(CLI), "melnorm-experiment")):
        pytest.skip("melnorm-experiment not built")
    model = tmp_path / "model"
    r = subprocess.run([CLI, "train", "--data", SAMPLES, "--labels", os.path.join(SAMPLES, "LABELS.csv"),
                        "--holdout-column", "speaker", "--holdout", "theo", "--n-fft", "256", "--hop", "128",
                        "--n-mels", "16", "--pad-to", "1", "--epochs", "1", "--blocks", "1", "--channels", "2",
                        "--max-channels", "2", "--val-fraction", "0", "--threads", "1", "-q",
                        "-o", str(tmp_path / "results"), "--save-model", str(model)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with open(model / "model.json") as f:
        assert json.load(f)["melnorm_version"] == VERSION


def test_changelog_top_release_is_the_version():
    changelog = read("CHANGELOG.md")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", changelog, re.M)
    assert headings and headings[0][0] == "Unreleased", "CHANGELOG.md: no [Unreleased] heading on top"
    released = [(v, rest) for v, rest in headings if v != "Unreleased"]
    assert released, "CHANGELOG.md: no released version"
    top, rest = released[0]
    assert top == VERSION, f"CHANGELOG.md's top release is {top}, VERSION says {VERSION}"
    assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", rest), rest
    # Newest first, each version once.
    versions = [tuple(int(x) for x in v.split(".")) for v, _ in released]
    assert versions == sorted(set(versions), reverse=True), versions
