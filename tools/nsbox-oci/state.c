/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory: ROOT/ID/ holds state.json (written atomically),
 * config.json (the bundle's, as create saw it), and exec.fifo while the
 * container waits for start. Every command locks ROOT/ID with flock:
 * exclusively when it changes the container, shared to read it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

int state_check_id(const char *id)
{
    if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
        return oci_err("invalid id format: %s", id);
    for (const char *p = id; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok)
            return oci_err("invalid id format: %s", id);
    }
    return 0;
}

static int lock_dir(struct oci_state *st, bool exclusive)
{
    st->dirfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (st->dirfd < 0)
        return -errno;
    if (flock(st->dirfd, exclusive ? LOCK_EX : LOCK_SH) < 0)
        return oci_err("lock %s: %s", st->dir, strerror(errno));
    return 0;
}

/* mkdir -p root, every missing level 0700 (runc's MkdirAll): the
 * containerd shim passes --root /run/containerd/runc/NAMESPACE, whose
 * parents do not exist before the first container. */
static int make_root(const char *root)
{
    if (!*root)
        return oci_err("--root: empty path");
    char *path = strdup(root);
    if (!path)
        return oci_err("out of memory");
    int ret = 0;
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            ret = oci_err("mkdir %s: %s", path, strerror(errno));
            break;
        }
        *p = c;
        if (c == '\0')
            break;
    }
    free(path);
    return ret;
}

int state_create(struct oci_state *st, const char *root, const char *id)
{
    memset(st, 0, sizeof(*st));
    st->dirfd = -1;
    st->id = id;
    if (make_root(root) < 0)
        return -1;
    if (asprintf(&st->dir, "%s/%s", root, id) < 0)
        return oci_err("out of memory");
    if (mkdir(st->dir, 0700) < 0) {
        int e = errno;
        free(st->dir);
        st->dir = NULL;
        if (e == EEXIST)
            return oci_err("container with id exists: %s", id);
        return oci_err("mkdir %s/%s: %s", root, id, strerror(e));
    }
    if (lock_dir(st, true) < 0) {
        rmdir(st->dir);
        return oci_err("open %s: %s", st->dir, strerror(errno));
    }
    st->json = json_object();
    return 0;
}

/* name in the state directory, parsed. jansson's json_loadfd reads one byte
 * per read(2) (some 3000 system calls for a config.json, on every start and
 * delete); a stdio stream reads it in one. NULL with e->line -1 and errno
 * set when the file cannot be opened. */
json_t *state_load(struct oci_state *st, const char *name, json_error_t *e)
{
    int fd = openat(st->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        e->line = -1;
        snprintf(e->text, sizeof(e->text), "%s", strerror(err));
        errno = err;
        return NULL;
    }
    json_t *j = json_loadf(f, JSON_REJECT_DUPLICATES, e);
    fclose(f);
    return j;
}

int state_open(struct oci_state *st, const char *root, const char *id, bool exclusive)
{
    memset(st, 0, sizeof(*st));
    st->dirfd = -1;
    st->id = id;
    if (state_check_id(id) < 0)
        return -1;
    if (asprintf(&st->dir, "%s/%s", root, id) < 0)
        return oci_err("out of memory");
    int ret = lock_dir(st, exclusive);
    if (ret == -ENOENT)
        return oci_err("container does not exist");
    if (ret < 0)
        return oci_err("open %s: %s", st->dir, strerror(-ret));
    json_error_t e;
    st->json = state_load(st, "state.json", &e);
    if (!st->json && e.line == -1) {
        /* a create in progress or one that failed half-way */
        return oci_err("container does not exist");
    }
    if (!json_is_object(st->json))
        return oci_err("%s/state.json: %s", st->dir, st->json ? "not an object" : e.text);
    return 0;
}

