/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ps (the container's processes, from its cgroup) and list (the
 * containers under --root). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

/* The pids in the container's cgroup, malloc'd; *n their count. */
static pid_t *cgroup_pids(struct oci_state *st, size_t *n)
{
    const char *cg = json_string_value(json_object_get(st->json, "cgroup"));
    if (!cg) {
        oci_err("ps: the container has no cgroup of its own (rootless without "
                "linux.cgroupsPath)");
        return NULL;
    }
    nsbox *box = nsbox_new();
    pid_t *pids = NULL;
    size_t cap = 64;
    for (int tries = 0; box && tries < 8; tries++, cap *= 4) {
        free(pids);
        pids = calloc(cap, sizeof(pid_t));
        if (!pids)
            break;
        int ret = nsbox_cgroup_pids(box, cg, pids, cap);
        if (ret < 0) {
            oci_err("ps: %s", nsbox_errmsg(box));
            free(pids);
            pids = NULL;
            break;
        }
        if ((size_t)ret <= cap) {
            *n = (size_t)ret;
            nsbox_free(box);
            return pids;
        }
    }
    if (!box || (!pids && !oci_errmsg()[0]))
        oci_err("out of memory");
    nsbox_free(box);
    free(pids);
    return NULL;
}

/* `ps ARGS` (default -ef) filtered to the container's pids: the header
 * line and every line whose PID column is one of them. */
static int ps_table(const pid_t *pids, size_t n, int argc, char **argv)
{
    char **args = calloc((size_t)argc + 3, sizeof(char *));
    if (!args)
        return oci_err("out of memory");
    int k = 0;
    args[k++] = "ps";
    if (argc == 0)
        args[k++] = "-ef";
    for (int i = 0; i < argc; i++)
        args[k++] = argv[i];
    int pfd[2];
    if (pipe(pfd) < 0) {
        free(args);
        return oci_err("pipe: %s", strerror(errno));
    }
    pid_t child = fork();
    if (child == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        execvp("ps", args);
        _exit(127);
    }
    free(args);
    close(pfd[1]);
    FILE *f = fdopen(pfd[0], "r");
    char *line = NULL;
    size_t cap = 0;
    int pid_col = -1;
    while (f && getline(&line, &cap, f) > 0) {
        if (pid_col < 0) {
            /* the header names the columns */
            char *copy = strdup(line), *save = NULL;
            int col = 0;
            for (char *t = strtok_r(copy, " \t\n", &save); t;
                 t = strtok_r(NULL, " \t\n", &save), col++)
                if (strcmp(t, "PID") == 0)
                    pid_col = col;
            free(copy);
            fputs(line, stdout);
            if (pid_col < 0)
                break;
            continue;
        }
        char *copy = strdup(line), *save = NULL, *t = strtok_r(copy, " \t\n", &save);
        for (int col = 0; t && col < pid_col; col++)
            t = strtok_r(NULL, " \t\n", &save);
        long pid = t ? strtol(t, NULL, 10) : 0;
        for (size_t i = 0; i < n; i++)
            if (pids[i] == pid)
                fputs(line, stdout);
        free(copy);
    }
    free(line);
    if (f)
        fclose(f);
    int status;
    waitpid(child, &status, 0);
    if (pid_col < 0)
        return oci_err("ps: the output of ps has no PID column");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : oci_err("ps: ps failed");
}

int cmd_ps(const struct oci_global *g, int argc, char **argv)
{
    const char *format = "table";
    const struct cli_opt opts[] = {{"format", 'f', true, &format, NULL, NULL},
                                   {NULL, 0, false, NULL, NULL, NULL}};
    int first = cli_parse("ps", argc, argv, opts);
    if (first < 0 || cli_nargs("ps", argc, first, 1, 1 << 20) < 0)
        return -1;
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return oci_err("invalid format option");
    struct oci_state st;
    if (state_open(&st, g->root, argv[first], false) < 0) {
        state_close(&st);
        return -1;
    }
    size_t n = 0;
    pid_t *pids = cgroup_pids(&st, &n);
    int ret = pids ? 0 : -1;
    if (ret == 0 && strcmp(format, "json") == 0) {
        printf("[");
        for (size_t i = 0; i < n; i++)
            printf("%s%d", i ? "," : "", (int)pids[i]);
        printf("]\n");
    } else if (ret == 0) {
        ret = ps_table(pids, n, argc - first - 1, argv + first + 1);
    }
    free(pids);
    state_close(&st);
    return ret;
}

int cmd_list(const struct oci_global *g, int argc, char **argv)
{
    const char *format = "table";
    bool quiet = false;
    const struct cli_opt opts[] = {{"format", 'f', true, &format, NULL, NULL},
                                   {"quiet", 'q', false, NULL, &quiet, NULL},
                                   {NULL, 0, false, NULL, NULL, NULL}};
    int first = cli_parse("list", argc, argv, opts);
    if (first < 0 || cli_nargs("list", argc, first, 0, 0) < 0)
        return -1;
    bool json = strcmp(format, "json") == 0;
    json_t *all = json_array();
    DIR *d = opendir(g->root);
    if (!d && errno != ENOENT) {
        json_decref(all);
        return oci_err("open %s: %s", g->root, strerror(errno));
    }
    if (!json && !quiet)
        printf("%-12s%-12s%-12s%s\n", "ID", "PID", "STATUS", "BUNDLE");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        struct oci_state st;
        if (de->d_name[0] == '.' || state_open(&st, g->root, de->d_name, false) < 0) {
            if (de->d_name[0] != '.')
                state_close(&st);
            continue;
        }
        json_t *pub = state_public(&st);
        if (quiet)
            printf("%s\n", st.id);
        else if (json)
            json_array_append(all, pub);
        else
            printf("%-12s%-12lld%-12s%s\n", st.id,
                   (long long)json_integer_value(json_object_get(pub, "pid")),
                   json_string_value(json_object_get(pub, "status")),
                   json_string_value(json_object_get(pub, "bundle")));
        json_decref(pub);
        state_close(&st);
    }
    if (d)
        closedir(d);
    oci_err_clear();
    if (json && !quiet) {
        char *s = json_dumps(all, JSON_COMPACT);
        printf("%s\n", s ? s : "[]");
        free(s);
    }
    json_decref(all);
    return 0;
}
