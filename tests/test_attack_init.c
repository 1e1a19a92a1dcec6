/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attacks on the init helper (PID 1 of a PID namespace, or the monitor
 * that watches the command from outside it), made for real from inside,
 * as root (i == 0) and as nobody (i == 1), with every capability dropped
 * and with "ALL" kept:
 * - the cwd walk: /proc/1/cwd/../../.. and /proc/1/root towards a host
 *   file that was never bound (a marker in a directory of this test);
 * - a planted status record: the command writes {CLD_EXITED, 0} into the
 *   init's status pipe through /proc/1/fd/N and exits 3;
 * - ptrace and /proc/1/mem of the init.
 * Controls: the same attack against an init started without its hardening
 * (box->init_unhardened, the library's internal test knob), or against a
 * plain forked process, succeeds; a control is asserted wherever the
 * unhardened init was reachable at all (an init that kept every capability
 * of the user namespace was out of reach for a capless uid-0 command). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "privtest.h"

#define MARKER "host-marker-never-bound"

/* Made by the unchecked fixture, as root, before the cases fork: a
 * directory every case starts in (the cwd the init used to keep) with a
 * world-readable marker, so that only the sandbox stands between the
 * command and the file. */
static char dir[64], marker[128], planted[128];

static void fixture_make(void)
{
    snprintf(dir, sizeof(dir), "/tmp/nsbox-attack-init-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    snprintf(marker, sizeof(marker), "%s/marker", dir);
    snprintf(planted, sizeof(planted), "%s/planted", dir);
    int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, MARKER "\n", sizeof(MARKER)), (ssize_t)sizeof(MARKER));
    close(fd);
}

static void fixture_remove(void)
{
    unlink(planted);
    unlink(marker);
    rmdir(dir);
}

enum {
    CAPS_ALL = 1 << 0,   /* the command keeps every capability */
    NEW_ROOT = 1 << 1,   /* an empty tmpfs root with /usr bound read-only */
    NO_PIDNS = 1 << 2,   /* no PID namespace: the init is a monitor (forced) */
    UNHARDENED = 1 << 3, /* the control: the init as it was before */
    UNPRIV = 1 << 4,     /* the command runs as P_UNPRIV(i) */
};

static nsbox *init_box(int i, unsigned how)
{
    nsbox *box = p_box(i, how & UNPRIV);
    box->init_unhardened = how & UNHARDENED;
    if (how & NO_PIDNS)
        box->force_monitor = true;
    else
        ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    if (how & CAPS_ALL)
        ck_assert_int_eq(nsbox_add_cap(box, "ALL"), 0);
    if (how & NEW_ROOT) {
        ck_assert_int_eq(nsbox_set_root(box, NULL), 0);
        ck_assert_int_eq(nsbox_add_bind_mount(box, "/usr", "/usr", NSBOX_MOUNT_RDONLY), 0);
        ck_assert_int_eq(nsbox_add_symlink(box, "usr/bin", "/bin"), 0);
        ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib", "/lib"), 0);
        ck_assert_int_eq(nsbox_add_symlink(box, "usr/lib64", "/lib64"), 0);
        ck_assert_int_eq(nsbox_add_dev(box, "/dev"), 0);
        /* Without a PID namespace of its own a sandbox in a user namespace
         * cannot mount a proc: the caller's, bound, shows the monitor. */
        if (how & NO_PIDNS)
            ck_assert_int_eq(nsbox_add_bind_mount(box, "/proc", "/proc", 0), 0);
        else
            ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    } else if (!(how & NO_PIDNS)) {
        ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    }
    return box;
}

/* In the forked case: the identity, then the cwd the init used to keep. */
static void start(int i)
{
    t_as(i);
    ck_assert_int_eq(chdir(dir), 0);
}

static const char *who(int i, unsigned how)
{
    static char buf[64];
    snprintf(buf, sizeof(buf), "%s, caps %s%s", i ? "nobody" : "root",
             how & CAPS_ALL ? "ALL" : "dropped", how & UNHARDENED ? ", unhardened" : "");
    return buf;
}

/* The command may run before the init has exec'd; the attacks are on the
 * init itself, which names itself once it is ready. */
#define WAIT_INIT "until grep -qx nsbox-init $I/comm; do :; done\n"

