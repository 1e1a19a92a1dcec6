/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-tour: the Quick start demo. For each kind of namespace alone, it
 * starts a sandbox and shows side by side what the host sees and what the
 * sandboxed process sees; then all kinds together under a memory limit,
 * with the usage report. The same probe (this program, run as
 * "nsbox-tour --probe") measures both sides. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/shm.h>
#include <unistd.h>

#include "tour.h"

#define MAX_FACTS 48

struct facts {
    int n;
    char key[MAX_FACTS][32];
    char val[MAX_FACTS][512];
};

static const struct section {
    unsigned ns;
    const char *what;
    const char *rows[4]; /* facts to show, NULL-terminated when fewer */
} sections[] = {
    {NSBOX_NS_USER,
     "user and group ids, and the map from inside ids to outside ones",
     {"uid", "gid", "uid_map", "gid_map"}},
    {NSBOX_NS_PID, "process ids: the sandbox numbers its processes from 1", {"pid", "ppid", NULL}},
    {NSBOX_NS_MOUNT,
     "the mount table: the sandbox gets a copy it may change alone",
     {"mounts", NULL}},
    {NSBOX_NS_UTS, "the hostname", {"hostname", NULL}},
    {NSBOX_NS_IPC,
     "System V IPC objects (the tour made one shared memory segment)",
     {"ipc_shm", NULL}},
    {NSBOX_NS_NET,
     "network interfaces, addresses, routes and ports: only lo, up",
     {"interfaces", NULL}},
    {NSBOX_NS_CGROUP,
     "the cgroup path: the sandbox's own cgroup looks like the root",
     {"cgroup", "cgroup_memory", NULL}},
    {NSBOX_NS_TIME, "CLOCK_MONOTONIC and CLOCK_BOOTTIME, which may be offset", {NULL}},
};
#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

static const char *const labels[][2] = {
    {"uid", "uid"},
    {"gid", "gid"},
    {"uid_map", "uid map"},
    {"gid_map", "gid map"},
    {"pid", "pid"},
    {"ppid", "parent pid"},
    {"nspid", "pid by ns"},
    {"mounts", "mounts"},
    {"hostname", "hostname"},
    {"ipc_shm", "shm segments"},
    {"interfaces", "interfaces"},
    {"cgroup", "cgroup path"},
    {"cgroup_memory", "memory cgroup"},
};

static char self_exe[4096];
static bool colour;

static const char *paint(const char *code)
{
    return colour ? code : "";
}
#define BOLD paint("\033[1m")
#define GREEN paint("\033[32m")
#define DIM paint("\033[2m")
#define RESET paint("\033[0m")

static const char *fact(const struct facts *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->key[i], key) == 0)
            return f->val[i];
    return "-";
}

static void parse_facts(char *text, struct facts *f)
{
    f->n = 0;
    for (char *line = strtok(text, "\n"); line && f->n < MAX_FACTS; line = strtok(NULL, "\n")) {
        char *sp = strchr(line, ' ');
        if (!sp)
            continue;
        *sp = '\0';
        snprintf(f->key[f->n], sizeof(f->key[0]), "%s", line);
        snprintf(f->val[f->n], sizeof(f->val[0]), "%s", sp + 1);
        f->n++;
    }
}

/* Runs the probe in box, its output parsed into f. With proc_out, the
 * waited-for process is handed out (for its usage report) instead of freed.
 * Returns the shell-form status or a negative errno (errmsg set). */
static int probe(nsbox *box, long alloc_mib, struct facts *f, nsbox_proc **proc_out)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    char alloc[24];
    snprintf(alloc, sizeof(alloc), "%ld", alloc_mib);
    char *argv[] = {"nsbox-tour", "--probe", alloc, NULL};
    nsbox_proc *proc = NULL;
    int r = nsbox_set_exec_path(box, self_exe);
    if (r == 0)
        r = nsbox_set_stdio(box, -1, fds[1], -1);
    if (r == 0)
        r = nsbox_spawn(box, argv, &proc);
    nsbox_set_stdio(box, -1, -1, -1); /* the pipe is closed next: no stale number */
    close(fds[1]);
    static char text[MAX_FACTS * 600];
    size_t n = 0;
    for (ssize_t got; r == 0 && n < sizeof(text) - 1; n += (size_t)got)
        if ((got = read(fds[0], text + n, sizeof(text) - 1 - n)) <= 0)
            break;
    close(fds[0]);
    text[n] = '\0';
    if (r < 0)
        return r;
    parse_facts(text, f);
    r = nsbox_wait(proc, -1);
    if (proc_out)
        *proc_out = proc;
    else
        nsbox_proc_free(proc);
    return r;
}

