/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs inside sandboxes for the privilege and escape tests: performs one
 * attempt and prints one line, "ok" or the errno's name ("EPERM"), so that
 * the test checks the outcome from inside. "status" prints the identity,
 * the capability sets, no_new_privs and the seccomp mode. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int result(long r)
{
    if (r < 0)
        printf("%s\n", strerrorname_np(errno));
    else
        printf("ok\n");
    return 0;
}

/* In a nested user, mount and PID namespace (where the sandbox holds every
 * capability again): what = "proc" mounts a new procfs on /proc (the kernel
 * allows it only while some procfs of the mount namespace is fully
 * visible), else unmounts the path what (a cover, locked there). */
static int nested(const char *what)
{
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0)
        return result(-1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return result(-1);
    if (pid == 0) {
        if (strcmp(what, "proc") == 0)
            result(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
        else
            result(umount2(what, MNT_DETACH));
        fflush(stdout);
        _exit(0);
    }
    int st;
    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) ? 0 : 1;
}

/* "uid=R,E gid=R,E inh=HEX prm=HEX eff=HEX bnd=HEX amb=HEX nnp=N seccomp=N" */
static int status(void)
{
    static const char *const keys[] = {"CapInh", "CapPrm",     "CapEff", "CapBnd",
                                       "CapAmb", "NoNewPrivs", "Seccomp"};
    static const char *const names[] = {"inh", "prm", "eff", "bnd", "amb", "nnp", "seccomp"};
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return result(-1);
    char line[256], key[64], v[4][64];
    printf("uid=%d,%d gid=%d,%d", (int)getuid(), (int)geteuid(), (int)getgid(), (int)getegid());
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%63[^:]: %63s %63s %63s %63s", key, v[0], v[1], v[2], v[3]) < 2)
            continue;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            if (strcmp(key, keys[i]) == 0)
                printf(" %s=%s", names[i], v[0]);
    }
    fclose(f);
    printf("\n");
    return 0;
}

static int do_bind(int port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return result(-1);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    return result(bind(s, (struct sockaddr *)&a, sizeof(a)));
}

static int do_connect(int port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return result(-1);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return result(connect(s, (struct sockaddr *)&a, sizeof(a)));
}

static int do_tiocsti(int fd)
{
    char c = '#';
    return result(ioctl(fd, TIOCSTI, &c));
}

/* An attempt on another process: ptrace, seize, or mem (open its
 * /proc/PID/mem for reading and writing). */
static int on_process(const char *cmd, pid_t pid)
{
    char path[64];
    if (strcmp(cmd, "ptrace") == 0)
        return result(ptrace(PTRACE_ATTACH, pid, 0, 0));
    if (strcmp(cmd, "seize") == 0)
        return result(ptrace(PTRACE_SEIZE, pid, 0, 0));
    snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
    return result(open(path, O_RDWR | O_CLOEXEC));
}

/* child ATTEMPT: the attempt on a plain forked child of this process, the
 * control that shows the attempt works where nothing defends. */
static int on_child(const char *cmd)
{
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    if (pid < 0)
        return result(-1);
    int r = on_process(cmd, pid);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return r;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    long a = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
    long b = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
    if (strcmp(cmd, "status") == 0)
        return status();
    if (strcmp(cmd, "kill") == 0) /* kill PID SIG */
        return result(kill((pid_t)a, (int)b));
    if (strcmp(cmd, "pidfd") == 0) /* pidfd PID */
        return result(syscall(SYS_pidfd_open, (pid_t)a, 0));
    if (strcmp(cmd, "ptrace") == 0 || strcmp(cmd, "seize") == 0 || strcmp(cmd, "mem") == 0)
        return on_process(cmd, (pid_t)a);      /* ptrace|seize|mem PID */
    if (strcmp(cmd, "child") == 0 && argc > 2) /* child ptrace|seize|mem */
        return on_child(argv[2]);
    if (strcmp(cmd, "bind") == 0) /* bind PORT */
        return do_bind((int)a);
    if (strcmp(cmd, "connect") == 0) /* connect PORT (127.0.0.1) */
        return do_connect((int)a);
    if (strcmp(cmd, "chown") == 0) /* chown PATH UID GID */
        return result(chown(argv[2], (uid_t)b, (gid_t)strtol(argv[4], NULL, 10)));
    if (strcmp(cmd, "mount") == 0) /* mount DIR: a tmpfs */
        return result(mount("none", argv[2], "tmpfs", 0, NULL));
    if (strcmp(cmd, "create") == 0) /* create PATH: a new file, for writing */
        return result(open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    if (strcmp(cmd, "remount-rw") == 0) /* remount-rw DIR: a bind mount read-write */
        return result(mount(NULL, argv[2], NULL, MS_REMOUNT | MS_BIND, NULL));
    if (strcmp(cmd, "umount") == 0) /* umount DIR */
        return result(umount2(argv[2], MNT_DETACH));
    if (strcmp(cmd, "read") == 0) /* read PATH */
        return result(open(argv[2], O_RDONLY | O_CLOEXEC));
    if (strcmp(cmd, "rw") == 0) /* rw PATH: open for reading and writing */
        return result(open(argv[2], O_RDWR | O_CLOEXEC));
    if (strcmp(cmd, "mknod") == 0) /* mknod PATH MAJOR MINOR: a character device node */
        return result(mknod(argv[2], S_IFCHR | 0600,
                            makedev(strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10))));
    if (strcmp(cmd, "append") == 0) /* append PATH: open an existing file to append */
        return result(open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC));
    if (strcmp(cmd, "nested") == 0) /* nested proc|PATH */
        return nested(argv[2]);
    if (strcmp(cmd, "tiocsti") == 0) /* tiocsti FD */
        return do_tiocsti((int)a);
    if (strcmp(cmd, "uname") == 0) {
        struct utsname u;
        return result(uname(&u));
    }
    if (strcmp(cmd, "unshare-user") == 0)
        return result(unshare(CLONE_NEWUSER));
    if (strcmp(cmd, "exec") == 0) /* exec PATH ARGS...: runs another program */
        return result(execv(argv[2], argv + 2));
    fprintf(stderr, "priv-helper: unknown command %s\n", cmd);
    return 2;
}
