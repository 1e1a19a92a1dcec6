/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: a new process in a running container. Its process object is
 * --process P.json, or the container's own (from the config create saved)
 * with the operands as args and the options applied, as runc builds it. It
 * joins every namespace of the container's process that differs from ours
 * (by fds of /proc/PID/ns, checked against a pidfd so that a reused pid
 * cannot lend its namespaces), the container's cgroup and seccomp filter,
 * and is waited for (exit status passed on) unless --detach. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

struct exec_opts {
    const char *process, *console_socket, *pid_file, *cwd, *user, *add_gids, *preserve_fds;
    const char *cgroup, *label, *apparmor;
    bool detach, tty, no_new_privs, ignore_paused;
    json_t *env, *caps;
};

static const struct {
    const char *file;
    unsigned ns;
} ns_files[] = {
    /* pid_for_children: the PID namespace the state's process makes its
     * children in (Linux 4.12 has the file). For the container's init,
     * which the library forks inside its PID namespace also with a
     * namespace joined by path (nsbox_proc_pid(3)), both files name its own
     * PID namespace; one it unshared later is below it. */
    {"user", NSBOX_NS_USER},     {"mnt", NSBOX_NS_MOUNT}, {"pid_for_children", NSBOX_NS_PID},
    {"net", NSBOX_NS_NET},       {"uts", NSBOX_NS_UTS},   {"ipc", NSBOX_NS_IPC},
    {"cgroup", NSBOX_NS_CGROUP}, {"time", NSBOX_NS_TIME},
};

/* Joins the namespaces of pid that are not ours. pidfd holds the process:
 * if it ended before the files were opened, they may be another's. */
static int join_container(nsbox *box, pid_t pid, int pidfd)
{
    for (size_t i = 0; i < sizeof(ns_files) / sizeof(ns_files[0]); i++) {
        char theirs[64], ours[64];
        struct stat a, b;
        snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns_files[i].file);
        snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns_files[i].file);
        int fd = open(theirs, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT && ns_files[i].ns == NSBOX_NS_TIME)
                continue; /* a kernel without time namespaces */
            return oci_err("exec: open %s: %s", theirs, strerror(errno));
        }
        if (fstat(fd, &a) < 0 || stat(ours, &b) < 0 ||
            (a.st_ino == b.st_ino && a.st_dev == b.st_dev)) {
            close(fd);
            continue;
        }
        int ret = nsbox_join_namespace(box, ns_files[i].ns, fd);
        close(fd);
        if (ret < 0)
            return oci_err("exec: join %s: %s", theirs, nsbox_errmsg(box));
    }
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    if (poll(&p, 1, 0) > 0)
        return oci_err("exec: the container's process ended");
    return 0;
}

/* "uid[:gid]" of --user. */
static int apply_user_opt(json_t *process, const char *user)
{
    char *end;
    unsigned long uid = strtoul(user, &end, 10), gid = 0;
    if (end == user || (*end && *end != ':'))
        return oci_err("exec: --user %s: expected UID[:GID]", user);
    if (*end == ':') {
        const char *g = end + 1;
        gid = strtoul(g, &end, 10);
        if (end == g || *end)
            return oci_err("exec: --user %s: expected UID[:GID]", user);
    }
    json_t *u = json_object_get(process, "user");
    if (!json_is_object(u))
        json_object_set_new(process, "user", u = json_object());
    json_object_set_new(u, "uid", json_integer((json_int_t)uid));
    json_object_set_new(u, "gid", json_integer((json_int_t)gid));
    return 0;
}

/* The container's process, with the command line's changes (runc's). */
static json_t *process_from_args(json_t *config, const struct exec_opts *o, int argc, char **argv)
{
    json_t *p = json_deep_copy(json_object_get(config, "process"));
    if (!json_is_object(p)) {
        json_decref(p);
        p = json_object();
    }
    json_t *args = json_array();
    for (int i = 0; i < argc; i++)
        json_array_append_new(args, json_string(argv[i]));
    json_object_set_new(p, "args", args);
    json_t *env = json_object_get(p, "env");
    if (!json_is_array(env))
        json_object_set_new(p, "env", env = json_array());
    json_array_extend(env, o->env);
    if (o->cwd)
        json_object_set_new(p, "cwd", json_string(o->cwd));
    json_object_set_new(p, "terminal", json_boolean(o->tty));
    if (o->no_new_privs)
        json_object_set_new(p, "noNewPrivileges", json_true());
    if (json_array_size(o->caps)) {
        json_t *caps = json_object_get(p, "capabilities");
        if (!json_is_object(caps))
            json_object_set_new(p, "capabilities", caps = json_object());
        static const char *const sets[] = {"bounding", "effective", "permitted", "ambient", NULL};
        for (size_t i = 0; sets[i]; i++) {
            json_t *set = json_object_get(caps, sets[i]);
            if (!json_is_array(set))
                json_object_set_new(caps, sets[i], set = json_array());
            json_array_extend(set, o->caps);
        }
    }
    if (o->user && apply_user_opt(p, o->user) < 0) {
        json_decref(p);
        return NULL;
    }
    return p;
}

