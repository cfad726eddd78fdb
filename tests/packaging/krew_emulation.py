"""What `kubectl krew install` does with a manifest and an archive, step by step as krew's source
does it (internal/download/downloader.go, internal/installation/{install,move,platform}.go):
verify the archive's sha256, extract it accepting only folders and regular files, apply the
platform's `files` operations into <root>/store/<name>/<version>, and link <root>/bin/kubectl-<name>
to the platform's `bin` with a relative symlink."""

import glob
import hashlib
import os
import platform as host_platform
import shutil
import tarfile
import tempfile


class KrewError(Exception):
    """An install krew would refuse, with krew's reason."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def host_labels():
    """krew's selector labels for this machine (runtime.GOOS / runtime.GOARCH)."""
    machine = host_platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return {"os": host_platform.system().lower(), "arch": arch}


def matching_platform(platforms, labels):
    """The first platform whose selector matches, as krew's GetMatchingPlatform picks it."""
    for entry in platforms:
        selector = entry.get("selector") or {}
        if selector.get("matchExpressions"):
            raise KrewError("matchExpressions selectors are not emulated here")
        match_labels = selector.get("matchLabels") or {}
        if match_labels and all(labels.get(k) == v for k, v in match_labels.items()):
            return entry
    raise KrewError("plugin does not offer installation for this platform (%s)" % labels)


def suspicious(name):
    return ".." in name or name.startswith("/") or name.startswith("\\")


def extract_like_krew(archive, target_dir):
    """extractTARGZ: gzip by content, pax_global_header skipped, folders and regular files only."""
    with open(archive, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            raise KrewError("%s is not a gzip archive (krew detects the type by content)" % archive)
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if member.name == "pax_global_header":
                continue
            if suspicious(member.name):
                raise KrewError("refusing to unpack archive with suspicious entry %r" % member.name)
            path = os.path.join(target_dir, member.name)
            if member.isdir():
                os.makedirs(path, mode=member.mode, exist_ok=True)
            elif member.isreg():
                os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, member.mode & 0o7777)
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(tar.extractfile(member), out)
            else:
                raise KrewError("unable to handle file type %r for %r in tar" % (member.type, member.name))


def is_sub_path(base, path):
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    return rel != ".." and not rel.startswith(".." + os.sep)


def find_move_targets(from_dir, to_dir, operation):
    """findMoveTargets: a `from` naming an existing path moves that one path (to "." keeps its
    name); otherwise `from` is a glob whose matches move into the folder `to`."""
    source, dest = operation.get("from", ""), operation.get("to", "")
    if dest != os.path.normpath(dest):
        raise KrewError("the provided path is not clean, %r should be %r" % (dest, os.path.normpath(dest)))
    direct = os.path.normpath(os.path.join(from_dir, source))
    if os.path.exists(direct):
        target = os.path.join(to_dir, os.path.basename(direct) if dest == "." else dest)
        moves = [(direct, target)]
    else:
        matches = sorted(glob.glob(os.path.join(from_dir, source)))
        if not matches:
            raise KrewError("no files in the plugin archive matched the glob pattern=%s" % source)
        new_dir = os.path.join(to_dir, dest)
        moves = [(m, os.path.join(new_dir, os.path.basename(m))) for m in matches]
    for src, dst in moves:
        if not (is_sub_path(from_dir, src) and is_sub_path(to_dir, dst)):
            raise KrewError("can't move, move target %s -> %s is out of bounds" % (src, dst))
    return moves


def move_to_install_dir(src_dir, install_dir, operations):
    """moveToInstallDir: every operation into a fresh folder, then that folder becomes the store's."""
    if operations is None:
        operations = [{"from": "*", "to": "."}]
    os.makedirs(os.path.dirname(install_dir), mode=0o755, exist_ok=True)
    staging = tempfile.mkdtemp(prefix="krew-temp-move")
    os.chmod(staging, 0o755)
    try:
        for operation in operations:
            for src, dst in find_move_targets(src_dir, staging, operation):
                os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
                os.rename(src, dst)
        shutil.move(staging, install_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def install(manifest, archive, root, labels=None):
    """Installs `archive` for `manifest` under `root` as krew would; returns (store folder, link)."""
    name, spec = manifest["metadata"]["name"], manifest["spec"]
    entry = matching_platform(spec["platforms"], labels or host_labels())
    actual = sha256_of(archive)
    if actual != entry["sha256"]:
        raise KrewError("checksum does not match, want: %s, got %s" % (entry["sha256"], actual))
    store = os.path.join(root, "store", name, spec["version"])
    bin_dir = os.path.join(root, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    download = tempfile.mkdtemp(prefix="krew-downloads")
    try:
        extract_like_krew(archive, download)
        move_to_install_dir(download, store, entry.get("files"))
    finally:
        shutil.rmtree(download, ignore_errors=True)
    binary = os.path.join(store, entry["bin"])
    if not is_sub_path(store, binary):
        raise KrewError("the bin %r does not stay inside %s" % (entry["bin"], store))
    if not os.path.exists(binary):
        raise KrewError("can't create symbolic link, source binary (%r) cannot be found in extracted archive" % binary)
    link = os.path.join(bin_dir, "kubectl-" + name.replace("-", "_"))
    os.symlink(os.path.relpath(binary, bin_dir), link)
    return store, link
