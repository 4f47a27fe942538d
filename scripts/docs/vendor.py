"""Vendors mermaid.js for the documentation site, so its diagrams render offline.

Material for MkDocs fetches mermaid from unpkg.com unless the page already has it; the
site must work with no network, and no installed package ships it. So `make docs` takes
one pinned release from the npm registry (`npm pack`, the ordinary client), checks the
tarball against the integrity pinned here, and keeps only `dist/mermaid.min.js` (the
self-contained browser build) under build/docs/vendor/, which the hooks copy into the
site. Bumping the version means updating both constants (`npm view mermaid@<v>
dist.integrity`).

    python scripts/docs/vendor.py     # idempotent: does nothing when the file is current
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from reference import ROOT

MERMAID_VERSION = "11.17.2"
MERMAID_INTEGRITY = (
    "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQx"
    "ULMa80/qt5gHO73aCleBBg=="
)
VENDOR_DIR = ROOT / "build" / "docs" / "vendor"
MERMAID_JS = VENDOR_DIR / "mermaid.min.js"
STAMP = VENDOR_DIR / "mermaid.version"


def integrity(data: bytes) -> str:
    """npm's Subresource-Integrity form of a tarball's digest."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def vendor_mermaid() -> Path:
    if MERMAID_JS.exists() and STAMP.exists() and STAMP.read_text().strip() == MERMAID_VERSION:
        return MERMAID_JS
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            ["npm", "pack", f"mermaid@{MERMAID_VERSION}", "--pack-destination", scratch],
            check=True,
            capture_output=True,
        )
        tarball = Path(scratch) / f"mermaid-{MERMAID_VERSION}.tgz"
        found = integrity(tarball.read_bytes())
        if found != MERMAID_INTEGRITY:
            raise SystemExit(f"mermaid {MERMAID_VERSION}: integrity {found}, pinned otherwise")
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/dist/mermaid.min.js")
            if member is None:
                raise SystemExit("mermaid's tarball has no dist/mermaid.min.js")
            MERMAID_JS.write_bytes(member.read())
    STAMP.write_text(MERMAID_VERSION + "\n")
    return MERMAID_JS


if __name__ == "__main__":
    print(
        f"docs: {vendor_mermaid().relative_to(ROOT)} (mermaid {MERMAID_VERSION})", file=sys.stderr
    )
