#!/usr/bin/env python3
"""Validates a krew plugin manifest as krew does (internal/index/validation/validate.go, and the
krew-index naming rules), then checks it against the release archives present: the sha256 is the
archive's, the archive holds only what krew can extract, the `files` globs match, and `bin` is an
executable file once the mapping is applied.

  krew_manifest.py validate --manifest M [--dist DIR] [--require-archive A] [--release]
      --release: every platform's archive must be in DIR (nothing unbuilt or unverified)
  krew_manifest.py compare --checked-in M1 --generated M2

Exit status: 0 valid, 1 invalid (each problem on stderr), 2 bad invocation or missing tooling."""

import argparse
import os
import re
import stat
import sys
import tarfile
import tempfile

try:
    import yaml
except ImportError:
    sys.exit("krew_manifest.py: PyYAML is missing; run scripts/setup-deps (Debian package python3-yaml)")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import krew_emulation  # noqa: E402

API_VERSION = "krew.googlecontainertools.github.com/v1alpha2"
SHA256 = re.compile(r"^[a-f0-9]{64}$")
UNBUILT_SHA256 = "0" * 64
# krew's semver.Parse: a leading "v", then semantic version 2.0.0.
SEMVER = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")
WINDOWS_FORBIDDEN = {"CON", "PRN", "AUX", "NUL"} | {"COM%d" % i for i in range(1, 10)} | {"LPT%d" % i for i in range(1, 10)}
SHORT_DESCRIPTION_MAX = 50  # one column of `kubectl krew search`


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def name_errors(file_name, name):
    errors = []
    if not isinstance(name, str) or not name:
        return ["metadata.name is missing"]
    if name != file_name:
        errors.append("plugin should be named %r (the file name), not %r" % (file_name, name))
    if not re.fullmatch(r"[\w-]+", name) or name.upper() in WINDOWS_FORBIDDEN:
        errors.append("the plugin name %r is not allowed by krew (^[\\w-]+$, no Windows device names)" % name)
    if not re.fullmatch(r"[a-z0-9-]+", name):
        errors.append("the plugin name %r must be lowercase letters, digits and '-'" % name)
    if name == "kubectl" or name.startswith("kubectl-"):
        errors.append("the plugin name %r must not be or start with kubectl" % name)
    return errors


def selector_errors(selector):
    if not isinstance(selector, dict):
        return ["nil selector is not supported"]
    labels, expressions = selector.get("matchLabels"), selector.get("matchExpressions")
    if not labels and not expressions:
        return ["empty selector is not supported"]
    keys = list((labels or {}).keys()) + [e.get("key") for e in (expressions or [])]
    return ["selector key %r not supported (only os and arch)" % k for k in keys if k not in ("os", "arch")]


def files_errors(files):
    if files is None:
        return []
    if not isinstance(files, list) or not files:
        return ["`files` has to be unspecified or non-empty"]
    errors = []
    for op in files:
        if not isinstance(op, dict) or not op.get("from"):
            errors.append("`from` field has to be set in %r" % (op,))
        elif not op.get("to"):
            errors.append("`to` field has to be set in %r" % (op,))
        elif os.path.normpath(op["to"]) != op["to"]:
            errors.append("`to` %r is not a clean path" % op["to"])
    return errors


def platform_errors(entry):
    where = "platform %s" % ((entry.get("selector") or {}).get("matchLabels") if isinstance(entry, dict) else entry)
    if not isinstance(entry, dict):
        return [where + ": not a mapping"]
    errors = []
    uri = entry.get("uri")
    if not uri:
        errors.append("`uri` has to be set")
    elif not str(uri).startswith("https://"):
        errors.append("`uri` %r is not https" % uri)
    sha = entry.get("sha256")
    if not sha:
        errors.append("`sha256` sum has to be set")
    elif not SHA256.match(str(sha)):
        errors.append("`sha256` value %s is not valid, must match %s" % (sha, SHA256.pattern))
    if not entry.get("bin"):
        errors.append("`bin` has to be set")
    errors += files_errors(entry.get("files"))
    errors += selector_errors(entry.get("selector"))
    return [where + ": " + e for e in errors]


def structure_errors(manifest_path, manifest):
    """What krew's ValidatePlugin refuses, plus the index's naming and description rules."""
    if not isinstance(manifest, dict):
        return ["the manifest is not a YAML mapping"]
    errors = []
    if manifest.get("apiVersion") != API_VERSION:
        errors.append("apiVersion=%r, krew supports %r" % (manifest.get("apiVersion"), API_VERSION))
    if manifest.get("kind") != "Plugin":
        errors.append("kind=%r, but only 'Plugin' is supported" % manifest.get("kind"))
    file_name = os.path.basename(manifest_path)
    file_name = file_name[:-5] if file_name.endswith(".yaml") else file_name
    errors += name_errors(file_name, (manifest.get("metadata") or {}).get("name"))
    spec = manifest.get("spec") or {}
    short = spec.get("shortDescription")
    if not short:
        errors.append("should have a short description")
    elif "\n" in short or "\r" in short:
        errors.append("should not have line breaks in short description")
    elif len(short) > SHORT_DESCRIPTION_MAX:
        errors.append("shortDescription has %d characters (at most %d)" % (len(short), SHORT_DESCRIPTION_MAX))
    version = spec.get("version")
    if not version:
        errors.append("should have a version specified")
    elif not SEMVER.match(str(version)):
        errors.append("version %r is not a v-prefixed semantic version" % version)
    platforms = spec.get("platforms")
    if not isinstance(platforms, list) or not platforms:
        return errors + ["should have a platform specified"]
    seen = []
    for entry in platforms:
        errors += platform_errors(entry)
        labels = (entry.get("selector") or {}).get("matchLabels") if isinstance(entry, dict) else None
        if labels in seen:
            errors.append("two platforms have the selector %s (krew installs only the first)" % labels)
        seen.append(labels)
    return errors


