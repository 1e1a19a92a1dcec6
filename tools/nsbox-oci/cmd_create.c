/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* create: config.json -> recipe (a bad field fails before anything
 * exists), the state directory, the exec gate (a fifo in the state
 * directory that `start` writes one byte to), nsbox_spawn() with the
 * container's process as PID 1 waiting at the gate, state.json, the
 * create-time hooks, --pid-file, and detach: the process outlives us and
 * is re-parented to the engine's subreaper. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

struct create_opts {
    const char *bundle, *pid_file, *console_socket, *preserve_fds;
    bool no_pivot, no_new_keyring;
};

static char *now_rfc3339(void)
{
    struct timespec ts;
    struct tm tm;
    char buf[64], *out = NULL;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    if (asprintf(&out, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
        return NULL;
    return out;
}

/* The gate: a fifo only root (the state directory is 0700) can reach,
 * opened read-write so that neither open blocks and the container never
 * sees EOF while it waits. */
static int open_gate(struct oci_state *st)
{
    if (mkfifoat(st->dirfd, "exec.fifo", 0600) < 0)
        return oci_err("mkfifo %s/exec.fifo: %s", st->dir, strerror(errno));
    int fd = openat(st->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return oci_err("open %s/exec.fifo: %s", st->dir, strerror(errno));
    return fd;
}

static int preserve_fds(nsbox *box, const char *n)
{
    if (!n)
        return 0;
    char *end;
    long count = strtol(n, &end, 10);
    if (end == n || *end || count < 0 || count > 1024)
        return oci_err("--preserve-fds: invalid value %s", n);
    for (long fd = 3; fd < 3 + count; fd++) {
        int ret = nsbox_pass_fd(box, (int)fd, (int)fd);
        if (ret < 0)
            return oci_err("--preserve-fds: fd %ld: %s", fd, nsbox_errmsg(box));
    }
    return 0;
}

static int save_state(struct oci_state *st, struct oci_spec *spec, nsbox_proc *proc)
{
    pid_t pid = nsbox_proc_pid(proc);
    const char *cgroup = nsbox_proc_cgroup(proc);
    char *created = now_rfc3339();
    json_t *ann = json_object_get(spec->config, "annotations");
    json_t *j = st->json;
    json_object_set_new(j, "ociVersion", json_string(OCI_VERSION));
    json_object_set_new(j, "id", json_string(st->id));
    json_object_set_new(j, "pid", json_integer(pid));
    json_object_set_new(j, "pidStart", json_integer((json_int_t)state_pid_start(pid)));
    json_object_set_new(j, "bundle", json_string(spec->bundle));
    json_object_set_new(j, "rootfs", json_string(spec->rootfs ? spec->rootfs : ""));
    json_object_set_new(j, "created", json_string(created ? created : ""));
    json_object_set_new(j, "owner", json_integer(geteuid()));
    if (cgroup)
        json_object_set_new(j, "cgroup", json_string(cgroup));
    if (json_is_object(ann))
        json_object_set(j, "annotations", ann);
    free(created);
    char *path = NULL;
    if (asprintf(&path, "%s/config.json", st->dir) < 0)
        return oci_err("out of memory");
    int ret = json_dump_file(spec->config, path, JSON_COMPACT) < 0
                  ? oci_err("write %s: %s", path, strerror(errno))
                  : 0;
    free(path);
    return ret < 0 ? ret : state_save(st);
}

static int write_pid_file(const char *path, pid_t pid)
{
    if (!path)
        return 0;
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", (int)pid);
    return write_file_atomic(path, buf);
}

/* The hooks that run before create returns, with the state as it will be
 * ("created"). */
static int create_hooks(struct oci_state *st, json_t *config)
{
    static const char *const kinds[] = {"prestart", "createRuntime", "createContainer"};
    json_t *pub = state_public(st);
    int ret = pub ? 0 : oci_err("out of memory");
    for (size_t i = 0; i < 3 && ret == 0; i++)
        ret = hooks_run(config, kinds[i], pub);
    json_decref(pub);
    return ret;
}

/* After the state directory exists: everything that may fail leaves it,
 * and the process, behind unless it all succeeded. */
static int create_in_state(const struct oci_global *g, struct oci_spec *spec, nsbox *box,
                           const struct create_opts *o)
{
    struct oci_state st;
    int gate = -1, ret;
    nsbox_proc *proc = NULL;
    if (state_create(&st, g->root, spec->id) < 0)
        return -1;
    ret = 0;
    if ((gate = open_gate(&st)) < 0)
        ret = -1;
    if (ret == 0 && nsbox_set_exec_gate(box, gate) < 0)
        ret = oci_err("exec gate: %s", nsbox_errmsg(box));
    /* stdio: a pty of the container with process.terminal, else ours
     * (the engine's pipes or its terminal); /dev/console is the terminal,
     * as runtime-linux.md asks */
    if (ret == 0 && spec->terminal)
        ret = console_recipe(box, spec, o->console_socket, true);
    if (ret == 0)
        ret = preserve_fds(box, o->preserve_fds);
    if (ret == 0 && nsbox_spawn(box, spec->argv, &proc) < 0)
        ret = oci_err("%s", nsbox_errmsg(box));
    if (gate >= 0)
        close(gate);
    if (ret == 0 && spec->terminal)
        ret = console_send(proc, o->console_socket);
    if (ret == 0)
        ret = save_state(&st, spec, proc);
    if (ret == 0)
        ret = create_hooks(&st, spec->config);
    if (ret == 0)
        ret = write_pid_file(o->pid_file, nsbox_proc_pid(proc));
    if (ret == 0) {
        nsbox_proc_detach(proc);
    } else {
        /* kills, reaps and removes the cgroup: nothing stays */
        nsbox_proc_free(proc);
        state_remove(&st);
    }
    state_close(&st);
    return ret;
}

int cmd_create(const struct oci_global *g, int argc, char **argv)
{
    struct create_opts o = {.bundle = "."};
    const struct cli_opt opts[] = {
        {"bundle", 'b', true, &o.bundle, NULL, NULL},
        {"pid-file", 0, true, &o.pid_file, NULL, NULL},
        {"console-socket", 0, true, &o.console_socket, NULL, NULL},
        {"preserve-fds", 0, true, &o.preserve_fds, NULL, NULL},
        {"no-pivot", 0, false, NULL, &o.no_pivot, NULL},
        {"no-new-keyring", 0, false, NULL, &o.no_new_keyring, NULL},
        {NULL, 0, false, NULL, NULL, NULL},
    };
    int first = cli_parse("create", argc, argv, opts);
    if (first < 0 || cli_nargs("create", argc, first, 1, 1) < 0)
        return -1;
    const char *id = argv[first];
    if (state_check_id(id) < 0)
        return -1;
    char *bundle = realpath(o.bundle, NULL);
    if (!bundle)
        return oci_err("nsbox-oci create failed: bundle %s: %s", o.bundle, strerror(errno));
    char *config_path = NULL;
    if (asprintf(&config_path, "%s/config.json", bundle) < 0) {
        free(bundle);
        return oci_err("out of memory");
    }
    struct oci_spec spec = {.bundle = bundle, .id = id};
    nsbox *box = nsbox_new();
    int ret = box ? 0 : oci_err("out of memory");
    if (ret == 0 && !(spec.config = oci_config_load(config_path)))
        ret = -1;
    if (ret == 0)
        ret = oci_spec_apply(&spec, box);
    if (ret == 0)
        ret = create_in_state(g, &spec, box, &o);
    oci_spec_free(&spec);
    json_decref(spec.config);
    nsbox_free(box);
    free(config_path);
    free(bundle);
    return ret < 0 ? -1 : 0;
}
