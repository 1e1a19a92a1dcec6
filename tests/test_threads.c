/* Spawning from several threads while others allocate: every spawn
 * succeeds, none deadlocks (the child allocates nothing and takes no lock). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

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

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 240);
    tcase_add_loop_test(tc, test_threads, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
