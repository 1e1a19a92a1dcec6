/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json "hooks": checked at create, run with the container's state
 * JSON on stdin, each under its timeout. Where they run differs from runc
 * (the man page says so): every hook runs in nsbox-oci's own namespaces,
 * and prestart/createRuntime run after the container's whole setup (its
 * mounts and pivot_root included), because nsbox_spawn() returns only
 * then; createContainer right after them, startContainer in `start` just
 * before the container's process is released. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static const char *const hook_kinds[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
    NULL};

static int check_strings(json_t *h, const char *field, const char *key)
{
    json_t *arr = NULL;
    char path[128];
    snprintf(path, sizeof(path), "%s.%s", field, key);
    if (cfg_arr(h, field, key, &arr) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const char *s;
        if (cfg_elem_str(arr, path, i, &s) < 0)
            return -1;
    }
    return 0;
}

int hooks_check(json_t *config)
{
    json_t *hooks = NULL;
    if (cfg_obj(config, "", "hooks", &hooks) < 0)
        return -1;
    const char *kind;
    json_t *list;
    json_object_foreach(hooks, kind, list)
    {
        size_t k = 0;
        while (hook_kinds[k] && strcmp(hook_kinds[k], kind) != 0)
            k++;
        if (!hook_kinds[k])
            return oci_err("config.json: hooks.%s: unknown kind of hook", kind);
        char path[64];
        snprintf(path, sizeof(path), "hooks.%s", kind);
        if (json_is_null(list))
            continue;
        if (!json_is_array(list))
            return oci_err("config.json: %s: expected an array", path);
        for (size_t i = 0; i < json_array_size(list); i++) {
            char field[96];
            json_t *h;
            const char *p = NULL;
            int64_t timeout = 0;
            snprintf(field, sizeof(field), "%s[%zu]", path, i);
            if (cfg_elem_obj(list, path, i, &h) < 0 || cfg_str(h, field, "path", &p) < 0 ||
                cfg_int(h, field, "timeout", 1, INT64_C(86400) * 365, &timeout) < 0 ||
                check_strings(h, field, "args") < 0 || check_strings(h, field, "env") < 0)
                return -1;
            if (!p || p[0] != '/')
                return oci_err("config.json: %s.path: %s", field,
                               p ? "not an absolute path" : "missing");
        }
    }
    return 0;
}

/* A NULL-terminated array of the strings of arr (pointers into it). */
static char **strv(json_t *arr, const char *first)
{
    size_t n = json_array_size(arr);
    char **v = calloc(n + 2, sizeof(char *));
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = (char *)json_string_value(json_array_get(arr, i));
    if (n == 0 && first)
        v[0] = (char *)first;
    return v;
}

/* Waits for the hook up to timeout seconds (0: forever); kills it after. */
static int wait_hook(pid_t pid, int pidfd, int64_t timeout, const char *name)
{
    if (pidfd >= 0 && timeout > 0) {
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        int r;
        do
            r = poll(&p, 1, (int)(timeout > INT32_MAX / 1000 ? INT32_MAX : timeout * 1000));
        while (r < 0 && errno == EINTR);
        if (r == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return oci_err("%s: timed out after %lld s", name, (long long)timeout);
        }
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return oci_err("%s: waitpid: %s", name, strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        return oci_err("%s: killed by signal %d", name, WTERMSIG(status));
    return oci_err("%s: exit status %d", name, WEXITSTATUS(status));
}

static int run_one(json_t *h, const char *name, const char *state)
{
    const char *path = json_string_value(json_object_get(h, "path"));
    json_int_t timeout = json_integer_value(json_object_get(h, "timeout"));
    char **argv = strv(json_object_get(h, "args"), path);
    char **envp = strv(json_object_get(h, "env"), NULL);
    int pfd[2] = {-1, -1};
    if (!argv || !envp || pipe2(pfd, O_CLOEXEC) < 0) {
        free(argv);
        free(envp);
        return oci_err("%s: %s", name, strerror(errno ? errno : ENOMEM));
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[0], 0);
        execve(path, argv, envp);
        dprintf(2, "nsbox-oci: %s: exec %s: %s\n", name, path, strerror(errno));
        _exit(127);
    }
    free(argv);
    free(envp);
    close(pfd[0]);
    if (pid < 0) {
        close(pfd[1]);
        return oci_err("%s: fork: %s", name, strerror(errno));
    }
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    /* A hook that does not read its stdin must not block us: the state is
     * small (below the pipe's buffer) and EPIPE is ignored. */
    void (*old)(int) = signal(SIGPIPE, SIG_IGN);
    if (write(pfd[1], state, strlen(state)) < 0) {
        /* the hook closed its stdin early: its business */
    }
    signal(SIGPIPE, old);
    close(pfd[1]);
    int ret = wait_hook(pid, pidfd, timeout, name);
    if (pidfd >= 0)
        close(pidfd);
    return ret;
}

int hooks_run(json_t *config, const char *kind, json_t *state)
{
    json_t *list = json_object_get(json_object_get(config, "hooks"), kind);
    if (!json_array_size(list))
        return 0;
    char *s = json_dumps(state, JSON_COMPACT);
    if (!s)
        return oci_err("out of memory");
    /* A failing poststart or poststop hook is a warning and the remaining
     * hooks still run (runtime.md, lifecycle steps 9 and 12): each failure
     * is logged here and the result is 0. The others stop at the first. */
    bool warn_only = strcmp(kind, "poststart") == 0 || strcmp(kind, "poststop") == 0;
    int ret = 0;
    for (size_t i = 0; i < json_array_size(list) && ret == 0; i++) {
        char name[128];
        snprintf(name, sizeof(name), "%s hook %s", kind,
                 json_string_value(json_object_get(json_array_get(list, i), "path")));
        ret = run_one(json_array_get(list, i), name, s);
        if (ret < 0 && warn_only) {
            oci_warn("%s", oci_errmsg());
            ret = 0;
        }
    }
    free(s);
    return ret;
}
