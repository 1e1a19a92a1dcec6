/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-tour's probe: run as "nsbox-tour --probe" on the host and in each
 * sandbox, it prints what the process sees, one "key value" line each, so
 * that both sides are measured by the same code. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tour.h"

const char *const tour_ns_files[TOUR_NS_KINDS] = {"user", "pid", "mnt",    "uts",
                                                  "ipc",  "net", "cgroup", "time"};

/* The value of the "Key:" line of /proc/self/status, blanks squeezed. */
static void print_status(const char *key, const char *name)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[512];
    size_t len = strlen(key);
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, len) != 0 || line[len] != ':')
            continue;
        char *v = line + len + 1;
        v[strcspn(v, "\n")] = '\0';
        printf("%s", name);
        for (char *tok = strtok(v, " \t"); tok; tok = strtok(NULL, " \t"))
            printf(" %s", tok);
        putchar('\n');
    }
    if (f)
        fclose(f);
}

/* An id map as one line: "0 1000 1, 1 100000 65536". */
static void print_map(const char *file, const char *name)
{
    FILE *f = fopen(file, "re");
    unsigned long in, out, count;
    printf("%s", name);
    const char *sep = " ";
    while (f && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3) {
        printf("%s%lu %lu %lu", sep, in, out, count);
        sep = ", ";
    }
    putchar('\n');
    if (f)
        fclose(f);
}

/* Number of lines of a file, minus `skip` header lines. */
static long count_lines(const char *file, int skip)
{
    FILE *f = fopen(file, "re");
    if (!f)
        return -1;
    long n = 0;
    for (int c; (c = getc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n > skip ? n - skip : 0;
}

/* Network interfaces from /proc/net/dev, which follows the reader's net
 * namespace (/sys/class/net follows the namespace that mounted /sys). */
static void print_interfaces(void)
{
    FILE *f = fopen("/proc/net/dev", "re");
    char line[512];
    printf("interfaces");
    const char *sep = " ";
    for (int n = 0; f && fgets(line, sizeof(line), f); n++) {
        char *colon = strchr(line, ':');
        if (n < 2 || !colon)
            continue;
        *colon = '\0';
        printf("%s%s", sep, line + strspn(line, " "));
        sep = ",";
    }
    putchar('\n');
    if (f)
        fclose(f);
}

/* The unified hierarchy's line of /proc/self/cgroup ("0::/path"), else the
 * memory controller's (v1). */
static void print_cgroup(void)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096], unified[4096] = "", memory[4096] = "";
    while (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        char *path = strchr(strchr(line, ':') ? strchr(line, ':') + 1 : line, ':');
        if (!path)
            continue;
        if (strncmp(line, "0::", 3) == 0)
            snprintf(unified, sizeof(unified), "%s", path + 1);
        else if (strstr(line, ":memory:"))
            snprintf(memory, sizeof(memory), "%s", path + 1);
    }
    if (f)
        fclose(f);
    printf("cgroup %s\n", unified[0] ? unified : memory[0] ? memory : "?");
    if (memory[0])
        printf("cgroup_memory %s\n", memory);
}

static void touch_memory(long mib)
{
    size_t size = (size_t)mib << 20;
    char *p = malloc(size);
    if (p)
        for (size_t i = 0; i < size; i += 4096)
            ((volatile char *)p)[i] = 1;
    free(p);
}

int tour_probe(long alloc_mib)
{
    struct utsname u;
    uname(&u);
    printf("hostname %s\n", u.nodename);
    printf("pid %d\nppid %d\n", (int)getpid(), (int)getppid());
    print_status("NSpid", "nspid");
    print_status("PPid", "ppid_outer");
    printf("uid %u\ngid %u\n", (unsigned)getuid(), (unsigned)getgid());
    print_map("/proc/self/uid_map", "uid_map");
    print_map("/proc/self/gid_map", "gid_map");
    printf("ipc_shm %ld\n", count_lines("/proc/sysvipc/shm", 1));
    print_interfaces();
    printf("mounts %ld\n", count_lines("/proc/self/mountinfo", 0));
    print_cgroup();
    for (int i = 0; i < TOUR_NS_KINDS; i++) {
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/self/ns/%s", tour_ns_files[i]);
        if (stat(path, &st) == 0)
            printf("ns/%s %lu\n", tour_ns_files[i], (unsigned long)st.st_ino);
    }
    if (alloc_mib > 0)
        touch_memory(alloc_mib);
    return fflush(stdout) == 0 ? 0 : 1;
}
