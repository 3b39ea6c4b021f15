"""The bundled decks ship inside the wheel, so a plain `pip install .` has them."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv to build the wheel")
def test_wheel_contains_the_bundled_decks_and_the_console_script(tmp_path: Path) -> None:
    done = subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("srs-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    shipped = {p.name for p in (ROOT / "decks").glob("*.toml")}
    assert shipped, "the repository has bundled decks"
    assert {f"srs/decks/{name}" for name in shipped} <= names
    assert "srs = srs.cli:main" in scripts
