"""How the kernels are compiled: numba, cached on disk where it can be."""

from numba import njit


def jit(**options):
    """``njit``, cached on disk where a cache can be written, in memory otherwise.

    numba looks for a writable cache directory beside the source file, then in
    the user's cache directory; on a read-only install with a read-only home
    it finds none and refuses to compile a cached function at all. Compiling
    without the cache then costs each new process the compile time, but works.
    """

    def decorate(function):
        try:
            return njit(cache=True, **options)(function)
        except RuntimeError as error:
            if "no locator available" not in str(error):
                raise
            return njit(**options)(function)

    return decorate
