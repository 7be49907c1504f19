/* check_fileio.c - unit tests for base/fileio.c.
 *
 * Owns: the fileio suite.  Files only in a private temporary directory per
 * test (check forks each test, so a resource limit set here ends with it).
 * The failed-write cases are real failures: a file-size limit (EFBIG) and
 * /dev/full (ENOSPC), not a mocked stream.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "tests.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hedui-check-fileio-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    fileio_remove_flat_dir(dir);
}

static void put_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* the bytes of path, NUL-terminated (malloc'd) */
static char *get_file(const char *path, size_t *n)
{
    char *b = NULL;
    struct err e;
    err_init(&e);
    ck_assert_int_eq(fileio_read_all(path, &b, n, &e), E_OK);
    return b;
}

static int entries(const char *d)
{
    DIR *dp = opendir(d);
    ck_assert_ptr_nonnull(dp);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(dp);
    return n;
}

START_TEST(test_read_all)
{
    char path[128];
    snprintf(path, sizeof path, "%s/a.bin", dir);
    /* bytes as they are, NULs included, and a NUL after them */
    put_file(path, "ab\0c\r\n\xff", 7);
    size_t n = 0;
    char *b = get_file(path, &n);
    ck_assert_uint_eq(n, 7);
    ck_assert_int_eq(memcmp(b, "ab\0c\r\n\xff", 7), 0);
    ck_assert_int_eq(b[7], '\0');
    free(b);
    /* an empty file */
    put_file(path, "", 0);
    b = get_file(path, &n);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(b[0], '\0');
    free(b);
    /* larger than the first guess of a non-regular file's size: a pipe */
    int fd[2];
    ck_assert_int_eq(pipe(fd), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fd[0]);
        static char chunk[4096];
        memset(chunk, 'x', sizeof chunk);
        for (int i = 0; i < 40; i++)
            if (write(fd[1], chunk, sizeof chunk) != (ssize_t)sizeof chunk)
                _exit(1);
        _exit(0);
    }
    close(fd[1]);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd[0]);
    b = get_file(fdpath, &n);
    ck_assert_uint_eq(n, 40 * 4096);
    ck_assert_int_eq(b[0], 'x');
    ck_assert_int_eq(b[n - 1], 'x');
    free(b);
    close(fd[0]);
}
END_TEST

START_TEST(test_read_all_errors)
{
    char path[128];
    snprintf(path, sizeof path, "%s/none.csv", dir);
    struct err e;
    err_init(&e);
    char *b = (char *)1;
    size_t n = 9;
    ck_assert_int_eq(fileio_read_all(path, &b, &n, &e), E_NOINPUT);
    ck_assert_ptr_null(b);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(strstr(e.msg, "does not exist"));
    /* a directory opens but cannot be read */
    err_init(&e);
    ck_assert_int_eq(fileio_read_all(dir, &b, &n, &e), E_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, "cannot read"));
}
END_TEST

struct fill_ctx {
    const char *text;
    size_t repeat;
    int fail;        /* return this from fill after writing */
};

static int fill(FILE *f, void *vctx)
{
    const struct fill_ctx *c = vctx;
    for (size_t i = 0; i < c->repeat; i++)
        fputs(c->text, f);
    return c->fail;
}

START_TEST(test_replace_creates_and_replaces)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state.csv", dir);
    struct err e;
    err_init(&e);
    struct fill_ctx c = {"new\n", 2, E_OK};
    ck_assert_int_eq(fileio_replace(path, fill, &c, &e), E_OK);
    size_t n;
    char *b = get_file(path, &n);
    ck_assert_str_eq(b, "new\nnew\n");
    free(b);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);
    /* replacing an existing file */
    c.text = "newer\n";
    c.repeat = 1;
    ck_assert_int_eq(fileio_replace(path, fill, &c, &e), E_OK);
    b = get_file(path, &n);
    ck_assert_str_eq(b, "newer\n");
    free(b);
    ck_assert_int_eq(entries(dir), 1);   /* no temporary file left */
}
END_TEST

START_TEST(test_replace_failed_fill_keeps_old)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state.csv", dir);
    put_file(path, "old\n", 4);
    struct err e;
    err_init(&e);
    ERR(&e, E_DATA, "fill's own error");
    struct fill_ctx c = {"half", 1, E_DATA};
    ck_assert_int_eq(fileio_replace(path, fill, &c, &e), E_DATA);
    ck_assert_str_eq(e.msg, "fill's own error");
    size_t n;
    char *b = get_file(path, &n);
    ck_assert_str_eq(b, "old\n");
    free(b);
    ck_assert_int_eq(entries(dir), 1);
}
END_TEST