static json_t *load_process(const char *path)
{
    json_error_t e;
    json_t *p = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(p)) {
        oci_err("exec: --process %s: %s", path, p ? "not a JSON object" : e.text);
        json_decref(p);
        return NULL;
    }
    return p;
}

/* Terminal, cgroup, seccomp, the namespaces: what the exec'd process
 * shares with the container. */
static int exec_recipe(struct oci_state *st, struct oci_spec *spec, nsbox *box,
                       const struct exec_opts *o, int pidfd)
{
    pid_t pid = (pid_t)json_integer_value(json_object_get(st->json, "pid"));
    const char *cg = json_string_value(json_object_get(st->json, "cgroup"));
    json_t *linux_ = json_object_get(spec->config, "linux");
    json_t *sc = json_object_get(linux_, "seccomp");
    if (join_container(box, pid, pidfd) < 0)
        return -1;
    if (cg && nsbox_set_cgroup_path(box, cg) < 0)
        return oci_err("exec: cgroup %s: %s", cg, nsbox_errmsg(box));
    /* the container's device rules (spec->deny_mknod) and seccomp */
    if (json_is_object(linux_) && spec_cgroup(spec, box, linux_) < 0)
        return -1;
    if (!json_is_object(sc))
        sc = NULL;
    if ((sc || spec->deny_mknod) && spec_seccomp(spec, box, sc) < 0)
        return -1;
    if (spec->terminal) {
        if (!o->console_socket)
            return oci_err("exec: --tty needs --console-socket");
        /* runc binds no /dev/console for an exec'd process */
        if (console_recipe(box, spec, o->console_socket, false) < 0)
            return -1;
    }
    /* not PID 1: the process joins the container's PID namespace */
    spec->flags &= ~(unsigned)NSBOX_AS_PID1;
    if (nsbox_set_flags(box, spec->flags) < 0)
        return oci_err("exec: %s", nsbox_errmsg(box));
    return 0;
}

/* The process execs through the library's helper (nsbox-init, exec'd
 * from a sealed memfd) behind a gate that is open already, not straight
 * from a stage that shares our memory and holds our fds: so its execve
 * resolves "#!/proc/self/exe" to that memfd, not to our binary on the host
 * (runc's CVE-2019-5736), and "#!/proc/self/fd/N/..." finds none of our
 * fds (CVE-2024-21626), which the helper's own exec has closed. */
static int open_gate(nsbox *box, int *gate)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return oci_err("exec: pipe: %s", strerror(errno));
    ssize_t n = write(fds[1], "0", 1);
    close(fds[1]);
    *gate = fds[0];
    if (n != 1)
        return oci_err("exec: write the gate: %s", strerror(errno));
    if (nsbox_set_exec_gate(box, *gate) < 0)
        return oci_err("exec: gate: %s", nsbox_errmsg(box));
    return 0;
}

static int write_pid(const char *path, pid_t pid)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%d", (int)pid);
    return path ? write_file_atomic(path, buf) : 0;
}

/* The exec'd process's status in shell form. The library's reap leaves
 * the container's cgroup as it was: it did not make it (nsbox_cgroup(3)). */
static int wait_child(nsbox_proc *proc)
{
    int status = nsbox_wait(proc, -1);
    if (status < 0)
        return oci_err("exec: %s", nsbox_proc_errmsg(proc));
    return status;
}