/* The cwd walk: every path the command tries towards the marker, through
 * the init's cwd and root; what it read (and planted) is in out. */
static int walk(int i, unsigned how, const char *init, char *out, size_t size)
{
    nsbox *box = init_box(i, how);
    char script[1024];
    snprintf(script, sizeof(script),
             "I=%s; up=/../../../../../../../../..\n" WAIT_INIT
             "for f in $I/cwd/marker $I/cwd$up%s $I/root%s; do\n"
             "  cat $f 2>/dev/null\n"
             "done\n"
             "(echo x >$I/cwd/planted || echo x >$I/cwd$up%s) 2>/dev/null\n"
             "echo links $(readlink $I/cwd $I/root 2>/dev/null)\n",
             init, marker, marker, planted);
    int r = t_sh(box, script, out, size);
    nsbox_free(box);
    return r;
}

static void assert_walk_blocked(int i, unsigned how, const char *init)
{
    char out[1024];
    ck_assert_int_eq(walk(i, how, init, out, sizeof(out)), 0);
    ck_assert_msg(!strstr(out, MARKER), "%s: the command read the host's marker: %s", who(i, how),
                  out);
    ck_assert_msg(access(planted, F_OK) < 0, "%s: the command planted %s", who(i, how), planted);
    /* Where the command may look (CAP_SYS_PTRACE), the init's cwd and root
     * are the sandbox's "/"; else it may not look at all. */
    ck_assert_str_eq(strstr(out, "links"), how & CAPS_ALL ? "links / /\n" : "links\n");
    ATTEMPT_BLOCKED();
}

/* The control: the walk reads the marker through an unhardened init. */
static void assert_walk_control(int i, unsigned how, const char *init)
{
    char out[1024];
    how |= UNHARDENED;
    ck_assert_int_eq(walk(i, how, init, out, sizeof(out)), 0);
    ck_assert_msg(strstr(out, MARKER), "%s: the control read nothing: %s", who(i, how), out);
    /* uid 0 with every capability also writes a root-owned host file
     * (nobody's command may not write the test's root-owned directory). */
    if (i == 0 && (how & CAPS_ALL) && !(how & UNPRIV))
        ck_assert_msg(access(planted, F_OK) == 0, "%s: the control planted nothing", who(i, how));
    unlink(planted);
}

START_TEST(test_cwd_walk_pid1)
{
    start(_i);
    for (unsigned caps = 0; caps <= CAPS_ALL; caps++) {
        assert_walk_blocked(_i, NEW_ROOT | caps, "/proc/1");
        assert_walk_blocked(_i, NEW_ROOT | UNPRIV | caps, "/proc/1");
        if (_i == 1 || caps)
            assert_walk_control(_i, NEW_ROOT | caps, "/proc/1");
    }
    p_report("init cwd walk (PID 1)", _i);
}
END_TEST

/* The monitor of a sandbox without a PID namespace (before Linux 6.15, or
 * forced here) is the command's parent, seen through the caller's /proc. */
START_TEST(test_cwd_walk_monitor)
{
    start(_i);
    for (unsigned caps = 0; caps <= CAPS_ALL; caps++) {
        assert_walk_blocked(_i, NEW_ROOT | NO_PIDNS | caps, "/proc/$PPID");
        if (_i == 1 || caps)
            assert_walk_control(_i, NEW_ROOT | NO_PIDNS | caps, "/proc/$PPID");
    }
    p_report("init cwd walk (monitor)", _i);
}
END_TEST

/* With the default root the init's root and cwd are the command's "/":
 * the walk reaches what the command reaches anyway, nothing more. */
START_TEST(test_cwd_default_root)
{
    start(_i);
    for (unsigned how = CAPS_ALL; how <= (CAPS_ALL | UNHARDENED); how += UNHARDENED) {
        nsbox *box = init_box(_i, how);
        char out[256], want[256];
        ck_assert_int_eq(t_sh(box, "readlink /proc/1/cwd /proc/1/root", out, sizeof(out)), 0);
        snprintf(want, sizeof(want), "%s\n/\n", how & UNHARDENED ? dir : "/");
        ck_assert_str_eq(out, want);
        nsbox_free(box);
    }
}
END_TEST

