/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

int t_run_capture(nsbox *box, char *const argv[], char *out, size_t size)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    close(fds[1]);
    nsbox_set_stdio(box, -1, -1, -1);
    size_t len = 0;
    if (r == 0) {
        ssize_t n;
        while (len + 1 < size && (n = read(fds[0], out + len, size - 1 - len)) > 0)
            len += (size_t)n;
        r = nsbox_wait(p, -1);
        nsbox_proc_free(p);
    }
    out[len] = '\0';
    close(fds[0]);
    return r;
}

int t_sh(nsbox *box, const char *script, char *out, size_t size)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    return t_run_capture(box, argv, out, size);
}

bool t_drop_to_nobody(void)
{
    if (geteuid() != 0)
        return false;
    ck_assert_int_eq(setgroups(0, NULL), 0);
    ck_assert_int_eq(setresgid(NOBODY, NOBODY, NOBODY), 0);
    ck_assert_int_eq(setresuid(NOBODY, NOBODY, NOBODY), 0);
    /* A uid change clears dumpable, which makes /proc/PID of our children
     * root's: an ordinary unprivileged user is dumpable. */
    ck_assert_int_eq(prctl(PR_SET_DUMPABLE, 1), 0);
    return true;
}

void t_as(int i)
{
    if (i == 1)
        ck_assert_msg(t_drop_to_nobody(), "the suite must start as root to test as nobody");
}

int t_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the DIR's own fd */
}

int t_count_children(void)
{
    char path[64], line[512];
    int n = 0;
    snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    while (fscanf(f, "%511s", line) == 1)
        n++;
    fclose(f);
    return n;
}

unsigned long t_ns_inode(const char *kind)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
    ck_assert_int_eq(stat(path, &st), 0);
    return (unsigned long)st.st_ino;
}

unsigned long t_pid_ns_of(pid_t pid)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
    ck_assert_int_eq(stat(path, &st), 0);
    return (unsigned long)st.st_ino;
}

pid_t t_ppid_of(pid_t pid)
{
    char path[64], line[128];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "re");
    ck_assert_ptr_nonnull(f);
    pid_t ppid = -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "PPid:", 5) == 0)
            ppid = atoi(line + 5);
    fclose(f);
    return ppid;
}

char *t_chomp(char *s)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '\n')
        s[n - 1] = '\0';
    return s;
}

int t_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
