#!/usr/bin/env python3
"""The manifest generator (packaging/krew/write_manifest.cmake) decides each platform's sha256
explicitly: from the archive present, else from a given -DSHA256_<os>_<arch>, else (only when
allowed) as an unbuilt placeholder; anything else is refused before a file is written. The packer
(pack_archive.cmake) gives the same bytes when run again on the same build.

  generator_test.py --cmake C --source REPO --bin BUILD/bin --archive A --version V --os O --arch R
                    [--strip S]"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krew_emulation  # noqa: E402

BASE_URL = "https://example.com/releases/v1"


class Generator:
    def __init__(self, args, scratch):
        self.args, self.scratch = args, scratch
        self.failures = []

    def run(self, dist, manifest, platforms, extra=()):
        argv = [self.args.cmake, "-DTEMPLATE_DIR=" + os.path.join(self.args.source, "packaging", "krew"),
                "-DDIST_DIR=" + dist, "-DMANIFEST=" + manifest, "-DVERSION=" + self.args.version,
                "-DBASE_URL=" + BASE_URL, "-DPLATFORMS=" + platforms, *extra,
                "-P", os.path.join(self.args.source, "packaging", "krew", "write_manifest.cmake")]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        return result.returncode, result.stdout + result.stderr

    def expect_refusal(self, what, dist, platforms, extra, phrase):
        manifest = os.path.join(self.scratch, "refused", "meshca.yaml")
        rc, output = self.run(dist, manifest, platforms, extra)
        flat = " ".join(output.split())
        if rc == 0 or phrase not in flat or os.path.exists(manifest):
            self.failures.append("%s: expected a refusal naming %r and no file; rc %d, output %s" % (what, phrase, rc, output))
        else:
            print("ok: refused %s" % what)

    def expect_written(self, what, dist, platforms, extra):
        manifest = os.path.join(self.scratch, what.replace(" ", "-"), "meshca.yaml")
        rc, output = self.run(dist, manifest, platforms, extra)
        if rc != 0:
            self.failures.append("%s: generator failed: %s" % (what, output))
            return None, ""
        with open(manifest, encoding="utf-8") as f:
            text = f.read()
        print("ok: wrote %s" % what)
        return {p["selector"]["matchLabels"]["arch"]: p for p in yaml.safe_load(text)["spec"]["platforms"]}, text

    def expect(self, condition, message):
        if condition:
            print("ok: " + message)
        else:
            self.failures.append(message)


def generator_cases(g, args):
    other = "arm64" if args.arch != "arm64" else "amd64"
    both = "%s/%s,%s/%s" % (args.os, args.arch, args.os, other)
    archive_name = os.path.basename(args.archive)
    empty, dist = os.path.join(g.scratch, "empty"), os.path.join(g.scratch, "dist")
    os.makedirs(empty)
    os.makedirs(dist)
    shutil.copy(args.archive, dist)
    real = krew_emulation.sha256_of(args.archive)
    given = "ab" * 32
    other_key = "-DSHA256_%s_%s=" % (args.os, other)

    g.expect_refusal("no archive and no sha256", empty, both, [], "-DMESHCA_KREW_SHA256_%s_%s" % (args.os, args.arch))
    g.expect_refusal("the other platform unresolved", dist, both, [], "for %s/%s" % (args.os, other))
    g.expect_refusal("a sha256 that is not hex", dist, both, [other_key + "xyz"], "is not hex")
    g.expect_refusal("a sha256 of 63 digits", dist, both, [other_key + "a" * 63], "has 63 hex digits")
    g.expect_refusal("a sha256 contradicting the archive", dist, both,
                     ["-DSHA256_%s_%s=%s" % (args.os, args.arch, given), other_key + given], "disagrees with")
    g.expect_refusal("a base URL that is not https", dist, "%s/%s" % (args.os, args.arch),
                     ["-DBASE_URL=http://example.com"], "must be an https:// URL")

    platforms, text = g.expect_written("given sha256", dist, both, [other_key + given.upper()])
    if platforms:
        g.expect(platforms[args.arch]["sha256"] == real, "the host entry's sha256 is its archive's")
        g.expect(platforms[other]["sha256"] == given, "the other entry's sha256 is the given one, lowercased")
        g.expect(platforms[args.arch]["uri"] == BASE_URL + "/" + archive_name, "uri is the base URL and the archive name")
        g.expect("UNBUILT" not in text, "no entry is marked unbuilt when every sha256 is known")
    platforms, text = g.expect_written("unbuilt allowed", dist, both, ["-DALLOW_UNBUILT=ON"])
    if platforms:
        g.expect(platforms[other]["sha256"] == "0" * 64, "an unbuilt entry carries the 64-zero placeholder")
        g.expect("# UNBUILT %s/%s" % (args.os, other) in text, "an unbuilt entry is preceded by a comment saying so")
        g.expect(platforms[args.arch]["sha256"] == real, "the built entry keeps its archive's sha256")


def pack_is_reproducible(g, args):
    dist = os.path.join(g.scratch, "repack")
    argv = [args.cmake, "-DBIN_DIR=" + args.bin, "-DSOURCE_DIR=" + args.source,
            "-DSTAGE_DIR=" + os.path.join(g.scratch, "stage"), "-DDIST_DIR=" + dist, "-DVERSION=" + args.version,
            "-DOS=" + args.os, "-DARCH=" + args.arch, "-DSTRIP=" + args.strip,
            "-P", os.path.join(args.source, "packaging", "krew", "pack_archive.cmake")]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        g.failures.append("pack_archive.cmake failed: " + result.stdout + result.stderr)
        return
    again = os.path.join(dist, os.path.basename(args.archive))
    g.expect(krew_emulation.sha256_of(again) == krew_emulation.sha256_of(args.archive),
             "packing the same build again gives the same bytes (another stage folder, another time)")


def main():
    parser = argparse.ArgumentParser()
    for flag in ("--cmake", "--source", "--bin", "--archive", "--version", "--os", "--arch"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--strip", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="meshca-generator-") as scratch:
        g = Generator(args, scratch)
        generator_cases(g, args)
        pack_is_reproducible(g, args)
    for failure in g.failures:
        print("FAILED: " + failure, file=sys.stderr)
    return 1 if g.failures else 0


if __name__ == "__main__":
    sys.exit(main())
