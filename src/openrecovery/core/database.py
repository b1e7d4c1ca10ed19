"""Keep SQLite database files readable by their owner only, like the key files.

SQLite creates a database with the process's umask, usually 0644: any local account
could read substance-use records. The first connection of a process to a database file
makes it (and its ``-wal`` and ``-shm`` files, if there) 0600; SQLite creates those two
with the database file's own permissions from then on.
"""

import os
import stat
from pathlib import Path
from typing import Any

from django.db.backends.signals import connection_created

PRIVATE = 0o600
_checked: set[str] = set()


def files_private(database: Path) -> list[Path]:
    """Make ``database`` and its WAL files owner-only; return the files changed."""
    changed = []
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode != PRIVATE:
            os.chmod(path, PRIVATE)
            changed.append(path)
    return changed


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or name in _checked:
        return
    _checked.add(name)
    files_private(Path(name))


def connect_signal() -> None:
    """Watch new database connections (called once from the app's ``ready``)."""
    connection_created.connect(_on_connection, dispatch_uid="openrecovery.core.database")
