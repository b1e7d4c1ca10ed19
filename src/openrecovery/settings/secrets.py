"""Generate and keep local secrets for development in the (git-ignored) data folder."""

import secrets
from pathlib import Path


def local_secret(path: Path) -> str:
    """Return the secret stored at ``path``, creating it on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