/* The monitor of a joined PID namespace (nsbox-exec's case) on a kernel
 * without PIDFD_INFO_EXIT (forced here), seen from the caller. It is the
 * sandbox's first process, inside the joined PID namespace (the stage that
 * joined forked it there and exited), as the PID-1 init of a new one is.
 * Joining the mount namespace too gives it that namespace's root and cwd
 * (setns does, hardened or not); without it the monitor stays in the
 * caller's mount namespace, with its cwd at the caller's "/", and the
 * control shows that unhardened it kept the caller's cwd. */
static void stat_link(pid_t pid, const char *what, struct stat *st)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
    ck_assert_int_eq(stat(path, st), 0);
}

static void wait_init_ready(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
    for (char comm[32] = ""; strcmp(comm, "nsbox-init\n") != 0;) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ssize_t n = read(fd, comm, sizeof(comm) - 1);
        comm[n > 0 ? n : 0] = '\0';
        close(fd);
    }
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

START_TEST(test_cwd_joined_monitor)
{
    start(_i);
    nsbox *target = init_box(_i, NEW_ROOT);
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(target, fds[0], -1, -1), 0);
    char *wait_argv[] = {"/bin/sh", "-c", "read x; exit 0", NULL};
    nsbox_proc *t;
    ck_assert_int_eq(nsbox_spawn(target, wait_argv, &t), 0);
    struct stat sandbox_root, here, caller_root, st_cwd, st_root;
    stat_link(nsbox_proc_pid(t), "root", &sandbox_root);
    ck_assert_int_eq(stat(".", &here), 0);
    ck_assert_int_eq(stat("/", &caller_root), 0);
    for (unsigned k = 0; k < 4; k++) {
        bool mnt = k & 1;
        unsigned how = k & 2 ? UNHARDENED : 0;
        nsbox *box = nsbox_new();
        box->init_unhardened = how & UNHARDENED;
        box->force_monitor = true;
        unsigned ns = NSBOX_NS_USER | NSBOX_NS_PID | (mnt ? NSBOX_NS_MOUNT : 0);
        ck_assert_int_eq(nsbox_join_namespace(box, ns, nsbox_proc_pidfd(t)), 0);
        ck_assert_int_eq(nsbox_set_stdio(box, fds[0], -1, -1), 0);
        nsbox_proc *p;
        ck_assert_int_eq(nsbox_spawn(box, wait_argv, &p), 0);
        wait_init_ready(nsbox_proc_pid(p));
        struct stat pidns, target_pidns;
        stat_link(nsbox_proc_pid(p), "ns/pid", &pidns);
        stat_link(nsbox_proc_pid(t), "ns/pid", &target_pidns);
        ck_assert(same_file(&pidns, &target_pidns));
        stat_link(nsbox_proc_pid(p), "cwd", &st_cwd);
        stat_link(nsbox_proc_pid(p), "root", &st_root);
        const struct stat *root = mnt ? &sandbox_root : &caller_root;
        ck_assert(same_file(&st_root, root));
        ck_assert_msg(same_file(&st_cwd, mnt || !how ? root : &here), "%s, %s: the monitor's cwd",
                      who(_i, how), mnt ? "mount joined" : "mount not joined");
        if (!mnt && !how)
            ATTEMPT_BLOCKED();
        nsbox_kill(p, SIGKILL);
        nsbox_wait(p, -1);
        nsbox_proc_free(p);
        nsbox_free(box);
    }
    close(fds[1]);
    ck_assert_int_eq(nsbox_wait(t, -1), 0);
    nsbox_proc_free(t);
    close(fds[0]);
    nsbox_free(target);
}
END_TEST

