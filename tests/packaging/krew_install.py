#!/usr/bin/env python3
"""Installs the release archive into a temporary krew root the way `kubectl krew install
--manifest=M --archive=A` does (krew_emulation.py), then uses it through the real kubectl with
PATH=<root>/bin:/usr/bin, so only krew's one link reaches our executables.

  --check install     kubectl meshca check-root --help, kubectl meshca --version, kubectl plugin list
  --check completion  the manifest's caveats step links kubectl_complete-meshca*; then
                      `kubectl __complete meshca ""` offers check-root; the removal step unlinks them

Exit status 0 when every check holds, 1 otherwise (each failure on stderr)."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("krew_install.py: PyYAML is missing; run scripts/setup-deps (Debian package python3-yaml)")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krew_emulation  # noqa: E402


class Checks:
    def __init__(self):
        self.failures = []

    def expect(self, condition, message):
        print(("ok: " if condition else "FAILED: ") + message, file=sys.stderr if not condition else sys.stdout)
        if not condition:
            self.failures.append(message)
        return condition


def run(argv, env, timeout=60):
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    return result.returncode, result.stdout, result.stderr


def user_env(root, scratch):
    """A user with krew's bin first and nothing else of ours on PATH, and no cluster."""
    return {"PATH": os.path.join(root, "bin") + ":/usr/bin", "HOME": os.path.join(scratch, "home"),
            "KUBECONFIG": os.path.join(scratch, "no-cluster", "config"), "LC_ALL": "C.UTF-8",
            "XDG_CACHE_HOME": os.path.join(scratch, "cache"), "NO_COLOR": "1"}


def caveat_step(manifest, command):
    """The caveats' line that starts with `command` (the text a user copies)."""
    for line in manifest["spec"].get("caveats", "").splitlines():
        if line.strip().startswith(command + " "):
            return line.strip()
    return None


def check_install(checks, manifest, kubectl, root, store, env):
    version = manifest["spec"]["version"]
    checks.expect(sorted(os.listdir(os.path.join(root, "bin"))) == ["kubectl-meshca"],
                  "krew's bin holds only the kubectl-meshca link")
    checks.expect(shutil.which("kubectl-meshca-check_root", path=env["PATH"]) is None,
                  "no command executable is on PATH (the dispatcher must find it in the store)")
    checks.expect(os.path.realpath(shutil.which("kubectl-meshca", path=env["PATH"]) or "")
                  == os.path.join(os.path.realpath(store), "kubectl-meshca"),
                  "kubectl-meshca on PATH resolves into the store")
    rc, out, err = run([kubectl, "meshca", "check-root", "--help"], env)
    checks.expect(rc == 0 and "Usage" in out,
                  "kubectl meshca check-root --help exits 0 with Usage (rc %d, stderr %r)" % (rc, err[-300:]))
    rc, out, err = run([kubectl, "meshca", "--version"], env)
    checks.expect(rc == 0 and ("version " + version.lstrip("v")) in out,
                  "kubectl meshca --version reports %s (rc %d, got %r)" % (version, rc, out.strip()))
    rc, out, err = run([kubectl, "plugin", "list"], env)
    link = os.path.join(root, "bin", "kubectl-meshca")
    checks.expect(link in out.splitlines(), "kubectl plugin list shows %s (got %r %r)" % (link, out, err[-300:]))


def completion_candidates(kubectl, env):
    rc, out, err = run([kubectl, "__complete", "meshca", ""], env)
    lines = [line for line in out.splitlines() if line and not line.startswith(":")]
    return rc, [line.split("\t")[0] for line in lines], err


def check_completion(checks, manifest, kubectl, root, store, env):
    if not checks.expect(any(n.startswith("kubectl_complete-meshca") for n in os.listdir(store)),
                         "the archive holds kubectl_complete-meshca* executables"):
        return
    link_step, remove_step = caveat_step(manifest, "ln"), caveat_step(manifest, "rm")
    if not checks.expect(link_step and remove_step, "the caveats give the link and the removal steps"):
        return
    _, before, _ = completion_candidates(kubectl, env)
    checks.expect("check-root" not in before, "without the step, kubectl completes no meshca command")
    # The step is shell text the user pastes, so a shell runs it, exactly as documented.
    rc, _, err = run(["/bin/sh", "-c", link_step], env)
    bin_dir = os.path.join(root, "bin")
    linked = sorted(n for n in os.listdir(bin_dir) if n.startswith("kubectl_complete-meshca"))
    checks.expect(rc == 0 and "kubectl_complete-meshca" in linked,
                  "the caveats' step links kubectl_complete-meshca* into krew's bin (rc %d, %r, %s)" % (rc, err, linked))
    rc, candidates, err = completion_candidates(kubectl, env)
    checks.expect(rc == 0 and "check-root" in candidates,
                  "kubectl __complete meshca \"\" offers check-root (rc %d, got %s, stderr %r)" % (rc, candidates, err[-300:]))
    rc, _, err = run(["/bin/sh", "-c", remove_step], env)
    left = sorted(os.listdir(bin_dir))
    checks.expect(rc == 0 and left == ["kubectl-meshca"], "the removal step leaves only krew's link (%s)" % left)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--archive", required=True)
    parser.add_argument("--kubectl", required=True)
    parser.add_argument("--check", choices=["install", "completion"], required=True)
    args = parser.parse_args()
    with open(args.manifest, encoding="utf-8") as f:
        manifest = yaml.safe_load(f)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="meshca-krew-") as scratch:
        root = os.path.join(scratch, "krew")
        try:
            store, _ = krew_emulation.install(manifest, args.archive, root)
        except krew_emulation.KrewError as e:
            print("FAILED: krew would refuse the install: %s" % e, file=sys.stderr)
            return 1
        os.makedirs(os.path.join(scratch, "home"))
        env = user_env(root, scratch)
        if args.check == "install":
            check_install(checks, manifest, args.kubectl, root, store, env)
        else:
            check_completion(checks, manifest, args.kubectl, root, store, env)
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
