"""Host discovery for the embedded PostgreSQL: binaries, server account, locale."""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import stat
import subprocess
from pathlib import Path

SUPERUSER = "postgres"


class PostgresError(RuntimeError):
    """The embedded cluster could not be located, started or stopped."""


def find_pg_bindir() -> Path:
    """Directory holding initdb/pg_ctl: ``pg_config --bindir``, else newest Debian dir."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidate = Path(out.stdout.strip())
        if out.returncode == 0 and (candidate / "pg_ctl").exists():
            return candidate
    dirs = [Path(d) for d in glob.glob("/usr/lib/postgresql/*/bin") if Path(d, "pg_ctl").exists()]
    if dirs:
        return max(dirs, key=lambda d: _version_key(d.parent.name))
    raise PostgresError("no PostgreSQL binaries found; set OCOP_DATABASE_URL to a running server")


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", name)) or (0,)


def server_account() -> pwd.struct_passwd | None:
    """Account to run the server as; None means "ourselves" (we are not root)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresError(
            "running as root but no 'postgres' system user exists; PostgreSQL refuses "
            "to run as root - create that user or set OCOP_DATABASE_URL"
        ) from None


def traversable_by(path: Path, account: pwd.struct_passwd) -> bool:
    """Can ``account`` reach ``path``? Checks the x bit on it and every ancestor.

    Plain mode bits only (no ACLs) - good enough to pick a safe location.
    """
    groups = {account.pw_gid, *os.getgrouplist(account.pw_name, account.pw_gid)}
    for part in [path, *path.parents]:
        st = part.stat()
        if st.st_uid == account.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def utf8_locale() -> str:
    """C.UTF-8 when the C library provides it, else plain C."""
    if not shutil.which("locale"):
        return "C"
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True)
    names = {n.lower().replace("-", "") for n in out.stdout.split()}
    return "C.UTF-8" if "c.utf8" in names else "C"


def run_as_kwargs(account: pwd.struct_passwd | None) -> dict:
    """subprocess kwargs that drop root privileges to ``account`` in the child."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