/* What the init holds, read from /proc/1/status by the command. */
START_TEST(test_init_holds)
{
    start(_i);
    for (unsigned how = 0; how <= UNPRIV; how += UNPRIV) {
        nsbox *box = init_box(_i, how);
        char out[512], want[512];
        ck_assert_int_eq(t_sh(box,
                              "grep -E '^(Uid|Gid|Groups|Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' "
                              "/proc/1/status | tr -s '\\t' ' '",
                              out, sizeof(out)),
                         0);
        unsigned id = (how & UNPRIV) ? P_UNPRIV(_i) : _i ? NOBODY : 0;
        /* CAP_KILL alone, also for nobody's init, which is not root of
         * its namespace and keeps it through exec as an ambient one. */
        const char *kill = "0000000000000020";
        snprintf(want, sizeof(want),
                 "Uid: %u %u %u %u\nGid: %u %u %u %u\nGroups: \nCapInh: 0000000000000000\n"
                 "CapPrm: %s\nCapEff: %s\nCapBnd: 0000000000000000\n"
                 "CapAmb: 0000000000000000\nNoNewPrivs: 1\n",
                 id, id, id, id, id, id, id, id, kill, kill);
        ck_assert_str_eq(out, want);
        nsbox_free(box);
    }
}
END_TEST

/* The planted record: {CLD_EXITED, 0} (and {CLD_KILLED, 9}) written into
 * every fd of the init, then exit 3. */
static char *const *plant_argv(const char *init)
{
    static char script[512];
    static char *argv[] = {"/bin/sh", "-c", script, NULL};
    snprintf(script, sizeof(script),
             "I=%s\n" WAIT_INIT "for f in $I/fd/*; do\n"
             "  printf '\\001\\000\\000\\000\\000\\000\\000\\000' 2>/dev/null >$f && echo wrote\n"
             "  printf '\\002\\000\\000\\000\\011\\000\\000\\000' 2>/dev/null >$f\n"
             "done\n"
             "exit 3\n",
             init);
    return argv;
}

/* PIDFD_INFO_EXIT: Linux 6.15. */
static bool kernel_keeps_status(void)
{
    struct utsname u;
    unsigned major = 0, minor = 0;
    ck_assert_int_eq(uname(&u), 0);
    ck_assert_int_eq(sscanf(u.release, "%u.%u", &major, &minor), 2);
    return major > 6 || (major == 6 && minor >= 15);
}

static void assert_status_kept(int i, unsigned how, const char *init)
{
    nsbox *box = init_box(i, how);
    char out[256];
    ck_assert_int_eq(t_run_capture(box, plant_argv(init), out, sizeof(out)), 3);
    /* With CAP_SYS_PTRACE the record does reach the pipe (the kernel's
     * status wins over it); without it the pipe is out of reach. So it is
     * for nobody's sandbox even with it: its user namespace maps no uid 0,
     * and the files of a non-dumpable process belong to that uid 0 (here
     * the host's, unmapped). */
    if ((how & UNHARDENED) || ((how & CAPS_ALL) && i == 0))
        ck_assert_msg(strstr(out, "wrote"), "%s (%s): the record was not planted: %s", who(i, how),
                      init, out);
    else
        ck_assert_msg(!strstr(out, "wrote"), "%s: the record was planted", who(i, how));
    bool wrote = strstr(out, "wrote");
    /* The caller reaps the init itself: the pidfd's exit info (Linux 6.15)
     * still has the kernel's word. Before it the first record is all there
     * is, and a planted one stands: the documented exception. */
    int want = wrote && !kernel_keeps_status() ? 0 : 3;
    nsbox_proc *p;
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    ck_assert_int_eq(nsbox_spawn(box, plant_argv(init), &p), 0);
    close(fds[1]);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, -1, -1), 0);
    siginfo_t si;
    ck_assert_int_eq(waitid(P_ALL, 0, &si, WEXITED), 0);
    ssize_t n = read(fds[0], out, sizeof(out) - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    ck_assert_int_eq(!!strstr(out, "wrote"), wrote);
    ck_assert_int_eq(nsbox_wait(p, -1), want);
    ck_assert_int_eq(nsbox_proc_exit_code(p), want);
    ck_assert_int_eq(nsbox_proc_signal(p), 0);
    nsbox_proc_free(p);
    nsbox_free(box);
    ATTEMPT_BLOCKED();
}

START_TEST(test_status_planted)
{
    start(_i);
    for (unsigned caps = 0; caps <= CAPS_ALL; caps++) {
        assert_status_kept(_i, caps, "/proc/1");
        assert_status_kept(_i, caps | UNPRIV, "/proc/1");
        assert_status_kept(_i, caps | NO_PIDNS, "/proc/$PPID");
        /* The control: an unhardened init's pipe is open to the command. */
        if (_i == 1 || caps)
            assert_status_kept(_i, caps | UNHARDENED, "/proc/1");
    }
    p_report("init status record", _i);
}
END_TEST