def archive_member_errors(archive):
    """krew extracts folders and regular files only; our archives are also flat and reproducible."""
    errors = []
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    if names != sorted(names):
        errors.append("%s: entries are not sorted by name" % archive)
    for m in members:
        if not m.isreg():
            errors.append("%s: %s is not a regular file (type %r); krew cannot extract it" % (archive, m.name, m.type))
        if krew_emulation.suspicious(m.name) or "/" in m.name:
            errors.append("%s: entry %r is not a plain top-level name" % (archive, m.name))
        if (m.uid, m.gid) != (0, 0) or m.mtime != members[0].mtime:
            errors.append("%s: %s has owner %d:%d and mtime %d (not reproducible)" % (archive, m.name, m.uid, m.gid, m.mtime))
    return errors


def archive_errors(entry, archive):
    """The platform's sha256, `files` and `bin` against the archive it names."""
    errors = []
    actual = krew_emulation.sha256_of(archive)
    if entry.get("sha256") != actual:
        return ["%s: manifest sha256 %s, archive sha256 %s" % (archive, entry.get("sha256"), actual)]
    errors += archive_member_errors(archive)
    labels = (entry.get("selector") or {}).get("matchLabels") or {}
    suffix = "_%s_%s.tar.gz" % (labels.get("os"), labels.get("arch"))
    if not os.path.basename(archive).endswith(suffix):
        errors.append("%s: the selector %s does not name this archive's platform" % (archive, labels))
    with tempfile.TemporaryDirectory() as scratch:
        extracted, store = os.path.join(scratch, "download"), os.path.join(scratch, "store", "v")
        os.makedirs(extracted)
        try:
            krew_emulation.extract_like_krew(archive, extracted)
            krew_emulation.move_to_install_dir(extracted, store, entry.get("files"))
        except krew_emulation.KrewError as e:
            return errors + ["%s: %s" % (archive, e)]
        binary = os.path.join(store, entry.get("bin", ""))
        if not os.path.isfile(binary):
            errors.append("%s: bin %r is not in the archive after the `files` mapping" % (archive, entry.get("bin")))
        elif not os.stat(binary).st_mode & stat.S_IXUSR:
            errors.append("%s: bin %r is not executable" % (archive, entry.get("bin")))
    return errors


def print_note(text):
    print("note: " + text, file=sys.stderr)


def validate(manifest_path, dist=None, required=(), note=print_note, release=False):
    """All problems of the manifest and of the archives in `dist` it names; [] when valid. What
    cannot be checked here (a platform whose archive is elsewhere) goes to `note`, or is an error
    for a `release`."""
    try:
        manifest = load(manifest_path)
    except (OSError, yaml.YAMLError) as e:
        return ["%s: cannot be read as YAML: %s" % (manifest_path, e)]
    errors = structure_errors(manifest_path, manifest)
    if errors or dist is None:
        return errors
    checked = set()
    for entry in manifest["spec"]["platforms"]:
        archive = os.path.join(dist, os.path.basename(entry["uri"]))
        if os.path.exists(archive):
            errors += archive_errors(entry, archive)
            checked.add(os.path.abspath(archive))
        elif release:
            errors.append("%s: not in %s; a release checks every platform's archive" % (os.path.basename(archive), dist))
        elif entry["sha256"] == UNBUILT_SHA256:
            note("%s is marked unbuilt (placeholder sha256)" % entry["uri"])
        else:
            note("no %s in %s; its sha256 was given, not computed here" % (os.path.basename(archive), dist))
    for archive in required:
        if os.path.abspath(archive) not in checked:
            errors.append("%s: no platform of the manifest names this archive" % archive)
    return errors


def without_checksums(manifest):
    for entry in manifest.get("spec", {}).get("platforms", []):
        entry.pop("sha256", None)
    return manifest


def compare(checked_in, generated):
    """The checked-in manifest is the template's output: equal to a fresh one but for checksums
    (they are of the archives built where each was generated)."""
    errors = validate(checked_in)
    if errors:
        return errors
    a, b = without_checksums(load(checked_in)), without_checksums(load(generated))
    if a != b:
        return ["%s differs from the template's output %s beyond sha256 values; regenerate it with "
                "`cmake --build <build> --target krew-package` (docs/install.md)\n--- checked in\n%s--- generated\n%s"
                % (checked_in, generated, yaml.safe_dump(a), yaml.safe_dump(b))]
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate")
    v.add_argument("--manifest", required=True)
    v.add_argument("--dist")
    v.add_argument("--require-archive", action="append", default=[])
    v.add_argument("--release", action="store_true")
    c = sub.add_parser("compare")
    c.add_argument("--checked-in", required=True)
    c.add_argument("--generated", required=True)
    args = parser.parse_args()
    if args.command == "validate":
        if args.release and not args.dist:
            parser.error("--release needs --dist")
        errors = validate(args.manifest, args.dist, args.require_archive, release=args.release)
    else:
        errors = compare(args.checked_in, args.generated)
    for e in errors:
        print("invalid: " + e, file=sys.stderr)
    if not errors:
        print("valid: %s" % (args.manifest if args.command == "validate" else args.checked_in))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
