"""Atomic file replacement, shared by the model-file and image writers.

``with atomic_write(path) as f: f.write(...)`` writes into a temporary file next to
``path`` and only then moves it onto ``path``; readers see the old file or the complete new
one, never a half-written one. If the block raises, the temporary file is removed and
``path`` is untouched. A process killed outright (power loss, ``kill -9``) cannot clean up:
it may leave a hidden ``.<name>.<pid>.<random>.tmp`` beside the target, but the target
itself is still the previous complete file.
"""
import contextlib
import os
import secrets

__all__ = ["atomic_write"]


def _create_temp(path):
    directory, name = os.path.split(os.path.abspath(path))
    # os.open with mode 0o666 lets the umask decide the permissions, as open() would;
    # tempfile.mkstemp would give 0o600 and the saved file would be unreadable to others.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(directory, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return temp, os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        except FileNotFoundError:
            # Otherwise the error would name the temporary file, not the one being saved.
            raise FileNotFoundError(f"cannot write {path}: the directory {directory} "
                                    f"does not exist") from None


def _fsync_directory(path):
    # Makes the rename itself durable; not possible (nor needed) on every platform.
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish(temp, path, overwrite):
    if overwrite:
        os.replace(temp, path)
        return
    # A hard link fails if the target exists, so two writers racing with overwrite=False
    # cannot both succeed; the exists() check is the fallback where links are unsupported.
    try:
        os.link(temp, path)
    except FileExistsError:
        raise FileExistsError(f"{path} already exists (pass overwrite=True to replace it)")
    except OSError:
        if os.path.exists(path):
            raise FileExistsError(f"{path} already exists (pass overwrite=True to replace it)")
        os.replace(temp, path)
        return
    os.unlink(temp)


@contextlib.contextmanager
def atomic_write(path, *, overwrite=True):
    """Yield a binary file object whose contents replace ``path`` when the block succeeds."""
    path = os.fspath(path)
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"{path} already exists (pass overwrite=True to replace it)")
    temp, fd = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _publish(temp, path, overwrite)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_directory(path)
