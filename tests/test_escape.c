/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Escape attempts: each runs as root in a user namespace (i == 0) and as
 * nobody (i == 1), is made from inside the sandbox by priv-helper, and must
 * fail with the errno asserted here. Where it shows the attempt is real, a
 * control run without the defence succeeds first. Each case prints how many
 * attempts it made; all of them were blocked if it passes. The filesystem
 * escapes (read-only binds, remount, /proc) are in test_escape_fs.c. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "privtest.h"

/* Made by the unchecked fixture, as root, before the cases fork. */
static char dir[64];
static char suid_prog[128], fcap_e_prog[128], fcap_p_prog[128], root_file[128], root_secret[128];

static void copy_file(const char *src, const char *dst, mode_t mode)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
    ck_assert(in >= 0 && out >= 0);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        ck_assert_int_eq(write(out, buf, (size_t)n), n);
    ck_assert_int_eq(fchmod(out, mode), 0);
    close(in);
    close(out);
}

static void setcap(const char *caps, const char *path)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "/usr/sbin/setcap %s %s", caps, path);
    ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

static void fixture_make(void)
{
    snprintf(dir, sizeof(dir), "/tmp/nsbox-escape-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    snprintf(suid_prog, sizeof(suid_prog), "%s/suid-root", dir);
    snprintf(fcap_e_prog, sizeof(fcap_e_prog), "%s/file-caps-e", dir);
    snprintf(fcap_p_prog, sizeof(fcap_p_prog), "%s/file-caps-p", dir);
    snprintf(root_file, sizeof(root_file), "%s/roots-file", dir);
    snprintf(root_secret, sizeof(root_secret), "%s/roots-secret", dir);
    copy_file(PRIV_HELPER, suid_prog, 04755);
    copy_file(PRIV_HELPER, fcap_e_prog, 0755);
    copy_file(PRIV_HELPER, fcap_p_prog, 0755);
    /* +e: a capability-dumb binary (the kernel refuses to run it without
     * every capability); +p: a capability-aware one. */
    setcap("cap_net_bind_service,cap_dac_override,cap_sys_admin+ep", fcap_e_prog);
    setcap("cap_net_bind_service,cap_dac_override,cap_sys_admin+p", fcap_p_prog);
    copy_file("/dev/null", root_file, 0644);
    copy_file("/dev/null", root_secret, 0600);
}

static void fixture_remove(void)
{
    unlink(suid_prog);
    unlink(fcap_e_prog);
    unlink(fcap_p_prog);
    unlink(root_file);
    unlink(root_secret);
    rmdir(dir);
}

/* A process of the caller's, outside any sandbox. */
static pid_t victim_start(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static void victim_assert_alive_and_stop(pid_t pid)
{
    int st;
    ck_assert_int_eq(waitpid(pid, &st, WNOHANG), 0);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

static void fmt(char *buf, size_t size, long v)
{
    snprintf(buf, size, "%ld", v);
}

/* A PID namespace hides and shields the caller's processes. */
START_TEST(test_pid_ns_hides_host)
{
    t_as(_i);
    pid_t victim = victim_start();
    char pid[24], out[64];
    fmt(pid, sizeof(pid), victim);
    nsbox *box = p_box(_i, false);
    /* Control: the same sandbox without a PID namespace reaches it. */
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "kill", pid, "0", NULL), 0);
    ck_assert_str_eq(out, "ok");
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_PID), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "kill", pid, "0", NULL), 0);
    BLOCKED(out, "ESRCH");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "kill", pid, "9", NULL), 0);
    BLOCKED(out, "ESRCH");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "pidfd", pid, NULL), 0);
    BLOCKED(out, "ESRCH");
    victim_assert_alive_and_stop(victim);
    nsbox_free(box);
    p_report("see/signal a host process", _i);
}
END_TEST

/* no_new_privs: a setuid-root binary does not change the euid; file
 * capabilities grant nothing (a capability-dumb +e binary does not even
 * run: exec says EPERM). Without no_new_privs the setuid bit works where
 * root is mapped (control), and the dropped bounding set still leaves no
 * capability. */
START_TEST(test_setuid_and_file_caps)
{
    t_as(_i);
    nsbox *box = p_box(_i, true);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET), 0);
    char out[512];
    for (int nnp = 1; nnp >= 0; nnp--) {
        ck_assert_int_eq(nsbox_set_flags(box, nnp ? 0 : NSBOX_ALLOW_NEW_PRIVS), 0);
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "exec", suid_prog, "status", NULL), 0);
        const char *ids = _i ? "uid=65534,65534 " : nnp ? "uid=1000,1000 " : "uid=1000,0 ";
        ck_assert_msg(strncmp(out, ids, strlen(ids)) == 0, "%s", out);
        ck_assert_msg(p_field(out, "prm") == 0 && p_field(out, "eff") == 0, "%s", out);
        ATTEMPT_BLOCKED();
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "exec", fcap_e_prog, "status", NULL), 0);
        BLOCKED(out, "EPERM");
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "exec", fcap_p_prog, "status", NULL), 0);
        ck_assert_msg(p_field(out, "prm") == 0 && p_field(out, "eff") == 0, "%s", out);
        ATTEMPT_BLOCKED();
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "exec", fcap_p_prog, "bind", "80", NULL),
                         0);
        BLOCKED(out, "EACCES");
    }
    nsbox_free(box);
    p_report("setuid-root / file caps", _i);
}
END_TEST

