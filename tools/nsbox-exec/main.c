/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-exec: runs a command in the namespaces of a running process (a
 * sandbox), as nsenter does, through nsbox_join_namespace.
 *
 *   nsbox-exec --target PID | --pidfd FD [--user --mount … | --all] [--] CMD
 *
 * Kinds the target shares with nsbox-exec are skipped (joining them changes
 * nothing, and the kernel refuses to re-enter one's own user namespace).
 * An unprivileged caller joining any namespace of a sandbox with a user
 * namespace of its own joins that user namespace too, first: its other
 * namespaces belong to it, and only there has the caller the capabilities
 * setns() needs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nsbox.h>

static const struct {
    const char *opt, *file;
    unsigned ns;
} kinds[] = {
    {"--user", "user", NSBOX_NS_USER},       {"--mount", "mnt", NSBOX_NS_MOUNT},
    {"--pid", "pid", NSBOX_NS_PID},          {"--net", "net", NSBOX_NS_NET},
    {"--uts", "uts", NSBOX_NS_UTS},          {"--ipc", "ipc", NSBOX_NS_IPC},
    {"--cgroup", "cgroup", NSBOX_NS_CGROUP}, {"--time", "time", NSBOX_NS_TIME},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

/* Prints "nsbox-exec: <message>"; returns 1, the exit status. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("nsbox-exec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static void usage(FILE *out)
{
    fputs("usage: nsbox-exec --target PID | --pidfd FD [NAMESPACES] [--] COMMAND [ARGS...]\n\n"
          "Runs COMMAND in the namespaces of the running process PID (or of the pidfd FD).\n\n"
          "    --target PID   the process whose namespaces to enter\n"
          "    --pidfd FD     the same, given as an open pidfd\n"
          "    --all          every namespace of the target that differs from ours\n",
          out);
    for (size_t i = 0; i < N_KINDS; i++)
        fprintf(out, "    %-14s its %s namespace\n", kinds[i].opt, kinds[i].file);
    fputs("\nWithout namespace options, --all. An unprivileged caller also joins the\n"
          "target's user namespace, first, as joining the others needs it.\n",
          out);
}

static long parse_num(const char *s)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return errno || end == s || *end || v < 0 || v > INT_MAX ? -1 : v;
}

/* The pid a pidfd refers to, from its fdinfo. */
static long pidfd_pid(int fd)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    FILE *f = fopen(path, "re");
    long pid = -1;
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "Pid:", 4) == 0)
            pid = strtol(line + 4, NULL, 10);
    if (f)
        fclose(f);
    return pid;
}

/* Whether /proc/PID/ns/<file> is another namespace than ours. */
static int ns_differs(long pid, const char *file)
{
    char path[64];
    struct stat theirs, ours;
    snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, file);
    if (stat(path, &theirs) < 0)
        return -errno;
    snprintf(path, sizeof(path), "/proc/self/ns/%s", file);
    if (stat(path, &ours) < 0)
        return -errno;
    return theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev;
}

/* Whether setns() takes a pidfd: Linux 5.8 and later. */
static bool setns_takes_pidfd(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return false;
    return major > 5 || (major == 5 && minor >= 8);
}

/* Joins the kinds of mask: with the pidfd in one go, or (kernels before
 * 5.8, or no pidfd) with one /proc/PID/ns file each. */
static int join(nsbox *box, long pid, int pidfd, unsigned mask)
{
    if (pidfd >= 0 && setns_takes_pidfd() && nsbox_join_namespace(box, mask, pidfd) == 0)
        return 0;
    for (size_t i = 0; i < N_KINDS; i++) {
        if (!(mask & kinds[i].ns))
            continue;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%ld/ns/%s", pid, kinds[i].file);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return -fail("open %s: %s", path, strerror(errno));
        }
        int r = nsbox_join_namespace(box, kinds[i].ns, fd);
        close(fd);
        if (r < 0)
            return -fail("%s", nsbox_errmsg(box));
    }
    return 0;
}

/* The kinds to join: those asked for that differ from ours, plus the
 * target's user namespace for an unprivileged caller. */
static int choose(long pid, unsigned asked, unsigned *mask)
{
    *mask = 0;
    for (size_t i = 0; i < N_KINDS; i++) {
        if (!(asked & kinds[i].ns))
            continue;
        int d = ns_differs(pid, kinds[i].file);
        if (d == -ENOENT && asked == NSBOX_NS_ALL)
            continue; /* a kind this kernel lacks */
        if (d < 0)
            return -fail("target's %s namespace: %s", kinds[i].file, strerror(-d));
        if (d > 0)
            *mask |= kinds[i].ns;
    }
    if (*mask && geteuid() != 0 && ns_differs(pid, "user") > 0)
        *mask |= NSBOX_NS_USER;
    return 0;
}

int main(int argc, char **argv)
{
    long pid = -1;
    int pidfd = -1;
    unsigned asked = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i];
        bool with_arg = strcmp(a, "--target") == 0 || strcmp(a, "--pidfd") == 0;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("nsbox-exec (libnsbox %s)\n", nsbox_version());
            return 0;
        } else if (with_arg && i + 1 >= argc) {
            return fail("%s needs an argument", a);
        } else if (strcmp(a, "--target") == 0) {
            if ((pid = parse_num(argv[++i])) <= 0)
                return fail("Invalid pid: %s", argv[i]);
        } else if (strcmp(a, "--pidfd") == 0) {
            long fd = parse_num(argv[++i]);
            if (fd < 0 || (pid = pidfd_pid((int)fd)) <= 0)
                return fail("Not a pidfd of a live process: %s", argv[i]);
            pidfd = (int)fd;
        } else if (strcmp(a, "--all") == 0) {
            asked |= NSBOX_NS_ALL;
        } else {
            size_t k = 0;
            while (k < N_KINDS && strcmp(a, kinds[k].opt) != 0)
                k++;
            if (k == N_KINDS)
                return fail("Unknown option %s", a);
            asked |= kinds[k].ns;
        }
    }
    if (pid <= 0)
        return fail("No target: use --target PID or --pidfd FD");
    if (i >= argc)
        return fail("No command specified");
    if (!asked)
        asked = NSBOX_NS_ALL;

    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/ns", pid);
    if (access(path, F_OK) < 0)
        return fail("No process %ld: %s", pid, strerror(errno));
    int own_pidfd = -1;
    if (pidfd < 0)
        pidfd = own_pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    unsigned mask;
    if (choose(pid, asked, &mask) < 0)
        return 1;
    nsbox *box = nsbox_new();
    if (!box)
        return fail("out of memory");
    int status = 1;
    if (join(box, pid, pidfd, mask) == 0) {
        status = nsbox_run(box, argv + i);
        if (status < 0)
            status = fail("%s", nsbox_errmsg(box));
    }
    nsbox_free(box);
    if (own_pidfd >= 0)
        close(own_pidfd);
    return status;
}