int write_file_atomic(const char *path, const char *s)
{
    char *tmp;
    if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
        return oci_err("out of memory");
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        oci_err("create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    size_t len = strlen(s), done = 0;
    while (done < len) {
        ssize_t n = write(fd, s + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    /* No fsync: the rename alone makes readers see the old or the new file,
     * never a part. Durability across a crash buys nothing here: the
     * container's processes die with the machine (the default root, /run,
     * is a tmpfs), and runc and crun do not sync either. */
    int ok = done == len && fchmod(fd, 0644) == 0;
    int e = errno;
    close(fd);
    if (!ok || rename(tmp, path) < 0) {
        if (ok)
            e = errno;
        unlink(tmp);
        free(tmp);
        return oci_err("write %s: %s", path, strerror(e));
    }
    free(tmp);
    return 0;
}

int state_save(struct oci_state *st)
{
    char *s = json_dumps(st->json, JSON_COMPACT);
    char *path;
    if (!s || asprintf(&path, "%s/state.json", st->dir) < 0) {
        free(s);
        return oci_err("out of memory");
    }
    int ret = write_file_atomic(path, s);
    free(path);
    free(s);
    return ret;
}

int state_remove(struct oci_state *st)
{
    if (!st->dir || st->dirfd < 0)
        return 0;
    int fd = dup(st->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return oci_err("read %s: %s", st->dir, strerror(errno));
    }
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            unlinkat(st->dirfd, de->d_name, 0);
    closedir(d);
    if (rmdir(st->dir) < 0 && errno != ENOENT)
        return oci_err("remove %s: %s", st->dir, strerror(errno));
    return 0;
}

void state_close(struct oci_state *st)
{
    if (st->dirfd >= 0)
        close(st->dirfd);
    st->dirfd = -1;
    json_decref(st->json);
    st->json = NULL;
    free(st->dir);
    st->dir = NULL;
}

/* The state letter and start time of pid from /proc/PID/stat ("R", "Z"...);
 * 0 when it does not exist. The command name may hold ") ": the fields
 * start after the last ')'. */
static char proc_stat(pid_t pid, unsigned long long *start)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return 0;
    char state = p[2];
    /* field 3 is the state; the start time is field 22 */
    p += 2;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    *start = p ? strtoull(p, NULL, 10) : 0;
    return state;
}

unsigned long long state_pid_start(pid_t pid)
{
    unsigned long long start = 0;
    return proc_stat(pid, &start) ? start : 0;
}

/* The recorded pid if that very process still lives (not a zombie, not a
 * new process that got the number), else 0. */
static pid_t live_pid(struct oci_state *st)
{
    pid_t pid = (pid_t)json_integer_value(json_object_get(st->json, "pid"));
    unsigned long long want =
        (unsigned long long)json_integer_value(json_object_get(st->json, "pidStart"));
    unsigned long long start = 0;
    if (pid <= 0)
        return 0;
    char s = proc_stat(pid, &start);
    if (!s || s == 'Z' || s == 'X' || start != want)
        return 0;
    return pid;
}

int state_pidfd(struct oci_state *st)
{
    pid_t pid = live_pid(st);
    if (!pid)
        return -1;
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return -1;
    /* The number could have been reused between the check and the open:
     * check again with the pidfd holding the process. */
    if (live_pid(st) != pid) {
        close(fd);
        return -1;
    }
    return fd;
}

const char *state_status(struct oci_state *st, pid_t *pidp)
{
    pid_t pid = live_pid(st);
    *pidp = pid;
    if (!pid)
        return "stopped";
    if (faccessat(st->dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return "created";
    if (json_is_true(json_object_get(st->json, "paused")))
        return "paused";
    return "running";
}

json_t *state_public(struct oci_state *st)
{
    pid_t pid;
    const char *status = state_status(st, &pid);
    json_t *ann = json_object_get(st->json, "annotations");
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "ociVersion", OCI_VERSION, "id", st->id,
                          "status", status, "pid", (json_int_t)pid, "bundle",
                          json_string_value(json_object_get(st->json, "bundle")) ?: "");
    if (j && json_is_object(ann) && json_object_size(ann))
        json_object_set(j, "annotations", ann);
    return j;
}