START_TEST(test_replace_failed_write_keeps_old)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state.csv", dir);
    put_file(path, "old\n", 4);
    /* a real write failure: files of this process may not exceed 1000
     * bytes (EFBIG instead of SIGXFSZ) */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {1000, 1000};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    struct err e;
    err_init(&e);
    struct fill_ctx c = {"0123456789abcdef", 1000, E_OK};
    ck_assert_int_eq(fileio_replace(path, fill, &c, &e), E_WRITE);
    ck_assert_ptr_nonnull(strstr(e.msg, "cannot write"));
    ck_assert_ptr_nonnull(strstr(e.msg, strerror(EFBIG)));
    size_t n;
    char *b = get_file(path, &n);
    ck_assert_str_eq(b, "old\n");
    free(b);
    ck_assert_int_eq(entries(dir), 1);   /* the temporary file is gone */
}
END_TEST

START_TEST(test_replace_failed_rename_keeps_target)
{
    /* the target is a directory: rename() refuses, nothing is left behind */
    char path[128];
    snprintf(path, sizeof path, "%s/sub", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    struct err e;
    err_init(&e);
    struct fill_ctx c = {"x", 1, E_OK};
    ck_assert_int_eq(fileio_replace(path, fill, &c, &e), E_WRITE);
    ck_assert_ptr_nonnull(strstr(e.msg, "cannot replace"));
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
    ck_assert_int_eq(entries(dir), 1);
    rmdir(path);
    /* no directory to put the temporary file in */
    snprintf(path, sizeof path, "%s/missing/x.csv", dir);
    err_init(&e);
    ck_assert_int_eq(fileio_replace(path, fill, &c, &e), E_WRITE);
    ck_assert_ptr_nonnull(strstr(e.msg, "cannot create a temporary file beside"));
}
END_TEST

START_TEST(test_close_synced)
{
    FILE *f = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(f);
    fputs("no room", f);
    int er = 0;
    ck_assert_int_eq(fileio_close_synced(f, &er), -1);
    ck_assert_int_eq(er, ENOSPC);
    char path[128];
    snprintf(path, sizeof path, "%s/ok.txt", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("fine", f);
    er = 7;
    ck_assert_int_eq(fileio_close_synced(f, &er), 0);
    ck_assert_int_eq(er, 0);
}
END_TEST

START_TEST(test_dirs)
{
    char path[160];
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    ck_assert_int_eq(fileio_mkdir_p(path, 0700, NULL), 0);
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert(S_ISDIR(sb.st_mode));
    ck_assert_int_eq(sb.st_mode & 0777, 0700);
    ck_assert_int_eq(fileio_mkdir_p(path, 0700, NULL), 0);   /* exists: fine */
    ck_assert_int_eq(fileio_fsync_dir(path), 0);
    char f[200];
    snprintf(f, sizeof f, "%s/file", path);
    put_file(f, "x", 1);
    ck_assert_int_eq(fileio_fsync_parent(f), 0);
    /* a file in the way */
    snprintf(f, sizeof f, "%s/file/d", path);
    ck_assert_int_eq(fileio_mkdir_p(f, 0700, NULL), -1);
    ck_assert_int_eq(errno, ENOTDIR);
    /* removing a flat directory takes its files */
    snprintf(f, sizeof f, "%s/file2", path);
    put_file(f, "y", 1);
    fileio_remove_flat_dir(path);
    ck_assert_int_eq(stat(path, &sb), -1);
    ck_assert_int_eq(errno, ENOENT);
    snprintf(path, sizeof path, "%s/a/b", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/a", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/missing", dir);
    ck_assert_int_eq(fileio_fsync_dir(path), -1);
    ck_assert_int_eq(errno, ENOENT);
}
END_TEST

Suite *fileio_suite(void)
{
    Suite *s = suite_create("fileio");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_read_all);
    tcase_add_test(tc, test_read_all_errors);
    tcase_add_test(tc, test_replace_creates_and_replaces);
    tcase_add_test(tc, test_replace_failed_fill_keeps_old);
    tcase_add_test(tc, test_replace_failed_write_keeps_old);
    tcase_add_test(tc, test_replace_failed_rename_keeps_target);
    tcase_add_test(tc, test_close_synced);
    tcase_add_test(tc, test_dirs);
    suite_add_tcase(s, tc);
    return s;
}