/* ptrace, seize and /proc/1/mem of the init from a capless command; the
 * control: the same attempt on a plain child of the command succeeds. */
START_TEST(test_ptrace_init)
{
    start(_i);
    static const char *const attempts[] = {"ptrace", "seize", "mem"};
    static const char *const errs[] = {"EPERM", "EPERM", "EACCES"};
    for (unsigned how = 0; how <= UNPRIV; how += UNPRIV)
        for (int n = 0; n < 3; n++) {
            nsbox *box = init_box(_i, how);
            char out[64];
            ck_assert_int_eq(p_helper(box, out, sizeof(out), attempts[n], "1", NULL), 0);
            BLOCKED(out, errs[n]);
            ck_assert_int_eq(p_helper(box, out, sizeof(out), "child", attempts[n], NULL), 0);
            ck_assert_str_eq(out, "ok");
            nsbox_free(box);
        }
    /* Stated limit: a command that keeps CAP_SYS_PTRACE can ptrace the
     * init (its /proc files too, unless no uid 0 is mapped, see above). */
    nsbox *box = init_box(_i, CAPS_ALL);
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "seize", "1", NULL), 0);
    ck_assert_str_eq(out, "ok");
    nsbox_free(box);
    p_report("init ptrace and mem", _i);
}
END_TEST

/* A shifted map (root's "0 100000 65536"): the init starts with the
 * caller's host uid 0, unmapped there, and must leave it for the command's
 * ids; it still forwards SIGTERM to the command, which runs as another
 * host uid than the one it started with. Root only: nobody cannot map a
 * range. */
START_TEST(test_init_shifted_map)
{
    ck_assert_int_eq(chdir(dir), 0);
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER | NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_add_uid_map(box, 0, 100000, 65536), 0);
    ck_assert_int_eq(nsbox_add_gid_map(box, 0, 100000, 65536), 0);
    ck_assert_int_eq(nsbox_set_user(box, 0, 0), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    char out[256];
    ck_assert_int_eq(
        t_sh(box, "grep -E '^(Uid|Gid|Groups):' /proc/1/status | tr -s '\t' ' '", out, sizeof(out)),
        0);
    ck_assert_str_eq(out, "Uid: 0 0 0 0\nGid: 0 0 0 0\nGroups: \n");
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    ck_assert_int_eq(nsbox_set_stdio(box, -1, fds[1], -1), 0);
    char *argv[] = {"/bin/sh", "-c", "echo up; exec sleep 100", NULL};
    nsbox_proc *p;
    ck_assert_int_eq(nsbox_spawn(box, argv, &p), 0);
    close(fds[1]);
    ck_assert_int_eq(read(fds[0], out, 3), 3);
    ck_assert_int_eq(nsbox_kill(p, SIGTERM), 0);
    ck_assert_int_eq(nsbox_wait(p, 10000), 128 + SIGTERM);
    ck_assert_int_eq(nsbox_proc_signal(p), SIGTERM);
    nsbox_proc_free(p);
    close(fds[0]);
    nsbox_free(box);
}
END_TEST

/* A root caller without a user namespace: the init holds host root's
 * CAP_KILL alone, and a capless command running as host root cannot reach
 * it (non-dumpable: CAP_SYS_PTRACE of the host's namespace needed). Root
 * only: nobody needs a user namespace for a PID namespace. */
START_TEST(test_init_no_userns)
{
    ck_assert_int_eq(chdir(dir), 0);
    static const char *const attempts[] = {"ptrace", "seize", "mem"};
    static const char *const errs[] = {"EPERM", "EPERM", "EACCES"};
    nsbox *box = nsbox_new();
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(nsbox_add_proc(box, "/proc"), 0);
    char out[512];
    ck_assert_int_eq(t_sh(box,
                          "I=/proc/1\n" WAIT_INIT
                          "cat $I/cwd/marker 2>/dev/null; grep -E '^Cap(Prm|Bnd):' $I/status",
                          out, sizeof(out)),
                     0);
    ck_assert_str_eq(out, "CapPrm:\t0000000000000020\nCapBnd:\t0000000000000000\n");
    for (int n = 0; n < 3; n++) {
        ck_assert_int_eq(p_helper(box, out, sizeof(out), attempts[n], "1", NULL), 0);
        BLOCKED(out, errs[n]);
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "child", attempts[n], NULL), 0);
        ck_assert_str_eq(out, "ok");
    }
    nsbox_free(box);
    p_report("init without a user ns", 0);
}
END_TEST

