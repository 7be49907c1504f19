/* faultio.c - LD_PRELOAD shim for tests/fault.sh: disk-full and I/O errors.
 *
 *   HEDUI_FAULT_FULL=NAME      creating a file whose base name is NAME opens
 *                              /dev/full instead: every write fails ENOSPC
 *   HEDUI_FAULT_FSYNC_EIO=N    the N-th fsync() fails with EIO
 *   HEDUI_FAULT_PREAD_EIO=N    the N-th pread() fails with EIO (inputs are
 *                              read with pread: once, or, when a file goes
 *                              back to load.c's classic path, checksum,
 *                              prescan and parse)
 * Test-only; never linked into hedui.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int full_match(const char *path)
{
    const char *want = getenv("HEDUI_FAULT_FULL");
    if (!want || !path)
        return 0;
    const char *base = strrchr(path, '/');
    return strcmp(base ? base + 1 : path, want) == 0;
}

int open(const char *path, int flags, ...)
{
    static int (*real_open)(const char *, int, ...);
    if (!real_open)
        real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
        if (full_match(path))
            return real_open("/dev/full", O_WRONLY | O_CLOEXEC);
    }
    return real_open(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return open(path, flags, mode);
}

int fsync(int fd)
{
    static int (*real_fsync)(int);
    static int n;
    if (!real_fsync)
        real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    const char *v = getenv("HEDUI_FAULT_FSYNC_EIO");
    if (v && ++n == atoi(v)) {
        errno = EIO;
        return -1;
    }
    return real_fsync(fd);
}

ssize_t pread(int fd, void *buf, size_t count, off_t offset)
{
    static ssize_t (*real_pread)(int, void *, size_t, off_t);
    static int n;
    if (!real_pread)
        real_pread = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
    const char *v = getenv("HEDUI_FAULT_PREAD_EIO");
    if (v && __atomic_add_fetch(&n, 1, __ATOMIC_SEQ_CST) == atoi(v)) {
        errno = EIO;
        return -1;
    }
    return real_pread(fd, buf, count, offset);
}
