"""GraphiQL served from this process: no CDN at run time, so it works offline and behind a strict firewall.

The page is Strawberry's own ``graphiql.html`` with its seven asset URLs pointed at ``/graphiql/assets/``.
The assets are vendored from the npm registry at build time (``make install`` runs ``python -m
server.graphiql``: ``npm pack`` of the exact versions the page names, each file checked against the
page's own ``integrity`` hash, which the browser checks again). Nothing is fetched while serving; with the
assets missing the page still loads and says how to fetch them. ``GRAPHIQL=0`` switches it all off.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import strawberry

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql/assets"
CDN = re.compile(r'https://unpkg\.com/(?P<package>(?:@[^/]+/)?[^@/]+)@(?P<version>[^/]+)/(?P<path>[^"]+)')
INTEGRITY = re.compile(r'(?:src|href)="(?P<url>https://unpkg\.com/[^"]+)"\s+integrity="(?P<hash>sha384-[^"]+)"')


def strawberry_page() -> str:
    return (Path(strawberry.__file__).parent / "static" / "graphiql.html").read_text(encoding="utf-8")


def asset_name(package: str, path: str) -> str:
    """One flat file name per asset: ``graphiql-plugin-explorer--dist-style.css``."""
    return f"{package.lstrip('@').replace('/', '-')}--{path.replace('/', '-')}"


def assets() -> dict[str, tuple[str, str, str, str]]:
    """Each asset the page loads: its file name → (package, version, path in the package, sha384 integrity)."""
    found = {}
    for match in INTEGRITY.finditer(strawberry_page()):
        url = CDN.fullmatch(match["url"])
        assert url is not None, match["url"]
        found[asset_name(url["package"], url["path"])] = (url["package"], url["version"], url["path"], match["hash"])
    return found


def local_page() -> str:
    """The page, its assets served by this server."""
    page = CDN.sub(lambda m: f"{ASSETS_PATH}/{asset_name(m['package'], m['path'])}", strawberry_page())
    if not all((ASSETS_DIR / name).is_file() for name in assets()):
        notice = ("<p style='font-family:sans-serif'>GraphiQL's assets are not installed: run "
                  "<code>make install</code> (or <code>python -m server.graphiql</code>).</p>")
        page = page.replace('<div id="graphiql" class="graphiql-container">Loading...</div>',
                            f'<div id="graphiql" class="graphiql-container">{notice}</div>')
    return page


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def vendor(destination: Path = ASSETS_DIR) -> list[str]:
    """``npm pack`` each package, keep the files the page names, each checked against its integrity hash."""
    wanted = assets()
    packages = sorted({f"{package}@{version}" for package, version, _, _ in wanted.values()})
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["npm", "pack", "--silent", *packages], cwd=work, check=True, stdout=subprocess.DEVNULL,
                       timeout=300)
        tarballs = {p.name: p for p in Path(work).glob("*.tgz")}
        for name, (package, version, path, integrity) in wanted.items():
            tarball = tarballs[f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"]
            with tarfile.open(tarball) as archive:
                member = archive.extractfile(f"package/{path}")
                assert member is not None
                data = member.read()
            if sha384(data) != integrity:
                raise RuntimeError(f"{package}@{version}/{path} does not match the page's integrity hash")
            (destination / name).write_bytes(data)
    return sorted(wanted)


def main() -> int:
    if shutil.which("npm") is None:
        print("GraphiQL's assets need npm (Debian's npm package) to be fetched; GraphiQL will say so",
              file=sys.stderr)
        return 0
    try:
        names = vendor()
    except (OSError, subprocess.SubprocessError, RuntimeError) as error:  # install goes on; the page says so
        print(f"GraphiQL's assets could not be vendored: {error}", file=sys.stderr)
        return 0
    print(f"GraphiQL assets vendored into {ASSETS_DIR}: {len(names)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