/* Only the granted capability works: binding port 80 does; chown of
 * another user's file and mount do not. Without the grant, port 80 fails
 * too. */
START_TEST(test_capability_not_granted)
{
    t_as(_i);
    nsbox *box = p_box(_i, true);
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET | NSBOX_NS_MOUNT), 0);
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "bind", "80", NULL), 0);
    BLOCKED(out, "EACCES");
    ck_assert_int_eq(nsbox_add_cap(box, "cap_net_bind_service"), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "bind", "80", NULL), 0);
    ck_assert_str_eq(out, "ok");
    char id[16];
    fmt(id, sizeof(id), P_UNPRIV(_i));
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "chown", root_file, id, id, NULL), 0);
    BLOCKED(out, "EPERM");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "mount", dir, NULL), 0);
    BLOCKED(out, "EPERM");
    /* Controls: granted, the same calls work (chown only where root is
     * mapped; the mount stays in the sandbox's mount namespace). */
    ck_assert_int_eq(nsbox_add_cap(box, "cap_sys_admin"), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "mount", dir, NULL), 0);
    ck_assert_str_eq(out, "ok");
    if (_i == 0) {
        ck_assert_int_eq(nsbox_add_cap(box, "cap_chown"), 0);
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "chown", root_file, "0", "0", NULL), 0);
        ck_assert_str_eq(out, "ok");
    }
    nsbox_free(box);
    p_report("use a capability not granted", _i);
}
END_TEST

/* A process in another user namespace cannot trace the caller's. */
START_TEST(test_ptrace_outside)
{
    t_as(_i);
    pid_t victim = victim_start();
    char pid[24], out[64];
    fmt(pid, sizeof(pid), victim);
    if (_i == 1) {
        /* Control: same uid, no namespace: tracing works. */
        nsbox *plain = nsbox_new();
        ck_assert_int_eq(p_helper(plain, out, sizeof(out), "seize", pid, NULL), 0);
        ck_assert_str_eq(out, "ok");
        nsbox_free(plain);
    }
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "ptrace", pid, NULL), 0);
    BLOCKED(out, "EPERM");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "seize", pid, NULL), 0);
    BLOCKED(out, "EPERM");
    victim_assert_alive_and_stop(victim);
    nsbox_free(box);
    p_report("ptrace a process outside", _i);
}
END_TEST

/* In a new session of its own (the pty made here its controlling
 * terminal), runs TIOCSTI in a sandbox with and without NSBOX_NEW_SESSION
 * and writes "<control> <queued> <attempt> <queued>" to fd. */
static void tiocsti_session(int i, int fd)
{
    char line[128], a[64] = "", b[64] = "";
    int q1 = -1, q2 = -1;
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (setsid() < 0 || master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
        _exit(3);
    int slave = open(ptsname(master), O_RDWR | O_CLOEXEC); /* becomes the ctty */
    struct termios t;
    if (slave < 0 || tcgetattr(slave, &t) < 0)
        _exit(4);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    nsbox *box = p_box(i, false);
    nsbox_pass_fd(box, slave, 3);
    p_helper(box, a, sizeof(a), "tiocsti", "3", NULL);
    ioctl(slave, FIONREAD, &q1);
    tcflush(slave, TCIFLUSH);
    nsbox_set_flags(box, NSBOX_NEW_SESSION);
    p_helper(box, b, sizeof(b), "tiocsti", "3", NULL);
    ioctl(slave, FIONREAD, &q2);
    int len = snprintf(line, sizeof(line), "%s %d %s %d", a, q1, b, q2);
    _exit(write(fd, line, (size_t)len) == len ? 0 : 5);
}

START_TEST(test_tiocsti_new_session)
{
    t_as(_i);
    int fds[2];
    ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        tiocsti_session(_i, fds[1]);
    close(fds[1]);
    char line[128] = "";
    ck_assert_int_ge(read(fds[0], line, sizeof(line) - 1), 0);
    close(fds[0]);
    int st;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "session child: status %d", st);
    char control[32], attempt[32];
    int queued_control, queued_attempt;
    ck_assert_int_eq(
        sscanf(line, "%31s %d %31s %d", control, &queued_control, attempt, &queued_attempt), 4);
    /* Control: sharing the caller's session, the byte lands; unless the
     * kernel refuses TIOCSTI to everyone (dev.tty.legacy_tiocsti = 0, Linux
     * 6.2+), which it checks first. */
    FILE *f = fopen("/proc/sys/dev/tty/legacy_tiocsti", "re");
    int legacy = 1;
    if (f) {
        ck_assert_int_eq(fscanf(f, "%d", &legacy), 1);
        fclose(f);
    }
    ck_assert_str_eq(control, legacy ? "ok" : "EIO");
    ck_assert_int_eq(queued_control, legacy ? 1 : 0);
    BLOCKED(attempt, legacy ? "EPERM" : "EIO");
    ck_assert_int_eq(queued_attempt, 0);
    p_report("TIOCSTI into the terminal", _i);
}
END_TEST

