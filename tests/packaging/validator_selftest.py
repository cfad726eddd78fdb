#!/usr/bin/env python3
"""The manifest validator must fail: each broken copy of the generated manifest, and each broken
archive, is rejected with the expected reason; the unmodified pair is accepted.

  validator_selftest.py --manifest <generated meshca.yaml> --archive <its host archive>"""

import argparse
import copy
import io
import os
import shutil
import sys
import tarfile
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krew_emulation  # noqa: E402
import krew_manifest  # noqa: E402


def host_entry(manifest, archive_name):
    return next(p for p in manifest["spec"]["platforms"] if os.path.basename(p["uri"]) == archive_name)


def manifest_cases():
    """(what is broken, change to the manifest, a phrase of the expected error)."""
    def spec(key, value):
        return lambda m: m["spec"].__setitem__(key, value)

    def platform(key, value):
        return lambda m: m["spec"]["platforms"][0].__setitem__(key, value)

    def drop_platform_key(key):
        return lambda m: m["spec"]["platforms"][0].pop(key)

    return [
        ("apiVersion", lambda m: m.__setitem__("apiVersion", "krew.googlecontainertools.github.com/v1alpha1"), "apiVersion"),
        ("kind", lambda m: m.__setitem__("kind", "Plugins"), "kind="),
        ("name differs from the file name", lambda m: m["metadata"].__setitem__("name", "mesh"), "the file name"),
        ("short description missing", lambda m: m["spec"].pop("shortDescription"), "short description"),
        ("short description on two lines", spec("shortDescription", "Migrate\nCA"), "line breaks"),
        ("short description long", spec("shortDescription", "x" * 51), "at most 50"),
        ("version without v", spec("version", "0.1.0"), "semantic version"),
        ("version not semver", spec("version", "v0.1"), "semantic version"),
        ("no platforms", spec("platforms", []), "platform specified"),
        ("uri missing", drop_platform_key("uri"), "`uri` has to be set"),
        ("uri not https", platform("uri", "http://example.com/a.tar.gz"), "not https"),
        ("sha256 missing", drop_platform_key("sha256"), "`sha256` sum"),
        ("sha256 uppercase", platform("sha256", "A" * 64), "not valid"),
        ("sha256 short", platform("sha256", "a" * 63), "not valid"),
        ("bin missing", drop_platform_key("bin"), "`bin` has to be set"),
        ("selector missing", drop_platform_key("selector"), "nil selector"),
        ("selector empty", platform("selector", {"matchLabels": {}}), "empty selector"),
        ("selector key", platform("selector", {"matchLabels": {"os": "linux", "distro": "debian"}}), "not supported"),
        ("files empty", platform("files", []), "unspecified or non-empty"),
        ("files without to", platform("files", [{"from": "*"}]), "`to` field"),
        ("files to unclean", platform("files", [{"from": "*", "to": "./bin/"}]), "not a clean path"),
        ("duplicate platform", lambda m: m["spec"]["platforms"].append(copy.deepcopy(m["spec"]["platforms"][0])),
         "two platforms"),
    ]


def name_cases():
    """(file and metadata name, expected phrase): krew's and the index's naming rules."""
    return [("Meshca", "lowercase"), ("mesh_ca", "lowercase"), ("kubectl", "must not be"),
            ("kubectl-meshca", "must not be"), ("mesh.ca", "not allowed"), ("com1", "not allowed")]


def archive_cases(archive, bin_name):
    """(what is broken, members as (name, bytes, mode, type), manifest files override, phrase)."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read(), m.mode, tarfile.REGTYPE) for m in tar.getmembers()]
    without_bin = [m for m in members if m[0] != bin_name]
    not_executable = [(n, d, 0o644 if n == bin_name else mode, t) for n, d, mode, t in members]
    with_link = members + [("kubectl_complete-meshca", b"", 0o777, tarfile.SYMTYPE)]
    escaping = members + [("../evil", b"x", 0o644, tarfile.REGTYPE)]
    unsorted = list(reversed(members))
    return [
        ("bin absent", without_bin, None, "is not in the archive"),
        ("bin not executable", not_executable, None, "not executable"),
        ("symlink member", with_link, None, "not a regular file"),
        ("member escaping the folder", escaping, None, "suspicious"),
        ("unsorted members", unsorted, None, "not sorted"),
        ("files glob matching nothing", members, [{"from": "kubectl-nothing*", "to": "."}], "matched the glob"),
    ]


def write_archive(path, members):
    with tarfile.open(path, "w:gz", compresslevel=1) as tar:
        for name, data, mode, kind in members:
            info = tarfile.TarInfo(name)
            info.mode, info.type, info.uid, info.gid, info.mtime = mode, kind, 0, 0, 0
            if kind == tarfile.SYMTYPE:
                info.linkname = "kubectl-meshca"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))


def expect_rejected(failures, what, errors, phrase):
    if not any(phrase in e for e in errors):
        failures.append("%s: expected an error with %r, got %s" % (what, phrase, errors))
    else:
        print("ok: rejected %s" % what)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--archive", required=True)
    args = parser.parse_args()
    original = krew_manifest.load(args.manifest)
    archive_name = os.path.basename(args.archive)
    failures = []
    with tempfile.TemporaryDirectory(prefix="meshca-validator-") as scratch:
        dist = os.path.join(scratch, "dist")
        os.makedirs(dist)
        shutil.copy(args.archive, dist)

        def check(manifest, file_name="meshca"):
            path = os.path.join(scratch, file_name + ".yaml")
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump(manifest, f)
            return krew_manifest.validate(path, dist, note=lambda _: None)

        baseline = check(copy.deepcopy(original))
        if baseline:
            failures.append("the unmodified manifest is rejected: %s" % baseline)
        for what, change, phrase in manifest_cases():
            manifest = copy.deepcopy(original)
            change(manifest)
            expect_rejected(failures, what, check(manifest), phrase)
        for name, phrase in name_cases():
            manifest = copy.deepcopy(original)
            manifest["metadata"]["name"] = name
            expect_rejected(failures, "name " + name, check(manifest, name), phrase)
        if len(original["spec"]["platforms"]) > 1:  # the others have no archive in this dist
            path = os.path.join(scratch, "meshca.yaml")
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump(original, f)
            expect_rejected(failures, "a release without every archive",
                            krew_manifest.validate(path, dist, note=lambda _: None, release=True), "a release checks")
        manifest = copy.deepcopy(original)
        host_entry(manifest, archive_name)["sha256"] = "f" * 64
        expect_rejected(failures, "sha256 of another archive", check(manifest), "archive sha256")
        for what, members, files, phrase in archive_cases(args.archive, host_entry(original, archive_name)["bin"]):
            write_archive(os.path.join(dist, archive_name), members)
            manifest = copy.deepcopy(original)
            entry = host_entry(manifest, archive_name)
            entry["sha256"] = krew_emulation.sha256_of(os.path.join(dist, archive_name))
            if files is not None:
                entry["files"] = files
            expect_rejected(failures, what, check(manifest), phrase)
    for failure in failures:
        print("FAILED: " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
