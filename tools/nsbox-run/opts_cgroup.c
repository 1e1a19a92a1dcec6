/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of cgroup and time limits and the status report:
 * --memory, --pids, --cpus, --cgroup-limit, --cgroup-parent,
 * --time-limit, --wall-time-limit, --extra-time, --json-status-fd. */
#include <errno.h>
#include <stdint.h>
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

/* Seconds with decimals, as isolate takes them ("1", "0.25"), in us. */
static int seconds_usec(const char *opt, const char *arg, uint64_t *usec)
{
    char *end;
    double s = strtod(arg, &end);
    if (end == arg || *end || !(s >= 0) || s > 1e9)
        return run_error("Invalid %s %s: seconds expected (decimals allowed)", opt, arg);
    *usec = (uint64_t)(s * 1e6 + 0.5);
    return 0;
}

static int time_opt(struct run_ctx *ctx, const char *opt, const char *arg,
                    int (*set)(nsbox *, uint64_t))
{
    uint64_t usec = 0;
    int r = seconds_usec(opt, arg, &usec);
    if (r == 0 && (r = set(ctx->box, usec)) < 0)
        return run_lib_error(ctx, r);
    return r;
}

static int opt_time_limit(struct run_ctx *ctx, char **args)
{
    return time_opt(ctx, "--time-limit", args[0], nsbox_set_cpu_time_limit);
}

static int opt_wall_time_limit(struct run_ctx *ctx, char **args)
{
    return time_opt(ctx, "--wall-time-limit", args[0], nsbox_set_wall_time_limit);
}

static int opt_extra_time(struct run_ctx *ctx, char **args)
{
    return time_opt(ctx, "--extra-time", args[0], nsbox_set_extra_time);
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
    {"--time-limit", 1, opt_time_limit, "SECS",
     "Kill the sandbox past SECS of CPU time, all its processes together"},
    {"--wall-time-limit", 1, opt_wall_time_limit, "SECS",
     "Kill the sandbox past SECS of wall time"},
    {"--extra-time", 1, opt_extra_time, "SECS",
     "Grace past --time-limit before the kill (still a time-limit verdict)"},
    {"--json-status-fd", 1, opt_json_status_fd, "FD",
     "Write child-pid, exit-code, the verdict and usage as JSON to FD"},
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

static const char *const verdicts[] = {
    [NSBOX_END_RUNNING] = "running",
    [NSBOX_END_EXITED] = "exited",
    [NSBOX_END_SIGNALED] = "signaled",
    [NSBOX_END_CPU_LIMIT] = "time-limit",
    [NSBOX_END_WALL_LIMIT] = "wall-time-limit",
    [NSBOX_END_OOM] = "oom",
    [NSBOX_END_KILLED] = "killed",
};

/* The end line: bwrap's "exit-code", the cgroup usage, then what ended it
 * (nsbox_proc_report) and the times, as isolate's meta file has them. */
static int cgroup_ended(struct run_ctx *ctx, nsbox_proc *proc, int status)
{
    if (ctx->json_status_fd < 0)
        return 0;
    struct nsbox_report r = {.size = sizeof(r)};
    if (nsbox_proc_report(proc, &r) < 0 || r.end >= sizeof(verdicts) / sizeof(verdicts[0]))
        return run_error("no report of the sandbox's end");
    char line[512];
    int len = snprintf(line, sizeof(line),
                       "{ \"exit-code\": %d, \"oom-killed\": %s, \"memory-peak\": %llu, "
                       "\"cpu-usec\": %llu, \"verdict\": \"%s\", \"signal\": %d, "
                       "\"wall-usec\": %llu, \"user-usec\": %llu, \"system-usec\": %llu }\n",
                       status, r.oom_killed ? "true" : "false", (unsigned long long)r.memory_peak,
                       (unsigned long long)r.cpu_usec, verdicts[r.end], r.signal,
                       (unsigned long long)r.wall_usec, (unsigned long long)r.user_usec,
                       (unsigned long long)r.sys_usec);
    return run_write_all(ctx->json_status_fd, "json_status_fd", line, (size_t)len);
}

const struct run_hooks run_hooks_cgroup = {cgroup_started, cgroup_ended};
