/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A small judge (nsbox_limits(3), "A JUDGE"); the example-judge test runs it. */
#include <nsbox.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const verdicts[] = {"running",    "exited", "signaled", "cpu-limit",
                                       "wall-limit", "oom",    "killed"};

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: judge CPU_SECONDS WALL_SECONDS COMMAND [ARG...]\n");
        return 2;
    }
    nsbox *box = nsbox_new();
    /* no network, its own PIDs, IPC and hostname */
    nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_NET | NSBOX_NS_IPC | NSBOX_NS_UTS);
    /* the host's tree read-only, a private /proc, /dev and a writable /tmp */
    nsbox_set_root(box, NULL);
    nsbox_add_bind_mount(box, "/", "/", NSBOX_MOUNT_RDONLY);
    nsbox_add_proc(box, "/proc");
    nsbox_add_dev(box, "/dev");
    nsbox_add_tmpfs(box, "/tmp", 64 << 20, 01777);
    /* CPU time (all processes together) and wall time, 256 MiB, 64 processes */
    nsbox_set_cpu_time_limit(box, (uint64_t)(atof(argv[1]) * 1e6));
    nsbox_set_wall_time_limit(box, (uint64_t)(atof(argv[2]) * 1e6));
    nsbox_set_cgroup_limit(box, "memory.max", "256M");
    nsbox_set_cgroup_limit(box, "pids.max", "64");
    /* an unprivileged judge names the cgroup delegated to it */
    if (getenv("JUDGE_CGROUP_PARENT"))
        nsbox_set_cgroup_parent(box, getenv("JUDGE_CGROUP_PARENT"));

    nsbox_proc *p;
    if (nsbox_spawn(box, argv + 3, &p) < 0) {
        fprintf(stderr, "judge: %s\n", nsbox_errmsg(box));
        nsbox_free(box);
        return 1;
    }
    nsbox_wait(p, -1); /* also enforces the limits while it waits */
    struct nsbox_report r = {.size = sizeof(r)};
    nsbox_proc_report(p, &r);
    printf("%s exit=%d signal=%d cpu=%.3fs wall=%.3fs memory=%lluKiB\n", verdicts[r.end],
           r.exit_code, r.signal, r.cpu_usec / 1e6, r.wall_usec / 1e6,
           (unsigned long long)r.memory_peak / 1024);
    nsbox_proc_free(p);
    nsbox_free(box);
    return 0;
}
