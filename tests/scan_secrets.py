#!/usr/bin/env python3
"""Fails when any token or secret value appears in the test run's logs or IPC captures.

    tests/scan_secrets.py ISSUED_TOKENS_FILE FILE_OR_DIR...

ISSUED_TOKENS_FILE lists every token the OAuth test peer issued during the run (one per line),
plus the fixed client secrets the tests use. Every file given (and every file under a folder
given) is searched for each of them, as text.
"""
import pathlib
import sys

FIXED_SECRETS = ["zoom-secret", "s2s-secret", "from-stdin-secret", "very-secret-value"]


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    issued = pathlib.Path(sys.argv[1])
    tokens = [t for t in issued.read_text().splitlines() if len(t) >= 16] if issued.exists() else []
    needles = sorted(set(tokens + FIXED_SECRETS))
    files = []
    for arg in sys.argv[2:]:
        path = pathlib.Path(arg)
        files += [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path] if path.exists() else []
    leaks = []
    scanned = 0
    for f in files:
        if f.suffix in {".png", ".db", ".db-wal"}:
            continue
        text = f.read_bytes().decode("utf-8", "replace")
        scanned += len(text)
        for needle in needles:
            if needle in text:
                leaks.append(f"{f}: contains a {'token' if needle in tokens else 'secret'} ({needle[:4]}…)")
    for leak in leaks:
        print(f"LEAK {leak}")
    print(f"secret scan: {len(tokens)} issued tokens and {len(FIXED_SECRETS)} secrets searched for in "
          f"{len(files)} files ({scanned} characters): {len(leaks)} found")
    return 1 if leaks or not tokens else 0


if __name__ == "__main__":
    sys.exit(main())
