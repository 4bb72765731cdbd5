"""The committed build of the web app (server/static/app, what /app serves without Node.js) is the build of
the sources in web/: a change to web/src that was not rebuilt fails here, where Node.js and web's packages are
installed (``make install`` installs them when ``npm`` is on PATH)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
BUILT = ROOT / "server" / "static" / "app"


def digests(directory: Path) -> dict[str, str]:
    return {str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(directory.rglob("*")) if path.is_file()}


@pytest.mark.skipif(shutil.which("npx") is None or not (WEB / "node_modules" / ".bin" / "vite").exists(),
                    reason="Node.js or web/node_modules missing: `make install` with npm on PATH installs them")
def test_committed_build_is_the_build_of_the_sources(tmp_path: Path) -> None:
    # given the committed build
    committed = digests(BUILT)
    assert "index.html" in committed
    # when the sources are built again into a scratch directory
    out = tmp_path / "app"
    subprocess.run(["npx", "--no-install", "vite", "build", "--outDir", str(out), "--emptyOutDir", "--logLevel", "error"],
                   cwd=WEB, check=True, capture_output=True, timeout=120)
    # then every file is the same, byte for byte (rebuild with `make web` and commit server/static/app)
    assert digests(out) == committed
