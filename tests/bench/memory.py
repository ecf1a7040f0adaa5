"""Memory of a process tree: the process's own resident set, the tree's resident sets summed, and
the tree's proportional set size (PSS, from /proc/PID/smaps_rollup: each shared page counted once
across the processes sharing it), with WebKit's web and network processes under the app."""


def _field(path, name):
    try:
        with open(path) as f:
            return next((int(l.split()[1]) for l in f if l.startswith(name)), 0)
    except OSError:
        return 0


def _name(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def tree_memory(pid):
    """{own_rss, rss, pss, each} in kB for `pid` and its descendants; `each` is every process's
    PSS by its name (the app, WebKitWebProcess, WebKitNetworkProcess)."""
    own, rss, pss, each = None, 0, 0, {}
    pending = [pid]
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                pending.extend(int(c) for c in f.read().split())
        except OSError:
            continue
        r = _field(f"/proc/{p}/status", "VmRSS:")
        rss += r
        one = _field(f"/proc/{p}/smaps_rollup", "Pss:")
        pss += one
        name = "app" if own is None else _name(p)
        each[name] = each.get(name, 0) + one
        own = r if own is None else own
    return {"own_rss": own or 0, "rss": rss, "pss": pss, "each": each}
