/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attacks on the caller's memory through a spawn's stages (issue 10.1),
 * performed for real: a sandboxed process writes into /proc/STAGE/mem at
 * the address of a canary of this process. The stages share our memory
 * (CLONE_VM) until they exec; the dumpable guard (lib/parent/dump_guard.c) must
 * keep every one of them out of reach. Each attack has a control with the
 * guard off (the internal knob), which must succeed, so that a passing
 * attack test means the defence held, not that the attack missed.
 *
 * Also here: the caller's dumpable flag is what it was after spawns that
 * clear it (and after those whose stage changes uid), a non-dumpable
 * caller can make a user namespace, and threads spawning every kind of
 * spawn at once all succeed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "dump_guard.h"
#include "testlib.h"

#define CANARY 0x1111222233334444ULL
#define FORGED 0x6666666666666666ULL

static volatile uint64_t canary = CANARY;

/* A PATH of many missing directories before the real ones: the command's
 * stage tries each (ENOENT) after it has dropped its capabilities, which
 * holds the window of the attack open for milliseconds. */
static char *long_path(void)
{
    size_t n = 1500, len = 0;
    char *path = malloc(n * 24 + 32);
    ck_assert_ptr_nonnull(path);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(path + len, "/nonexistent/d%zu:", i);
    strcpy(path + len, "/usr/bin:/bin");
    return path;
}

/* Starts the attacker in box and waits until it watches. */
static nsbox_proc *attacker_start(nsbox *box)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    char addr[32], value[32];
    snprintf(addr, sizeof(addr), "%p", (void *)&canary);
    snprintf(value, sizeof(value), "%llu", (unsigned long long)FORGED);
    /* watches until killed; the bound only keeps a lost attacker from
     * running forever (the emulated guest under load needs minutes) */
    char *argv[] = {ATTACK_MEM, addr, value, "900", NULL};
    nsbox_proc *p;
    int r = nsbox_spawn(box, argv, &p);
    ck_assert_msg(r == 0, "attacker: %s", nsbox_errmsg(box));
    close(fds[1]);
    nsbox_set_stdio(box, -1, -1, -1);
    char buf[8] = "";
    ck_assert_int_eq(read(fds[0], buf, 6), 6);
    ck_assert_str_eq(buf, "ready\n");
    close(fds[0]);
    return p;
}

static void attacker_stop(nsbox_proc *p)
{
    nsbox_kill(p, SIGKILL);
    nsbox_wait(p, -1);
    nsbox_proc_free(p);
}

/* Runs victim up to attempts times (the command "true" found through the
 * long PATH); returns true as soon as the canary was overwritten. */
static bool victim_runs(nsbox *victim, int attempts)
{
    char *path = long_path();
    ck_assert_int_eq(nsbox_set_env(victim, "PATH", path), 0);
    free(path);
    char *argv[] = {"true", NULL};
    for (int i = 0; i < attempts; i++) {
        int r = nsbox_run(victim, argv);
        ck_assert_msg(r == 0, "victim: %d %s", r, nsbox_errmsg(victim));
        if (canary != CANARY)
            return true;
    }
    return false;
}

/* Attack 1: a running sandbox (user + PID namespace, every capability
 * dropped, the caller's uid) watches its PID namespace; the caller joins
 * it as nsbox-exec does (user + pid by pidfd). The joining stage drops its
 * capabilities before exec, which puts it in the attacker's reach unless
 * the memory is not dumpable. */
static bool join_attack(void)
{
    nsbox *a = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(a, NSBOX_NS_USER | NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_add_proc(a, "/proc"), 0);
    nsbox_proc *pa = attacker_start(a);
    nsbox *j = nsbox_new();
    ck_assert_int_eq(nsbox_join_namespace(j, NSBOX_NS_USER | NSBOX_NS_PID, nsbox_proc_pidfd(pa)),
                     0);
    bool hit = victim_runs(j, nsbox_test_dump_guard_off ? 50 : 10);
    attacker_stop(pa);
    nsbox_free(j);
    nsbox_free(a);
    return hit;
}

START_TEST(test_join_attack)
{
    t_as(_i);
    ck_assert(!join_attack());
    ck_assert(canary == CANARY);
}
END_TEST

START_TEST(test_join_attack_control)
{
    t_as(_i);
    nsbox_test_dump_guard_off = true;
    ck_assert_msg(join_attack(), "the attack must work without the guard");
    ck_assert(canary == FORGED);
}
END_TEST

/* Attack 2, a root caller: a sandbox without user or PID namespace, every
 * capability dropped, running as host uid 0, attacks the stages of the
 * next sandbox the caller starts. Those run as host uid 0 in a user
 * namespace that host uid 0 owns, so the owner rule gives the capless
 * attacker CAP_SYS_PTRACE over them. (For an unprivileged caller the same
 * sandbox runs as the caller's own uid and reaches the caller directly;
 * the security model in nsbox(3) says so: nothing to test here.) */
