/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Spawning from several threads while others allocate: every spawn
 * succeeds, none deadlocks (the child allocates nothing and takes no lock). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define SPAWNERS 4
#define SPAWNS 20

static atomic_int stop;

static void *allocator(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        void *blocks[64];
        for (int i = 0; i < 64; i++)
            blocks[i] = malloc((size_t)(i + 1) * 97);
        for (int i = 0; i < 64; i++)
            free(blocks[i]);
    }
    return NULL;
}

static void *spawner(void *arg)
{
    intptr_t id = (intptr_t)arg;
    nsbox *box = nsbox_new();
    nsbox_add_namespace(box, NSBOX_NS_ALL & ~(unsigned)NSBOX_NS_NET);
    char status[8];
    snprintf(status, sizeof(status), "%d", (int)(id + 10));
    char *argv[] = {"/bin/sh", "-c", "exit $0", status, NULL};
    intptr_t bad = 0;
    for (int i = 0; i < SPAWNS; i++)
        if (nsbox_run(box, argv) != id + 10)
            bad++;
    nsbox_free(box);
    return (void *)bad;
}

START_TEST(test_threads)
{
    t_as(_i);
    pthread_t alloc[2], spawn[SPAWNERS];
    atomic_store(&stop, 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&alloc[i], NULL, allocator, NULL), 0);
    for (intptr_t i = 0; i < SPAWNERS; i++)
        ck_assert_int_eq(pthread_create(&spawn[i], NULL, spawner, (void *)i), 0);
    intptr_t bad = 0;
    for (int i = 0; i < SPAWNERS; i++) {
        void *r;
        pthread_join(spawn[i], &r);
        bad += (intptr_t)r;
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(alloc[i], NULL);
    ck_assert_int_eq(bad, 0);
    ck_assert_int_eq(t_count_children(), 0);
}
END_TEST

/* Issue 12.1: while another thread forks children that live on without
 * exec (and so inherit whatever fds the caller had at that moment), every
 * spawn returns at once: none waits for such a child's end. Proof without
 * a timing threshold: a sleeper (30 s) forked before the first spawn is
 * still alive after the last one returned. */
#define SLEEP_S 30
#define MAX_SLEEPERS 100

static pid_t sleepers[MAX_SLEEPERS];
static atomic_int n_sleepers;

static pid_t sleeper_fork(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec ts = {SLEEP_S, 0};
        while (nanosleep(&ts, &ts) < 0)
            ;
        _exit(0);
    }
    return pid;
}

static void *forker(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop) && atomic_load(&n_sleepers) < MAX_SLEEPERS) {
        pid_t pid = sleeper_fork();
        if (pid > 0)
            sleepers[atomic_fetch_add(&n_sleepers, 1)] = pid;
        nanosleep(&(struct timespec){0, 500000}, NULL);
    }
    return NULL;
}

START_TEST(test_fork_sleepers)
{
    t_as(_i);
    atomic_store(&stop, 0);
    atomic_store(&n_sleepers, 0);
    pid_t first = sleeper_fork();
    ck_assert_int_gt(first, 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, forker, NULL), 0);
    nsbox *box = nsbox_new();
    nsbox_add_namespace(box, NSBOX_NS_ALL & ~(unsigned)NSBOX_NS_NET);
    nsbox *plain = nsbox_new();
    char *argv[] = {"/bin/true", NULL};
    for (int i = 0; i < 30; i++) {
        int r = nsbox_run(i % 2 ? box : plain, argv);
        ck_assert_msg(r == 0, "%d %s", r, nsbox_errmsg(i % 2 ? box : plain));
    }
    ck_assert_msg(waitpid(first, NULL, WNOHANG) == 0,
                  "a spawn waited for a forked child of another thread");
    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    kill(first, SIGKILL);
    waitpid(first, NULL, 0);
    for (int i = 0; i < atomic_load(&n_sleepers); i++) {
        kill(sleepers[i], SIGKILL);
        waitpid(sleepers[i], NULL, 0);
    }
    nsbox_free(box);
    nsbox_free(plain);
}
END_TEST

/* Issue 12.2: a signal handler without SA_RESTART firing every 300 us (2 ms
 * in the v2 guest, where TCG is about 10 times slower) interrupts the
 * parent's system calls; spawn and wait retry them. */
static void on_alarm(int sig)
{
    (void)sig;
}

START_TEST(test_eintr)
{
    t_as(_i);
    struct sigaction sa = {.sa_handler = on_alarm};
    ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
    long us = getenv("NSBOX_VM") ? 2000 : 300;
    struct itimerval it = {{0, us}, {0, us}};
    ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    nsbox *boxes[3] = {nsbox_new(), nsbox_new(), nsbox_new()};
    nsbox_add_namespace(boxes[1], NSBOX_NS_USER | NSBOX_NS_PID | NSBOX_NS_MOUNT);
    nsbox_add_namespace(boxes[2], NSBOX_NS_USER);
    nsbox_set_user(boxes[2], 0, 0);
    char *argv[] = {"/bin/sh", "-c", "exit 4", NULL};
    for (int i = 0; i < 60; i++) {
        int r = nsbox_run(boxes[i % 3], argv);
        ck_assert_msg(r == 4, "spawn %d: %d %s", i, r, nsbox_errmsg(boxes[i % 3]));
    }
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    for (int i = 0; i < 3; i++)
        nsbox_free(boxes[i]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, test_threads, 0, 2);
    tcase_add_loop_test(tc, test_fork_sleepers, 0, 2);
    tcase_add_loop_test(tc, test_eintr, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