/* A new network namespace has its own loopback: the caller's listener on
 * 127.0.0.1 is out of reach. */
START_TEST(test_host_loopback)
{
    t_as(_i);
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(s, 4), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &alen), 0);
    char port[16], out[64];
    fmt(port, sizeof(port), ntohs(a.sin_port));
    nsbox *box = p_box(_i, false);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "connect", port, NULL), 0);
    ck_assert_str_eq(out, "ok");
    ck_assert_int_eq(nsbox_add_namespace(box, NSBOX_NS_NET), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "connect", port, NULL), 0);
    BLOCKED(out, "ECONNREFUSED");
    close(s);
    nsbox_free(box);
    p_report("reach host 127.0.0.1", _i);
}
END_TEST

/* /etc/shadow (root:shadow 0640) stays closed to a mapped unprivileged
 * user; to nobody's sandbox even with every capability (root is not mapped
 * there). In root's sandbox, a root-only file of the test opens with a kept
 * CAP_DAC_READ_SEARCH (control): the drop is what blocks. */
START_TEST(test_read_shadow)
{
    t_as(_i);
    struct stat st;
    ck_assert_int_eq(stat("/etc/shadow", &st), 0);
    ck_assert_msg(!(st.st_mode & S_IROTH) && st.st_uid == 0, "/etc/shadow is world-readable");
    nsbox *box = p_box(_i, true);
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "read", "/etc/shadow", NULL), 0);
    BLOCKED(out, "EACCES");
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "read", root_secret, NULL), 0);
    BLOCKED(out, "EACCES");
    ck_assert_int_eq(nsbox_add_cap(box, _i == 0 ? "cap_dac_read_search" : "ALL"), 0);
    if (_i == 0) {
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "read", root_secret, NULL), 0);
        ck_assert_str_eq(out, "ok");
    } else {
        ck_assert_int_eq(p_helper(box, out, sizeof(out), "read", "/etc/shadow", NULL), 0);
        BLOCKED(out, "EACCES");
    }
    nsbox_free(box);
    p_report("read /etc/shadow", _i);
}
END_TEST

/* A system call the filter denies returns the filter's errno. */
START_TEST(test_seccomp_denies)
{
    t_as(_i);
    nsbox *box = p_box(_i, false);
    char out[64];
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "unshare-user", NULL), 0);
    ck_assert_str_eq(out, "ok");
    struct sock_filter f[P_DENY_INSNS];
    ck_assert_int_eq(nsbox_set_seccomp_filter(box, f, p_deny(SYS_unshare, EXDEV, f)), 0);
    ck_assert_int_eq(p_helper(box, out, sizeof(out), "unshare-user", NULL), 0);
    BLOCKED(out, "EXDEV");
    nsbox_free(box);
    p_report("syscall denied by seccomp", _i);
}
END_TEST

int main(void)
{
    if (geteuid() != 0) {
        printf("skip: the escape suite starts as root (it drops to nobody per case)\n");
        return 77;
    }
    if (access("/usr/sbin/setcap", X_OK) < 0) {
        printf("skip: /usr/sbin/setcap (libcap2-bin) is needed for the file-capability case\n");
        return 77;
    }
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("escape");
    tcase_add_unchecked_fixture(tc, fixture_make, fixture_remove);
    tcase_add_loop_test(tc, test_pid_ns_hides_host, 0, 2);
    tcase_add_loop_test(tc, test_setuid_and_file_caps, 0, 2);
    tcase_add_loop_test(tc, test_capability_not_granted, 0, 2);
    tcase_add_loop_test(tc, test_ptrace_outside, 0, 2);
    tcase_add_loop_test(tc, test_tiocsti_new_session, 0, 2);
    tcase_add_loop_test(tc, test_host_loopback, 0, 2);
    tcase_add_loop_test(tc, test_read_shadow, 0, 2);
    tcase_add_loop_test(tc, test_seccomp_denies, 0, 2);
    suite_add_tcase(s, tc);
    return t_run_suite(s);
}
