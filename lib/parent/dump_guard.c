/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The dumpable guard: who may read or write the memory of a spawn's stages.
 *
 * Why CLONE_VM, and what it costs. The stages between clone and exec run on
 * the caller's memory (no copy of the page tables: spawn costs the same for
 * a 10 GiB caller as for a small one, and the plan needs no serialization).
 * The price: a process that can ptrace a stage (or open /proc/STAGE/mem)
 * owns the caller. The kernel's ptrace check (__ptrace_may_access) lets in
 * a process of the same uid when, in the same user namespace, its permitted
 * set holds the stage's, or when it has CAP_SYS_PTRACE in the stage's user
 * namespace, which the owner of that namespace has from its parent
 * namespace even with no capability of its own. Joining a sandbox's
 * namespaces, dropping capabilities or changing uid before exec, or simply
 * being root put stages within reach of sandboxed code. One check stops all
 * of it: when the memory (mm) is not dumpable, the tracer also needs
 * CAP_SYS_PTRACE in the mm's user namespace, the caller's, which sandboxed
 * code never has. Dumpable belongs to the mm, so it is the caller's flag.
 *
 * Kind N spawns (root callers, joins, maps written by newuidmap, any
 * caller that fails the checks below) clear it before clone; the last of
 * them to end (every stage exec'd or exited) restores the saved value.
 *
 * Kind D spawns (a new user namespace of an unprivileged caller, maps of
 * its own ids written directly) need the mm dumpable while the parent opens
 * /proc/STAGE/{setgroups,uid_map,gid_map} (a non-dumpable process's /proc
 * files are root's): they wait until no kind-N stage lives, clone, open the
 * three files, and write through them afterwards. Their stages stay
 * dumpable for their whole life, which is sound when the caller is dumpable,
 * holds no permitted capability and has equal real, effective and saved
 * ids: a process outside the stage's fresh user namespace that can reach
 * the stage (same uid; or the namespace's owner in the caller's namespace)
 * can then ptrace the caller itself already; and nothing hostile is inside
 * the fresh namespace until the command execs, which happens only once
 * every other stage of the spawn has exec'd (child_wait_stages).
 *
 * A side effect callers see: while a kind-N spawn runs, the caller's own
 * /proc/self files are root's (for an unprivileged caller) and it dumps no
 * core. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dump_guard.h"

/* Tests only: spawns take no guard (the attack suite's control). */
bool nsbox_test_dump_guard_off;

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t guard_cond = PTHREAD_COND_INITIALIZER;
static int n_spawns;  /* kind-N spawns with a stage alive */
static int d_opening; /* kind-D spawns between clone and their map opens */
static int n_waiting, d_waiting;
static enum dump_kind turn = DUMP_D; /* who goes first when both kinds wait */
static int saved_dumpable;

/* The conditions under which a dumpable stage is no easier to reach than
 * the caller itself (see the top of this file). */
bool dump_guard_caller_plain(void)
{
    if (prctl(PR_GET_DUMPABLE) != 1)
        return false;
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
        return false;
    if (ru != eu || eu != su || rg != eg || eg != sg)
        return false;
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return false;
    return data[0].permitted == 0 && data[1].permitted == 0;
}

/* Phase-fair: a kind that waits makes newcomers of the other kind wait
 * behind it, so that a stream of one kind cannot starve the other. */
void dump_guard_enter(enum dump_kind kind)
{
    if (kind == DUMP_FREE || nsbox_test_dump_guard_off)
        return;
    pthread_mutex_lock(&guard_lock);
    if (kind == DUMP_N) {
        n_waiting++;
        while (d_opening || (d_waiting && turn == DUMP_D))
            pthread_cond_wait(&guard_cond, &guard_lock);
        n_waiting--;
        turn = DUMP_D;
        if (n_spawns++ == 0) {
            saved_dumpable = prctl(PR_GET_DUMPABLE);
            prctl(PR_SET_DUMPABLE, 0);
        }
    } else {
        d_waiting++;
        while (n_spawns || (n_waiting && turn == DUMP_N))
            pthread_cond_wait(&guard_cond, &guard_lock);
        d_waiting--;
        turn = DUMP_N;
        d_opening++;
    }
    pthread_mutex_unlock(&guard_lock);
}

void dump_guard_leave(enum dump_kind kind)
{
    if (kind == DUMP_FREE || nsbox_test_dump_guard_off)
        return;
    pthread_mutex_lock(&guard_lock);
    if (kind == DUMP_N) {
        /* 2 (suid_dumpable's "root only") cannot be set back by prctl: the
         * caller stays at 0, which is no less safe. */
        if (--n_spawns == 0 && saved_dumpable == 1)
            prctl(PR_SET_DUMPABLE, 1);
    } else {
        d_opening--;
    }
    pthread_cond_broadcast(&guard_cond);
    pthread_mutex_unlock(&guard_lock);
}
