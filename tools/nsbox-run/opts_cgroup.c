/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of cgroup limits and the status report:
 * --memory, --pids, --cpus, --cgroup-limit, --cgroup-parent,
 * --json-status-fd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static int limit(struct run_ctx *ctx, const char *key, const char *value)
{
    int r = nsbox_set_cgroup_limit(ctx->box, key, value);
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static int opt_memory(struct run_ctx *ctx, char **args)
{
    return limit(ctx, "memory.max", args[0]);
}

static int opt_pids(struct run_ctx *ctx, char **args)
{
    return limit(ctx, "pids.max", args[0]);
}

/* A fraction of one CPU ("0.5", "2") as cpu.max over a 100 ms period. */
static int opt_cpus(struct run_ctx *ctx, char **args)
{
    char *end;
    double cpus = strtod(args[0], &end);
    if (end == args[0] || *end || !(cpus > 0) || cpus > 1e6)
        return run_error("Invalid --cpus %s: a positive fraction of one CPU", args[0]);
    char value[64];
    long quota = (long)(cpus * 100000 + 0.5);
    snprintf(value, sizeof(value), "%ld 100000", quota < 1000 ? 1000 : quota);
    return limit(ctx, "cpu.max", value);
}

static int opt_cgroup_limit(struct run_ctx *ctx, char **args)
{
    char *eq = strchr(args[0], '=');
    if (!eq || eq == args[0])
        return run_error("Invalid --cgroup-limit %s: KEY=VALUE expected", args[0]);
    *eq = '\0';
    int r = limit(ctx, args[0], eq + 1);
    *eq = '=';
    return r;
}

static int opt_cgroup_parent(struct run_ctx *ctx, char **args)
{
    int r = nsbox_set_cgroup_parent(ctx->box, args[0]);
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

static int opt_json_status_fd(struct run_ctx *ctx, char **args)
{
    long fd = run_parse_num(args[0]);
    if (fd < 0)
        return run_error("Invalid fd: %s", args[0]);
    ctx->json_status_fd = (int)fd;
    run_reserve_fd((int)fd);
    return 0;
}

static const struct run_opt cgroup_opts[] = {
    {"--memory", 1, opt_memory, "SIZE", "Limit memory (memory.max; K/M/G/T suffixes)"},
    {"--pids", 1, opt_pids, "N", "Limit the number of processes (pids.max)"},
    {"--cpus", 1, opt_cpus, "FRACTION", "Limit CPU time to FRACTION of one CPU (cpu.max)"},
    {"--cgroup-limit", 1, opt_cgroup_limit, "KEY=VALUE", "Set a cgroup v2 limit file"},
    {"--cgroup-parent", 1, opt_cgroup_parent, "PATH", "Make the sandbox's cgroup under PATH"},
    {"--json-status-fd", 1, opt_json_status_fd, "FD",
     "Write child-pid, exit-code and cgroup usage as JSON to FD"},
    {NULL, 0, NULL, NULL, NULL},
};

const struct run_module run_module_cgroup = {cgroup_opts, NULL, NULL};

/* bwrap's --json-status-fd lines: {"child-pid": N, <namespaces>} once it
 * runs, then {"exit-code": N, ...} with the cgroup usage report. A failed
 * write fails nsbox-run, as in bwrap (SIGPIPE is ignored: EPIPE). */
static int cgroup_started(struct run_ctx *ctx, nsbox_proc *proc)
{
    if (ctx->json_status_fd < 0)
        return 0;
    char body[900], line[1024];
    run_status_doc(ctx, proc, ", ", body, sizeof(body));
    int len = snprintf(line, sizeof(line), "{ %s }\n", body);
    return run_write_all(ctx->json_status_fd, "json_status_fd", line, (size_t)len);
}

static int cgroup_ended(struct run_ctx *ctx, nsbox_proc *proc, int status)
{
    if (ctx->json_status_fd < 0)
        return 0;
    char line[256];
    int len = snprintf(line, sizeof(line),
                       "{ \"exit-code\": %d, \"oom-killed\": %s, \"memory-peak\": %llu, "
                       "\"cpu-usec\": %llu }\n",
                       status, nsbox_proc_oom_killed(proc) ? "true" : "false",
                       (unsigned long long)nsbox_proc_memory_peak(proc),
                       (unsigned long long)nsbox_proc_cpu_usec(proc));
    return run_write_all(ctx->json_status_fd, "json_status_fd", line, (size_t)len);
}

const struct run_hooks run_hooks_cgroup = {cgroup_started, cgroup_ended};