/* The first word of s, into buf. */
static const char *first_word(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s", (int)strcspn(s, " "), s);
    return buf;
}

static void print_row(const char *label, const char *host, const char *sandbox, bool compare)
{
    bool differs = strcmp(host, sandbox) != 0;
    printf("  %-16s %-30.30s %s%-*.30s%s", label, host, differs ? GREEN : "", compare ? 30 : 0,
           sandbox, RESET);
    if (compare)
        printf(" %s%s%s", differs ? GREEN : DIM, differs ? "new" : "same", RESET);
    putchar('\n');
}

/* The rows of one table: host facts left, sandbox facts right. The PID
 * rows show the host's view of the sandboxed process itself. */
static void print_rows(const char *const *rows, size_t n_rows, const struct facts *host,
                       const struct facts *sbx)
{
    for (size_t i = 0; i < n_rows && rows[i]; i++) {
        const char *label = rows[i], *h = fact(host, rows[i]);
        char buf[64];
        for (size_t k = 0; k < sizeof(labels) / sizeof(labels[0]); k++)
            if (strcmp(labels[k][0], rows[i]) == 0)
                label = labels[k][1];
        if (strcmp(rows[i], "pid") == 0)
            h = first_word(fact(sbx, "nspid"), buf, sizeof(buf));
        else if (strcmp(rows[i], "ppid") == 0)
            h = fact(sbx, "ppid_outer");
        print_row(label, h, fact(sbx, rows[i]), false);
    }
}

static void print_ns_rows(unsigned ns, const struct facts *host, const struct facts *sbx)
{
    for (int k = 0; k < TOUR_NS_KINDS; k++) {
        if (!(ns & (1u << k)))
            continue;
        char key[32];
        snprintf(key, sizeof(key), "ns/%s", tour_ns_files[k]);
        print_row(key, fact(host, key), fact(sbx, key), true);
    }
}

static void print_header(const char *title, const char *what)
{
    printf("\n%s%s%s: %s\n", BOLD, title, RESET, what);
    printf("  %s%-16s %-30s %s%s\n", DIM, "", "host", "sandbox", RESET);
}

/* One namespace kind alone. Returns 0, or 1 after printing the error. */
static int tour_section(const struct section *s, const struct facts *host)
{
    char title[64];
    snprintf(title, sizeof(title), "%s namespace", tour_ns_files[__builtin_ctz(s->ns)]);
    print_header(title, s->what);
    nsbox *box = nsbox_new();
    if (!box)
        return 1;
    int r = nsbox_add_namespace(box, s->ns);
    if (r == 0 && s->ns == NSBOX_NS_UTS)
        r = nsbox_set_hostname(box, "nsbox-tour");
    struct facts sbx;
    if (r == 0)
        r = probe(box, 0, &sbx, NULL);
    if (r != 0) {
        printf("  sandbox failed: %s\n", r < 0 ? nsbox_errmsg(box) : "the probe failed");
        nsbox_free(box);
        return 1;
    }
    nsbox_free(box);
    print_rows(s->rows, 4, host, &sbx);
    unsigned shown = s->ns;
    if (geteuid() != 0 && s->ns != NSBOX_NS_USER) {
        printf("  %s(unprivileged: a user namespace comes along and owns the new one)%s\n", DIM,
               RESET);
        shown |= NSBOX_NS_USER;
    }
    print_ns_rows(shown, host, &sbx);
    return 0;
}