static bool root_attack(void)
{
    nsbox *a = nsbox_new();
    nsbox_proc *pa = attacker_start(a);
    nsbox *v = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(v, NSBOX_NS_USER), 0);
    bool hit = victim_runs(v, nsbox_test_dump_guard_off ? 50 : 10);
    attacker_stop(pa);
    nsbox_free(v);
    nsbox_free(a);
    return hit;
}

START_TEST(test_root_attack)
{
    ck_assert_int_eq(geteuid(), 0);
    ck_assert(!root_attack());
    ck_assert(canary == CANARY);
}
END_TEST

START_TEST(test_root_attack_control)
{
    nsbox_test_dump_guard_off = true;
    ck_assert_msg(root_attack(), "the attack must work without the guard");
    ck_assert(canary == FORGED);
}
END_TEST

/* A root daemon that dropped to another uid with setresuid() and did not
 * exec is not dumpable; a rootless sandbox with a user namespace works
 * (its own-id maps go through newuidmap/newgidmap) and leaves the flag as
 * it was. */
START_TEST(test_nondumpable_caller)
{
    ck_assert_int_eq(geteuid(), 0);
    ck_assert_int_eq(setgroups(0, NULL), 0);
    ck_assert_int_eq(setresgid(NOBODY, NOBODY, NOBODY), 0);
    ck_assert_int_eq(setresuid(NOBODY, NOBODY, NOBODY), 0);
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), 0);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_PID | NSBOX_NS_MOUNT), 0);
    char out[256];
    int r = t_sh(box, "read -r a b c < /proc/self/uid_map; echo $a $b $c; id -u", out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));
    ck_assert_str_eq(out, "65534 65534 1\n65534\n");
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), 0);
    nsbox_set_user(box, 0, 0);
    r = t_sh(box, "id -u; cat /proc/self/setgroups", out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));
    ck_assert_str_eq(out, "0\ndeny\n");
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), 0);
    nsbox_free(box);
}
END_TEST

/* A stage that changes uid makes the shared memory non-dumpable (the
 * kernel's commit_creds): the caller must get its flag back. Root: a
 * shifted map and set_user; nobody: its own id as 0. */
START_TEST(test_dumpable_restored)
{
    t_as(_i);
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), 1);
    nsbox *box = nsbox_new();
    const char *want = "0\n";
    if (_i == 0) {
        ck_assert_int_eq(nsbox_add_uid_map(box, 0, 100000, 65536), 0);
        ck_assert_int_eq(nsbox_add_gid_map(box, 0, 100000, 65536), 0);
        ck_assert_int_eq(nsbox_set_user(box, 1000, 1000), 0);
        want = "1000\n";
    } else {
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
        ck_assert_int_eq(nsbox_set_user(box, 0, 0), 0);
    }
    char out[64];
    int r = t_sh(box, "id -u", out, sizeof(out));
    ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(box));
    ck_assert_str_eq(out, want);
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), 1);
    nsbox_free(box);
}
END_TEST

/* Threads spawning every kind at once: a new user namespace (kind D for
 * nobody, N for root), no namespace (no guard for nobody), and a join
 * (kind N). All succeed; the flag is back at 1 after. */
#define MIX_THREADS 6
#define MIX_SPAWNS 8

static int mix_pidfd;

static void *mix_spawner(void *arg)
{
    intptr_t kind = (intptr_t)arg % 3;
    nsbox *box = nsbox_new();
    if (kind == 0)
        nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_PID);
    else if (kind == 2)
        nsbox_join_namespace(box, NSBOX_NS_USER, mix_pidfd);
    char *argv[] = {"/bin/sh", "-c", "exit 3", NULL};
    intptr_t bad = 0;
    for (int i = 0; i < MIX_SPAWNS; i++) {
        int r = nsbox_run(box, argv);
        if (r != 3) {
            fprintf(stderr, "kind %d: %d %s\n", (int)kind, r, nsbox_errmsg(box));
            bad++;
        }
    }
    nsbox_free(box);
    return (void *)bad;
}

START_TEST(test_mixed_threads)
{
    t_as(_i);
    nsbox *host = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(host, NSBOX_NS_USER), 0);
    char *sleeper[] = {"sleep", "60", NULL};
    nsbox_proc *ps;
    ck_assert_int_eq(nsbox_spawn(host, sleeper, &ps), 0);
    mix_pidfd = nsbox_proc_pidfd(ps);
    pthread_t t[MIX_THREADS];
    for (intptr_t i = 0; i < MIX_THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, mix_spawner, (void *)i), 0);
    for (int i = 0; i < MIX_THREADS; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        ck_assert_int_eq((intptr_t)bad, 0);
    }
    ck_assert_int_eq(prctl(PR_GET_DUMPABLE), 1);
    nsbox_proc_free(ps);
    nsbox_free(host);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("attack_mem");
    TCase *tc = tcase_create("attack_mem");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_join_attack, 0, 2);
    tcase_add_loop_test(tc, test_join_attack_control, 0, 2);
    tcase_add_test(tc, test_root_attack);
    tcase_add_test(tc, test_root_attack_control);
    tcase_add_test(tc, test_nondumpable_caller);
    tcase_add_loop_test(tc, test_dumpable_restored, 0, 2);
    tcase_add_loop_test(tc, test_mixed_threads, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
