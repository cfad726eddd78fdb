#!/usr/bin/env python3
"""Checks one release archive (packaging/release/build_release.cmake) needs nothing from the host
but the kernel and glibc >= 2.34:

1. every executable is an ELF for --arch whose NEEDED entries are only libc.so.6, libm.so.6 and
   the loader, with no RPATH/RUNPATH and no glibc symbol version newer than GLIBC_2.34; ldd (for
   arm64: the arm64 loader's --list under qemu) lists nothing else;
2. the archive is extracted into an otherwise empty root, plus only glibc's libc.so.6, libm.so.6
   and loader (the host's for amd64, Debian's libc6:arm64 cross files for arm64) and the sample
   files; in that root (chroot, no /proc, no /etc) run: kubectl-meshca --version and --help,
   every command's --help (directly and through the dispatcher), a completion, a bad flag (C++
   exception unwinding), and check-root --config-dump on a sample dump with --meshca-bundle
   (its report lines asserted).
   arm64 runs under qemu-aarch64-static copied into the root, since binfmt_misc may be absent
   (it is in the build containers): `chroot ROOT /qemu-aarch64-static /kubectl-meshca ...`; the
   dispatcher's own spawning of a sibling needs binfmt_misc, so arm64 runs each command directly.

Every run's command, exit status and output are printed. Exit 0 when every check holds."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

MAX_GLIBC = (2, 34)

PLATFORMS = {
    "amd64": {"machine": "Advanced Micro Devices X86-64", "interp": "/lib64/ld-linux-x86-64.so.2",
              "libdir": "/lib/x86_64-linux-gnu", "host_libdir": "/lib/x86_64-linux-gnu",
              "host_interp": "/lib64/ld-linux-x86-64.so.2"},
    "arm64": {"machine": "AArch64", "interp": "/lib/ld-linux-aarch64.so.1",
              "libdir": "/lib/aarch64-linux-gnu", "host_libdir": "/usr/aarch64-linux-gnu/lib",
              "host_interp": "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1"},
}
GLIBC_LIBS = ["libc.so.6", "libm.so.6"]


class Checks:
    def __init__(self):
        self.failures = []

    def expect(self, condition, message):
        print(("ok: " if condition else "FAILED: ") + message, flush=True)
        if not condition:
            self.failures.append(message)
        return condition


def output(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def glibc_versions(readelf_v):
    """(major, minor) of every GLIBC_x.y a binary requires (readelf -V's version needs)."""
    needs = readelf_v.split("Version needs section", 1)[-1] if "Version needs section" in readelf_v else ""
    return sorted({tuple(int(p) for p in v.split(".")[:2])
                   for v in re.findall(r"Name: GLIBC_([0-9.]+)", needs)})


def check_elf(checks, path, platform, readelf):
    name = os.path.basename(path)
    header = output([readelf, "-h", "-W", path])
    checks.expect(platform["machine"] in header, "%s is an ELF for %s" % (name, platform["machine"]))
    dynamic = output([readelf, "-d", "-W", path])
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    allowed = set(GLIBC_LIBS) | {os.path.basename(platform["interp"])}
    checks.expect(needed and set(needed) <= allowed,
                  "%s NEEDED only glibc: %s" % (name, " ".join(needed)))
    checks.expect("RPATH" not in dynamic and "RUNPATH" not in dynamic, "%s has no RPATH/RUNPATH" % name)
    program = output([readelf, "-l", "-W", path])
    interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", program)
    checks.expect(interp and interp.group(1) == platform["interp"],
                  "%s asks for the loader %s" % (name, platform["interp"]))
    versions = glibc_versions(output([readelf, "-V", "-W", path]))
    newest = versions[-1] if versions else (0, 0)
    checks.expect(newest <= MAX_GLIBC, "%s needs at most GLIBC_%d.%d (newest: GLIBC_%d.%d)"
                  % ((name,) + MAX_GLIBC + newest))
    return needed, newest


def ldd(path, arch, qemu):
    if arch == "amd64":
        argv = ["ldd", path]
    else:  # what ldd does: the loader lists what it would load
        argv = [qemu, "-L", "/usr/aarch64-linux-gnu", PLATFORMS[arch]["host_interp"], "--list", path]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def build_root(root, archive, platform, samples, qemu):
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            if not member.isfile() or "/" in member.name:
                raise SystemExit("release_chroot.py: %s holds %s, not a flat regular file"
                                 % (archive, member.name))
        tar.extractall(root)
    libdir = root + platform["libdir"]
    os.makedirs(libdir)
    for lib in GLIBC_LIBS:
        shutil.copy(os.path.join(platform["host_libdir"], lib), os.path.join(libdir, lib))
    os.makedirs(os.path.dirname(root + platform["interp"]), exist_ok=True)
    shutil.copy(platform["host_interp"], root + platform["interp"])
    os.makedirs(os.path.join(root, "samples"))
    for sample in samples:
        shutil.copy(sample, os.path.join(root, "samples", os.path.basename(sample)))
    if qemu:
        shutil.copy(qemu, os.path.join(root, "qemu-aarch64-static"))


def in_root(root, arch, argv):
    # The tools by absolute path: the runs' PATH is the root's.
    chroot = shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin")
    prefix = [chroot, root] if os.geteuid() == 0 else [shutil.which("unshare"), "--map-root-user", chroot, root]
    if arch == "arm64":
        prefix = prefix + ["/qemu-aarch64-static"]
    env = {"PATH": "/", "HOME": "/", "LC_ALL": "C"}
    result = subprocess.run(prefix + argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    print("$ %s  # in %s\n  exit %d" % (" ".join(argv), arch, result.returncode))
    for line in (result.stdout + result.stderr).rstrip("\n").splitlines():
        print("  | " + line)
    return result.returncode, result.stdout, result.stderr


def command_name(executable):
    return executable[len("kubectl-meshca-"):].replace("_", "-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", required=True)
    parser.add_argument("--arch", required=True, choices=sorted(PLATFORMS))
    parser.add_argument("--version", required=True)
    parser.add_argument("--dump", required=True, help="an Envoy config dump (sample)")
    parser.add_argument("--bundle", required=True, help="a Mesh CA bundle file (sample)")
    parser.add_argument("--readelf", default="readelf")
    parser.add_argument("--qemu", default="/usr/bin/qemu-aarch64-static")
    args = parser.parse_args()
    platform = PLATFORMS[args.arch]
    checks = Checks()
    qemu = args.qemu if args.arch == "arm64" else None
    if qemu and not os.path.exists(qemu):
        sys.exit("release_chroot.py: %s is missing (scripts/setup-deps --release installs qemu-user-static)" % qemu)

    with tempfile.TemporaryDirectory(prefix="meshca-chroot-") as scratch:
        root = os.path.join(scratch, "root")
        os.makedirs(root)
        build_root(root, args.archive, platform, [args.dump, args.bundle], qemu)
        executables = sorted(n for n in os.listdir(root) if n.startswith("kubectl"))
        checks.expect("kubectl-meshca" in executables, "the archive holds kubectl-meshca")

        print("== %s: executables (size, NEEDED, newest glibc symbol version)" % args.arch)
        for name in executables:
            path = os.path.join(root, name)
            needed, newest = check_elf(checks, path, platform, args.readelf)
            print("   %-42s %9d bytes  NEEDED %s  GLIBC_%d.%d"
                  % (name, os.path.getsize(path), ",".join(needed), newest[0], newest[1]))
            rc, listing = ldd(path, args.arch, qemu)
            # qemu's vdso has no name: its line is only "(0x...)".
            libs = [l for l in re.findall(r"^\s*(\S+)", listing, re.M) if not l.startswith("(")]
            allowed = set(GLIBC_LIBS) | {"linux-vdso.so.1", os.path.basename(platform["interp"]),
                                         platform["interp"]}
            checks.expect(rc == 0 and set(libs) <= allowed,
                          "ldd %s lists only glibc: %s" % (name, " ".join(libs)))

        print("== %s: the root holds only the archive, glibc and the samples" % args.arch)
        for dirpath, _, files in sorted(os.walk(root)):
            for f in sorted(files):
                print("   " + os.path.relpath(os.path.join(dirpath, f), root))

        dump = "/samples/" + os.path.basename(args.dump)
        bundle = "/samples/" + os.path.basename(args.bundle)
        rc, out, err = in_root(root, args.arch, ["/kubectl-meshca", "--version"])
        checks.expect(rc == 0 and out.startswith("kubectl meshca version " + args.version),
                      "kubectl-meshca --version")
        rc, out, err = in_root(root, args.arch, ["/kubectl-meshca", "--help"])
        checks.expect(rc == 0 and "check-root" in out, "kubectl-meshca --help lists the commands")
        commands = [n for n in executables if n.startswith("kubectl-meshca-")]
        checks.expect(len(commands) >= 6, "one executable per command (%d)" % len(commands))
        for name in commands:
            rc, out, err = in_root(root, args.arch, ["/" + name, "--help"])
            checks.expect(rc == 0 and "Usage" in out, "%s --help" % name)
            if args.arch == "amd64":  # the dispatcher spawns the sibling (arm64: no binfmt_misc)
                rc, out, err = in_root(root, args.arch, ["/kubectl-meshca", command_name(name), "--help"])
                checks.expect(rc == 0 and "Usage" in out, "kubectl-meshca %s --help" % command_name(name))
        rc, out, err = in_root(root, args.arch, ["/kubectl-meshca-check_root", "--no-such-flag"])
        checks.expect(rc == 2 and "--no-such-flag" in err,
                      "a bad flag is bad usage (exit 2; a C++ exception unwound and caught)")
        rc, out, err = in_root(root, args.arch, ["/kubectl_complete-meshca-check_root", "--config-d"])
        checks.expect(rc == 0 and "--config-dump" in out, "completion offers --config-dump")
        argv = ["/kubectl-meshca-check_root", "--config-dump", dump, "--meshca-bundle", bundle]
        if args.arch == "amd64":
            argv = ["/kubectl-meshca", "check-root", "--config-dump", dump, "--meshca-bundle", bundle]
        rc, out, err = in_root(root, args.arch, argv)
        # The sample's sidecar trusts Istio's own root only; the bundle file holds one Mesh CA root.
        checks.expect(rc == 0, "check-root --config-dump exits 0 (got %d)" % rc)
        for line in ["Namespace: file", dump + ".file trusts [CITADEL]", "1 pod trusts [CITADEL]",
                     "1 checked, 0 could not be read",
                     'Mesh CA roots: 1 from file "%s"' % bundle]:
            checks.expect(line in out + err, "check-root --config-dump prints %r" % line)

    if checks.failures:
        print("%d check(s) failed" % len(checks.failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
