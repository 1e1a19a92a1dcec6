/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* start: the startContainer hooks, then one byte into the exec gate (the
 * container's process then execs its command), the gate removed (the
 * container counts as running from then on), the poststart hooks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

json_t *state_config(struct oci_state *st)
{
    json_error_t e;
    json_t *j = state_load(st, "config.json", &e);
    if (!j && e.line == -1)
        oci_err("open %s/config.json: %s", st->dir, e.text);
    else if (!j)
        oci_err("%s/config.json: %s", st->dir, e.text);
    return j;
}

static int release_gate(struct oci_state *st)
{
    /* O_NONBLOCK: ENXIO rather than a hang when nobody waits any more */
    int fd = openat(st->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return oci_err("cannot start the container: open exec.fifo: %s",
                       errno == ENXIO ? "the container's process is gone" : strerror(errno));
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    ssize_t n = write(fd, "0", 1);
    int e = errno;
    signal(SIGPIPE, old);
    close(fd);
    if (n != 1)
        return oci_err("cannot start the container: write exec.fifo: %s", strerror(e));
    unlinkat(st->dirfd, "exec.fifo", 0);
    return 0;
}

/* The spec calls the poststart hooks after the user-specified process is
 * executed, and the gate's byte only lets it go: wait until the process
 * has left the gate (the library's helper names itself "nsbox-gate" there
 * and the command's exec renames it). Bounded, since a command that names
 * itself so, or a stopped one, must not hang start. */
static void wait_exec(pid_t pid)
{
    char path[64], comm[32];
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    for (int i = 0; i < 2000; i++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        ssize_t n = read(fd, comm, sizeof(comm) - 1);
        close(fd);
        if (n <= 0)
            return;
        comm[n] = '\0';
        if (strcmp(comm, "nsbox-gate\n") != 0)
            return;
        usleep(500);
    }
}

int cmd_start(const struct oci_global *g, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, 0, false, NULL, NULL, NULL}};
    int first = cli_parse("start", argc, argv, opts);
    if (first < 0 || cli_nargs("start", argc, first, 1, 1) < 0)
        return -1;
    struct oci_state st;
    if (state_open(&st, g->root, argv[first], true) < 0) {
        state_close(&st);
        return -1;
    }
    pid_t pid;
    const char *status = state_status(&st, &pid);
    int ret = 0;
    json_t *config = NULL;
    if (strcmp(status, "stopped") == 0)
        ret = oci_err("cannot start a container that has stopped");
    else if (strcmp(status, "created") != 0)
        ret = oci_err("cannot start an already running container");
    if (ret == 0 && !(config = state_config(&st)))
        ret = -1;
    json_t *pub = ret == 0 ? state_public(&st) : NULL;
    if (ret == 0 && hooks_run(config, "startContainer", pub) < 0) {
        /* the spec: a failing startContainer hook stops the container */
        int fd = state_pidfd(&st);
        if (fd >= 0) {
            syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
            close(fd);
        }
        ret = -1;
    }
    if (ret == 0)
        ret = release_gate(&st);
    if (ret == 0) {
        /* only the hooks need the wait: start returns at once without */
        if (json_array_size(json_object_get(json_object_get(config, "hooks"), "poststart")))
            wait_exec(pid);
        json_decref(pub);
        pub = state_public(&st);
        /* poststart failures are warnings: the container runs already */
        if (hooks_run(config, "poststart", pub) < 0)
            oci_warn("%s", oci_errmsg());
    }
    json_decref(pub);
    json_decref(config);
    state_close(&st);
    return ret;
}
