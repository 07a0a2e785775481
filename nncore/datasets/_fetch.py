"""Where dataset files are found, and how they get there.

A dataset is looked for, in order, in the ``path=`` the caller gave, in ``$NNCORE_DATA/<name>/``
and ``$NNCORE_DATA/``, and in the cache ``~/.nncore/datasets/<name>/``. A directory counts
when it holds the four standard IDX files (each plain or ``.gz``) or a Keras-style ``.npz``.
When none does, the ``.gz`` files are downloaded into the cache from the dataset's mirrors,
each checked against its published MD5 and moved into place only once complete, so an
interrupted or corrupted download never leaves a file that looks valid. ``NNCORE_OFFLINE=1``
turns downloading off; then, or when every mirror fails, DatasetNotFoundError says which
files to put where.
"""
import hashlib
import os
import sys
import tempfile
from collections import namedtuple

__all__ = ["DatasetNotFoundError", "Spec", "IDX_FILES", "TIMEOUT", "cache_dir", "locate",
           "download", "urlopen"]

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
# Seconds per network operation: long enough for a slow mirror, short enough that an
# offline machine (where DNS may hang rather than fail) gives its error promptly.
TIMEOUT = 10
_CHUNK = 1 << 16

# name: folder name under $NNCORE_DATA and the cache; title: for messages; checksums: MD5 of
# each ".gz" file keyed by IDX name; mirrors: base URLs tried in order.
Spec = namedtuple("Spec", "name title checksums mirrors npz_names")


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are in none of the searched directories and could not be
    downloaded. The message lists the files and the directories."""


def urlopen(url, timeout):
    """Open ``url`` for reading. Tests replace this function; urllib is imported here, not
    at module import, because it is slow to import and most runs never download."""
    import urllib.request
    return urllib.request.urlopen(url, timeout=timeout)


def cache_dir(name):
    return os.path.join(os.path.expanduser("~"), ".nncore", "datasets", name)


def _search_dirs(name, path):
    """(directory, why it is searched) in search order; the path= entry only if a folder."""
    dirs = []
    if path is not None:
        dirs.append((os.fspath(path), "path="))
    for root in os.environ.get("NNCORE_DATA", "").split(os.pathsep):
        if root:
            dirs.append((os.path.join(root, name), "$NNCORE_DATA"))
            dirs.append((root, "$NNCORE_DATA"))
    dirs.append((cache_dir(name), "cache"))
    return dirs


def find_idx_files(directory):
    """{IDX name: path} when ``directory`` holds all four files (plain preferred over .gz,
    as it needs no decompression), else None."""
    found = {}
    for base in IDX_FILES:
        for candidate in (base, base + ".gz"):
            full = os.path.join(directory, candidate)
            if os.path.isfile(full):
                found[base] = full
                break
        else:
            return None
    return found


def _find_npz(directory, npz_names):
    for npz in npz_names:
        full = os.path.join(directory, npz)
        if os.path.isfile(full):
            return full
    return None


def locate(spec, path=None):
    """Find the dataset: ``("npz", file)`` or ``("idx", {IDX name: file})``. Downloads into
    the cache when nothing is found and downloading is allowed."""
    if path is not None and os.path.isfile(path):
        return "npz", os.fspath(path)
    searched = _search_dirs(spec.name, path)
    for directory, _ in searched:
        if not os.path.isdir(directory):
            continue
        files = find_idx_files(directory)
        if files is not None:
            return "idx", files
        npz = _find_npz(directory, spec.npz_names)
        if npz is not None:
            return "npz", npz

    if os.environ.get("NNCORE_OFFLINE", "").strip().lower() not in ("", "0", "false", "no"):
        reason = "Downloading is turned off (NNCORE_OFFLINE is set)."
    elif not spec.mirrors:
        reason = "No download mirror is configured."
    else:
        try:
            return "idx", download(spec, cache_dir(spec.name))
        except OSError as exc:
            reason = f"Downloading failed:\n{exc}"
    raise DatasetNotFoundError(_not_found_message(spec, searched, reason))


def _not_found_message(spec, searched, reason):
    files = "\n".join(f"    {f}" for f in IDX_FILES)
    dirs = "\n".join(f"    {d}  ({why})" for d, why in searched)
    if not os.environ.get("NNCORE_DATA"):
        dirs += "\n    ($NNCORE_DATA is not set)"
    npz = " or ".join(spec.npz_names)
    return (f"{spec.title} was not found. nncore looks for these 4 files, each either plain "
            f"or gzip-compressed with a .gz suffix:\n{files}\n"
            f"or for {npz}, in these directories, in this order:\n{dirs}\n"
            f"{reason}\n"
            f"To fix this, put the files in one of those directories: pass "
            f"load_data(path='folder/with/the/files'), or set $NNCORE_DATA to a folder "
            f"holding a '{spec.name}' subfolder with them, or copy them into "
            f"{cache_dir(spec.name)}.")


def download(spec, directory):
    """Download the ``.gz`` files missing from ``directory``, each verified by MD5. Returns
    {IDX name: path}. Raises OSError naming every URL tried and why it failed."""
    os.makedirs(directory, exist_ok=True)
    failures = []
    for base in IDX_FILES:
        if os.path.isfile(os.path.join(directory, base)):
            continue
        dest = os.path.join(directory, base + ".gz")
        if os.path.isfile(dest):
            continue
        fetched = False
        for mirror in spec.mirrors:
            url = mirror.rstrip("/") + "/" + base + ".gz"
            try:
                _download_file(url, dest, spec.checksums.get(base))
                fetched = True
                break
            except Exception as exc:  # noqa: BLE001 -- any failing mirror: try the next
                # Keep going: one report listing every failure beats one error per try.
                failures.append(f"    {url}: {exc}")
        if not fetched:
            # Every mirror failed for this file (offline, most likely): the set cannot be
            # completed, so don't wait on timeouts for the remaining files.
            break
    files = find_idx_files(directory)
    if files is None:
        raise OSError("\n".join(failures))
    return files


def _download_file(url, dest, md5):
    print(f"nncore: downloading {url}", file=sys.stderr)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest),
                               prefix=os.path.basename(dest) + ".", suffix=".part")
    try:
        digest = hashlib.md5(usedforsecurity=False)
        with os.fdopen(fd, "wb") as out, urlopen(url, TIMEOUT) as response:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
        if md5 is not None and digest.hexdigest() != md5:
            raise ValueError(f"MD5 mismatch: expected {md5}, got {digest.hexdigest()}; "
                             f"the file was discarded")
        # The final name appears only once the content is complete and verified.
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
