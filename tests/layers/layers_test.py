#!/usr/bin/env python3
"""Fails on an #include that runs up a layer of libmeshca (common/CMakeLists.txt):

    util <- kube <- mesh <- cli <- checks <- commands/<command> <- composite/<command> <- commands
         <- plugins

A file may include its own layer and the layers below it; a command's folder may not include
another command's folder (a composite command, made of commands, may include any of them, but
not another composite, except the bases COMPOSITE_BASES names: the report shows migrate's plan);
nothing in common/ includes the registry except the plugins above it.
Prints every offending line as FILE:LINE: ... and exits 1, or exits 0 when there is none.
Usage: layers_test.py SOURCE_ROOT | --self-test
"""
import os
import re
import sys
import tempfile

ORDER = ["util", "kube", "mesh", "cli", "checks", "command", "composite", "commands", "plugins"]
# A composite may include these other composites (and no others); the relation has no cycle.
COMPOSITE_BASES = {"report": {"migrate"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"meshca/([^"]+)"')


def layer_of(path):
    """('command', NAME) for a command's folder, (LAYER, None) otherwise; None for other files."""
    parts = path.split("/")
    if parts[0] == "plugins":
        return ("plugins", None)
    if parts[0] != "meshca" or len(parts) < 3:
        return None
    if parts[1] == "commands":
        return ("command", parts[2]) if len(parts) > 3 else ("commands", None)
    if parts[1] == "composite":
        return ("composite", parts[2]) if len(parts) > 3 else None
    return (parts[1], None) if parts[1] in ORDER else None


def violations(root):
    found = []
    sources = [("common", os.path.join(root, "common")), ("", os.path.join(root, "plugins"))]
    for prefix, top in sources:
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.join(root, prefix) if prefix else root)
                here = layer_of(rel)
                if here is None:
                    continue
                with open(path, encoding="utf-8") as source:
                    for number, line in enumerate(source, 1):
                        match = INCLUDE.match(line)
                        if not match or match.group(1) == "version.h":
                            continue
                        there = layer_of("meshca/" + match.group(1))
                        if there is None:
                            continue
                        if ORDER.index(there[0]) > ORDER.index(here[0]):
                            found.append("%s:%d: layer %s includes %s, of layer %s above it"
                                         % (rel, number, here[0], match.group(1), there[0]))
                        elif there[0] == here[0] and there[0] in ("command", "composite") \
                                and there[1] != here[1] \
                                and there[1] not in COMPOSITE_BASES.get(here[1], set()):
                            found.append("%s:%d: command %s includes command %s's %s"
                                         % (rel, number, here[1], there[1], match.group(1)))
    return found


def self_test():
    """The check finds what it must (and only that) in a small tree written for the purpose."""
    files = {
        "common/meshca/util/a.h": '#include "meshca/util/b.h"\n',
        "common/meshca/kube/k.cpp": '#include "meshca/util/a.h"\n#include "meshca/cli/c.h"\n',
        "common/meshca/mesh/m.h": '#include "meshca/kube/k.h"\n#include "meshca/checks/g.h"\n',
        "common/meshca/commands/one/one.cpp": '#include "meshca/checks/g.h"\n'
                                              '#include "meshca/commands/one/x.h"\n'
                                              '#include "meshca/commands/two/two.h"\n',
        "common/meshca/commands/registry.cpp": '#include "meshca/commands/one/one_cli.h"\n',
        "common/meshca/checks/g.cpp": '#include "meshca/commands/registry.h"\n',
        "plugins/one/main.cpp": '#include "meshca/commands/one/one_plugin.h"\n',
        "common/meshca/composite/big/big.cpp": '#include "meshca/commands/one/one.h"\n'
                                               '#include "meshca/composite/small/s.h"\n',
        "common/meshca/commands/two/two.cpp": '#include "meshca/composite/big/big.h"\n',
        "common/meshca/composite/report/r.cpp": '#include "meshca/composite/migrate/m.h"\n',
        "common/meshca/composite/migrate/m.cpp": '#include "meshca/composite/report/r.h"\n',
    }
    with tempfile.TemporaryDirectory() as root:
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
            with open(os.path.join(root, path), "w", encoding="utf-8") as out:
                out.write(text)
        found = violations(root)
    expected = [("meshca/kube/k.cpp:2:", "cli/c.h"), ("meshca/mesh/m.h:2:", "checks/g.h"),
                ("meshca/commands/one/one.cpp:3:", "commands/two/two.h"),
                ("meshca/checks/g.cpp:1:", "commands/registry.h"),
                ("meshca/composite/big/big.cpp:2:", "composite/small/s.h"),
                ("meshca/commands/two/two.cpp:1:", "composite/big/big.h"),
                ("meshca/composite/migrate/m.cpp:1:", "composite/report/r.h")]
    missing = [e for e in expected if not any(f.startswith(e[0]) and e[1] in f for f in found)]
    if missing or len(found) != len(expected):
        print("self-test failed: expected %s, found %s" % (expected, found))
        return 1
    print("self-test: the %d planted upward includes are found, and nothing else" % len(found))
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        sys.exit("usage: layers_test.py SOURCE_ROOT | --self-test")
    found = violations(sys.argv[1])
    for line in found:
        print(line)
    if found:
        print("%d include(s) run up a layer; move what both need down a layer" % len(found))
        return 1
    print("no include runs up a layer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