static int run_exec(struct oci_state *st, json_t *process, const struct exec_opts *o)
{
    json_t *config = state_config(st);
    if (!config)
        return -1;
    struct oci_spec spec = {.config = config, .id = st->id, .for_exec = true};
    nsbox *box = nsbox_new();
    nsbox_proc *proc = NULL;
    int pidfd = state_pidfd(st), gate = -1, ret = 0;
    if (!box)
        ret = oci_err("out of memory");
    else if (pidfd < 0)
        ret = oci_err("cannot exec in a stopped container");
    if (ret == 0)
        ret = spec_process(&spec, box, process);
    if (ret == 0)
        ret = spec_caps(&spec, box);
    if (ret == 0)
        ret = exec_recipe(st, &spec, box, o, pidfd);
    if (ret == 0)
        ret = open_gate(box, &gate);
    if (ret == 0 && nsbox_spawn(box, spec.argv, &proc) < 0)
        ret = oci_err("exec failed: %s", nsbox_errmsg(box));
    if (gate >= 0)
        close(gate);
    if (ret == 0 && spec.terminal)
        ret = console_send(proc, o->console_socket);
    if (ret == 0)
        ret = write_pid(o->pid_file, nsbox_proc_pid(proc));
    if (ret == 0 && !o->detach)
        ret = wait_child(proc);
    /* Detached: the handle goes, the process lives on. Else it was reaped,
     * or it is killed here (alone: the container's cgroup is not the
     * exec's, nsbox_kill(3)). */
    if (proc && ret >= 0 && o->detach)
        nsbox_proc_detach(proc);
    else
        nsbox_proc_free(proc);
    if (pidfd >= 0)
        close(pidfd);
    nsbox_free(box);
    oci_spec_free(&spec);
    json_decref(config);
    return ret;
}

int cmd_exec(const struct oci_global *g, int argc, char **argv)
{
    struct exec_opts o = {.env = json_array(), .caps = json_array()};
    const struct cli_opt opts[] = {
        {"process", 'p', true, &o.process, NULL, NULL},
        {"console-socket", 0, true, &o.console_socket, NULL, NULL},
        {"pid-file", 0, true, &o.pid_file, NULL, NULL},
        {"cwd", 0, true, &o.cwd, NULL, NULL},
        {"user", 'u', true, &o.user, NULL, NULL},
        {"additional-gids", 'g', true, &o.add_gids, NULL, NULL},
        {"preserve-fds", 0, true, &o.preserve_fds, NULL, NULL},
        {"cgroup", 0, true, &o.cgroup, NULL, NULL},
        {"process-label", 0, true, &o.label, NULL, NULL},
        {"apparmor", 0, true, &o.apparmor, NULL, NULL},
        {"env", 'e', true, NULL, NULL, o.env},
        {"cap", 'c', true, NULL, NULL, o.caps},
        {"detach", 'd', false, NULL, &o.detach, NULL},
        {"tty", 't', false, NULL, &o.tty, NULL},
        {"no-new-privs", 0, false, NULL, &o.no_new_privs, NULL},
        {"ignore-paused", 0, false, NULL, &o.ignore_paused, NULL},
        {NULL, 0, false, NULL, NULL, NULL},
    };
    int first = cli_parse("exec", argc, argv, opts), ret = -1;
    struct oci_state st = {.dirfd = -1};
    json_t *process = NULL;
    if (first < 0 || cli_nargs("exec", argc, first, o.process ? 1 : 2, o.process ? 1 : 1 << 20) < 0)
        goto out;
    if ((o.label && *o.label) || (o.apparmor && *o.apparmor) || (o.add_gids && *o.add_gids) ||
        (o.preserve_fds && strcmp(o.preserve_fds, "0") != 0) || (o.cgroup && *o.cgroup)) {
        ret = oci_err("exec: --process-label, --apparmor, --additional-gids, --preserve-fds and "
                      "--cgroup are not supported by nsbox-oci");
        goto out;
    }
    if (state_open(&st, g->root, argv[first], false) < 0)
        goto out;
    pid_t pid;
    const char *status = state_status(&st, &pid);
    if (strcmp(status, "stopped") == 0) {
        ret = oci_err("cannot exec in a stopped container");
        goto out;
    }
    if (strcmp(status, "paused") == 0 && !o.ignore_paused) {
        ret = oci_err("cannot exec in a paused container (use --ignore-paused to override)");
        goto out;
    }
    if (o.process) {
        process = load_process(o.process);
    } else {
        json_t *config = state_config(&st);
        process = config ? process_from_args(config, &o, argc - first - 1, argv + first + 1) : NULL;
        json_decref(config);
    }
    if (!process)
        goto out;
    ret = run_exec(&st, process, &o);
out:
    json_decref(process);
    json_decref(o.env);
    json_decref(o.caps);
    state_close(&st);
    return ret;
}