/* An id the init cannot take (not mapped): nsbox_spawn() reports it, every
 * time (the check is made before clone now; the init, should its switch
 * fail, lets the command's stage report rather than race it). */
START_TEST(test_init_id_failure)
{
    t_as(_i);
    char *argv[] = {"true", NULL};
    for (unsigned how = 0; how <= NO_PIDNS; how += NO_PIDNS)
        for (int k = 0; k < 10; k++) {
            nsbox *box = nsbox_new();
            box->force_monitor = true;
            ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_USER), 0);
            if (!(how & NO_PIDNS))
                ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
            uint32_t me = _i ? NOBODY : 0;
            ck_assert_int_eq(nsbox_add_uid_map(box, 0, me, 1), 0);
            ck_assert_int_eq(nsbox_add_gid_map(box, 0, me, 1), 0);
            ck_assert_int_eq(nsbox_set_user(box, 5, 0), 0);
            nsbox_proc *p = NULL;
            ck_assert_int_eq(nsbox_spawn(box, argv, &p), -EINVAL);
            ck_assert_ptr_null(p);
            ck_assert_msg(strstr(nsbox_errmsg(box), "uid 5"), "%s", nsbox_errmsg(box));
            nsbox_free(box);
        }
}
END_TEST

/* NSBOX_DIE_WITH_PARENT survives the init's id switch (which clears the
 * parent-death signal): the spawning process exits, the sandbox goes. */
START_TEST(test_init_die_with_parent)
{
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    pid_t spawner = fork();
    if (spawner == 0) {
        nsbox *box = init_box(0, UNPRIV);
        nsbox_set_flags(box, NSBOX_DIE_WITH_PARENT);
        char *argv[] = {"sleep", "60", NULL};
        nsbox_proc *p;
        if (nsbox_spawn(box, argv, &p) < 0)
            _exit(1);
        pid_t init = nsbox_proc_pid(p);
        wait_init_ready(init);
        ssize_t n = write(fds[1], &init, sizeof(init));
        _exit(n == sizeof(init) ? 0 : 1);
    }
    close(fds[1]);
    pid_t init = 0;
    ck_assert_int_eq(read(fds[0], &init, sizeof(init)), sizeof(init));
    close(fds[0]);
    ck_assert_int_eq(waitpid(spawner, NULL, 0), spawner);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)init);
    bool gone = false;
    for (int k = 0; k < 1000 && !gone; k++) {
        char buf[512] = "";
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (fd >= 0)
            close(fd);
        char *end = n > 0 ? strrchr(buf, ')') : NULL;
        gone = !end || end[2] == 'Z';
        if (!gone)
            usleep(10000);
    }
    ck_assert_msg(gone, "the init %d outlived its spawner", (int)init);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("attack_init");
    TCase *tc = tcase_create("attack_init");
    tcase_add_unchecked_fixture(tc, fixture_make, fixture_remove);
    /* Up to 16 spawns a case: room for the v2 guest lane's TCG. */
    tcase_set_timeout(tc, 180);
    tcase_add_loop_test(tc, test_cwd_walk_pid1, 0, 2);
    tcase_add_loop_test(tc, test_cwd_walk_monitor, 0, 2);
    tcase_add_loop_test(tc, test_cwd_default_root, 0, 2);
    tcase_add_loop_test(tc, test_cwd_joined_monitor, 0, 2);
    tcase_add_loop_test(tc, test_init_holds, 0, 2);
    tcase_add_loop_test(tc, test_status_planted, 0, 2);
    tcase_add_loop_test(tc, test_ptrace_init, 0, 2);
    tcase_add_test(tc, test_init_shifted_map);
    tcase_add_test(tc, test_init_no_userns);
    tcase_add_test(tc, test_init_die_with_parent);
    tcase_add_loop_test(tc, test_init_id_failure, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