/* Every kind together, under a memory limit when it can be had. */
static int tour_all(const struct facts *host)
{
    print_header("all namespaces together", "under a 64 MiB memory limit, touching 16 MiB");
    for (int attempt = 0; attempt < 2; attempt++) {
        nsbox *box = nsbox_new();
        if (!box)
            return 1;
        bool limited = false;
        int r = nsbox_add_namespace(box, NSBOX_NS_ALL);
        if (r == 0)
            r = nsbox_set_hostname(box, "nsbox-tour");
        if (r == 0 && attempt == 0)
            limited = tour_limit_memory(box, "64M");
        struct facts sbx;
        nsbox_proc *proc = NULL;
        if (r == 0)
            r = probe(box, 16, &sbx, &proc);
        if (r < 0 && limited) {
            printf("  (memory limit skipped: %s)\n", nsbox_errmsg(box));
            nsbox_free(box);
            continue;
        }
        if (r != 0) {
            printf("  sandbox failed: %s\n", r < 0 ? nsbox_errmsg(box) : "the probe failed");
            nsbox_proc_free(proc);
            nsbox_free(box);
            return 1;
        }
        static const char *const rows[] = {"hostname", "uid",          "gid",        "pid",
                                           "ppid",     "ipc_shm",      "interfaces", "mounts",
                                           "cgroup",   "cgroup_memory"};
        print_rows(rows, sizeof(rows) / sizeof(rows[0]), host, &sbx);
        print_ns_rows(NSBOX_NS_ALL, host, &sbx);
        printf("\n%susage after wait%s\n", BOLD, RESET);
        if (limited)
            tour_report_usage(proc, "  ");
        else
            printf("  (no cgroup: no usage report)\n");
        nsbox_proc_free(proc);
        nsbox_free(box);
        return 0;
    }
    return 1;
}

/* A section name --only takes: a namespace kind's /proc/PID/ns file name,
 * or "all". */
static bool only_known(const char *name)
{
    if (strcmp(name, "all") == 0)
        return true;
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (strcmp(name, tour_ns_files[__builtin_ctz(sections[i].ns)]) == 0)
            return true;
    return false;
}

static void usage(FILE *out)
{
    fputs("usage: nsbox-tour [--only KIND]\n\n"
          "Shows, one namespace kind at a time, what a sandboxed process sees next to\n"
          "what the host sees; then all kinds together under a memory limit.\n"
          "KIND is one of user pid mnt uts ipc net cgroup time, or all.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--probe") == 0)
        return tour_probe(argc >= 3 ? atol(argv[2]) : 0);
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("nsbox-tour (libnsbox %s)\n", nsbox_version());
            return 0;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && only_known(argv[i + 1])) {
            only = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    ssize_t len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
    if (len < 0) {
        perror("nsbox-tour: /proc/self/exe");
        return 1;
    }
    self_exe[len] = '\0';
    colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* A shared memory segment for the IPC section: attached and marked for
     * removal at once, so that it goes away with this process. */
    int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (shm >= 0 && shmat(shm, NULL, SHM_RDONLY) != (void *)-1)
        shmctl(shm, IPC_RMID, NULL);

    printf("%snsbox-tour%s: Linux namespaces one at a time (libnsbox %s, uid %u)\n", BOLD, RESET,
           nsbox_version(), (unsigned)geteuid());
    nsbox *hbox = nsbox_new();
    struct facts host;
    int r = hbox ? probe(hbox, 0, &host, NULL) : -ENOMEM;
    if (r != 0) {
        fprintf(stderr, "nsbox-tour: probe on the host: %s\n",
                r < 0 && hbox ? nsbox_errmsg(hbox) : "failed");
        nsbox_free(hbox);
        return 1;
    }
    nsbox_free(hbox);
    int failed = 0;
    for (size_t i = 0; i < N_SECTIONS; i++)
        if (!only || strcmp(only, tour_ns_files[__builtin_ctz(sections[i].ns)]) == 0)
            failed |= tour_section(&sections[i], &host);
    if (!only || strcmp(only, "all") == 0)
        failed |= tour_all(&host);
    return failed;
}
