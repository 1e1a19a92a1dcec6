/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The commands on an existing container: state, kill, delete, pause,
 * resume. The cgroup ones go through the library's nsbox_cgroup_* calls on
 * the path create recorded (v1, hybrid and v2 alike). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "oci.h"

/* Opens the container named by the one operand; for every command here. */
static int open_one(const struct oci_global *g, const char *cmd, int argc, char **argv,
                    const struct cli_opt *opts, int max, bool exclusive, struct oci_state *st)
{
    int first = cli_parse(cmd, argc, argv, opts);
    st->dirfd = -1;
    st->json = NULL;
    st->dir = NULL;
    if (first < 0 || cli_nargs(cmd, argc, first, 1, max) < 0)
        return -1;
    return state_open(st, g->root, argv[first], exclusive) < 0 ? -1 : first;
}

static const char *cgroup_of(struct oci_state *st)
{
    return json_string_value(json_object_get(st->json, "cgroup"));
}

/* A library call on the container's cgroup, with the box for its message. */
static int cgroup_call(struct oci_state *st, const char *what,
                       int (*fn)(nsbox *, const char *, int), int arg)
{
    const char *cg = cgroup_of(st);
    if (!cg)
        return oci_err("%s: the container has no cgroup of its own (rootless without "
                       "linux.cgroupsPath)",
                       what);
    nsbox *box = nsbox_new();
    if (!box)
        return oci_err("out of memory");
    int ret = fn(box, cg, arg);
    if (ret < 0)
        oci_err("%s: %s", what, nsbox_errmsg(box));
    nsbox_free(box);
    return ret < 0 ? -1 : 0;
}

int cmd_state(const struct oci_global *g, int argc, char **argv)
{
    const struct cli_opt opts[] = {{NULL, 0, false, NULL, NULL, NULL}};
    struct oci_state st;
    int ret = open_one(g, "state", argc, argv, opts, 1, false, &st);
    if (ret >= 0) {
        json_t *pub = state_public(&st);
        char *s = pub ? json_dumps(pub, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        ret = s ? printf("%s\n", s) : oci_err("out of memory");
        free(s);
        json_decref(pub);
    }
    state_close(&st);
    return ret < 0 ? -1 : 0;
}

static int signal_pid(struct oci_state *st, int sig)
{
    int fd = state_pidfd(st);
    if (fd < 0)
        return oci_err("container not running");
    int ret = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
    int e = errno;
    close(fd);
    if (ret < 0 && e != ESRCH)
        return oci_err("kill: %s", strerror(e));
    return 0;
}

int cmd_kill(const struct oci_global *g, int argc, char **argv)
{
    bool all = false;
    const char *sig_opt = NULL;
    const struct cli_opt opts[] = {{"all", 'a', false, NULL, &all, NULL},
                                   {"signal", 's', true, &sig_opt, NULL, NULL},
                                   {NULL, 0, false, NULL, NULL, NULL}};
    struct oci_state st;
    int first = open_one(g, "kill", argc, argv, opts, 2, false, &st), ret = -1;
    if (first >= 0) {
        const char *name = first + 1 < argc ? argv[first + 1] : sig_opt ? sig_opt : "SIGTERM";
        int sig = signal_parse(name);
        pid_t pid;
        const char *status = sig > 0 ? state_status(&st, &pid) : "";
        if (sig < 0)
            ret = -1;
        else if (strcmp(status, "stopped") == 0 && !(all && cgroup_of(&st)))
            ret = oci_err("container not running");
        else if (all && cgroup_of(&st))
            ret = cgroup_call(&st, "kill --all", nsbox_cgroup_kill, sig);
        else
            ret = signal_pid(&st, sig);
    }
    state_close(&st);
    return ret < 0 ? -1 : 0;
}

/* Waits until the pidfd's process ended, up to ms. */
static bool wait_gone(int pidfd, int ms)
{
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    return poll(&p, 1, ms) > 0;
}

/* Ends every process of the container: through its cgroup when it has one
 * (which also removes the cgroup), else its init (the PID namespace's end
 * takes the rest). */
static int destroy(struct oci_state *st)
{
    if (cgroup_of(st)) {
        if (json_is_true(json_object_get(st->json, "paused")))
            cgroup_call(st, "delete: thaw", nsbox_cgroup_freeze, 0);
        nsbox *box = nsbox_new();
        if (!box)
            return oci_err("out of memory");
        int ret = nsbox_cgroup_destroy(box, cgroup_of(st));
        if (ret < 0 && ret != -ENOENT)
            oci_err("delete: %s", nsbox_errmsg(box));
        nsbox_free(box);
        return ret < 0 && ret != -ENOENT ? -1 : 0;
    }
    int fd = state_pidfd(st);
    if (fd < 0)
        return 0;
    syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
    bool gone = wait_gone(fd, 10000);
    close(fd);
    return gone ? 0 : oci_err("delete: the container's process did not end after SIGKILL");
}

int cmd_delete(const struct oci_global *g, int argc, char **argv)
{
    bool force = false;
    const struct cli_opt opts[] = {{"force", 'f', false, NULL, &force, NULL},
                                   {NULL, 0, false, NULL, NULL, NULL}};
    struct oci_state st;
    int first = open_one(g, "delete", argc, argv, opts, 1, true, &st), ret = -1;
    if (first >= 0) {
        pid_t pid;
        const char *status = state_status(&st, &pid);
        bool live = strcmp(status, "running") == 0 || strcmp(status, "paused") == 0;
        if (live && !force) {
            ret = oci_err("cannot delete container %s that is not stopped: %s", st.id, status);
        } else {
            json_t *pub = state_public(&st), *config = state_config(&st);
            ret = destroy(&st);
            /* poststop failures are warnings: the container is gone */
            if (ret == 0 && config && hooks_run(config, "poststop", pub) < 0)
                oci_warn("%s", oci_errmsg());
            if (ret == 0)
                ret = state_remove(&st);
            json_decref(pub);
            json_decref(config);
        }
    }
    state_close(&st);
    return ret < 0 ? -1 : 0;
}

static int freeze(const struct oci_global *g, int argc, char **argv, bool frozen)
{
    const char *cmd = frozen ? "pause" : "resume";
    const struct cli_opt opts[] = {{NULL, 0, false, NULL, NULL, NULL}};
    struct oci_state st;
    int ret = open_one(g, cmd, argc, argv, opts, 1, true, &st);
    if (ret >= 0) {
        pid_t pid;
        const char *status = state_status(&st, &pid);
        if (frozen && strcmp(status, "running") != 0)
            ret = oci_err("container not running");
        else if (!frozen && strcmp(status, "paused") != 0)
            ret = oci_err("container not paused");
        else
            ret = cgroup_call(&st, cmd, nsbox_cgroup_freeze, frozen);
        if (ret >= 0) {
            json_object_set_new(st.json, "paused", json_boolean(frozen));
            ret = state_save(&st);
        }
    }
    state_close(&st);
    return ret < 0 ? -1 : 0;
}

int cmd_pause(const struct oci_global *g, int argc, char **argv)
{
    return freeze(g, argc, argv, true);
}

int cmd_resume(const struct oci_global *g, int argc, char **argv)
{
    return freeze(g, argc, argv, false);
}
