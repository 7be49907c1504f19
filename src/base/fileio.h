/* fileio.h - whole files and durable replacement: the one implementation
 * of each file-system step hedui repeats.
 *
 * Durability protocol (fileio_replace): the new bytes go to a temporary
 * file beside the target (same directory, so the same file system), mode
 * 0600, are flushed and fsync'd, then rename() replaces the target and
 * the directory is fsync'd so the rename itself survives a crash.  A
 * reader, or a crash at any instant, sees the old file or the new one,
 * never a mix; on any failure the old file is left as it was and the
 * temporary file is removed.
 *
 * Owns: temporary names (PATH.tmp-XXXXXX), the order fflush -> fsync ->
 * fclose -> rename -> fsync(dir), and the messages of those failures.
 * Never: prints, exits, or knows what a file holds.
 */
#ifndef ENGINE_FILEIO_H
#define ENGINE_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/err.h"

/* The whole file, NUL-terminated (the NUL is not counted in *len), in a
 * malloc'd buffer the caller frees.  ENOENT is E_NOINPUT ("PATH does not
 * exist"), another open error E_IO ("cannot open PATH: why"), a read error
 * E_IO ("cannot read PATH"), memory E_NOMEM. */
int fileio_read_all(const char *path, char **out, size_t *len, struct err *e);

/* fsync() a directory, so a rename or a create in it is durable.
 * 0, or -1 with errno set. */
int fileio_fsync_dir(const char *dir);
/* fsync() the directory that holds path ("." for a bare name). */
int fileio_fsync_parent(const char *path);

/* End writing a stream durably: its error flag, fflush, fsync, fclose, in
 * that order (fsync only if all went well so far); the stream is closed in
 * any case.  0, or -1 with *err_no the errno of the first failure (0 if
 * that failure left none: a write error seen only by ferror).  For files
 * whose name is published later (the output directory's lists) or at once
 * (fileio_replace). */
int fileio_close_synced(FILE *f, int *err_no);

/* Replace path atomically and durably (see the top of this file) with the
 * bytes fill() writes to f; fill returns E_OK or an error it has set in e.
 * E_WRITE names the step that failed; E_USAGE for a path too long. */
int fileio_replace(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx,
                   struct err *e);

/* mkdir -p: create path with mode, and any missing parents 0755 (as
 * mkdir(1) would, the umask applying); an existing directory is fine.
 * *created (may be NULL) tells whether path itself was made here.
 * 0, or -1 with errno set. */
int fileio_mkdir_p(const char *path, mode_t mode, int *created);

/* Remove a directory that holds only plain files (no subdirectories), and
 * the files; best effort, for cleaning up our own temporary directories.
 * A symbolic link, or anything that is not a directory, is left alone
 * (never followed).  _at: `name` relative to dir_fd (or AT_FDCWD). */
void fileio_remove_flat_dir(const char *path);
void fileio_remove_flat_dir_at(int dir_fd, const char *name);

#endif
