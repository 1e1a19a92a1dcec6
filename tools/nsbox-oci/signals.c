/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal names and numbers as `runc kill` takes them: "KILL", "SIGKILL",
 * "9", and the real-time ones as "RTMIN+3". */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oci.h"

static const struct {
    const char *name;
    int sig;
} names[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

static int parse_number(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 1 || v > SIGRTMAX)
        return -1;
    return (int)v;
}

int signal_parse(const char *s)
{
    int n = parse_number(s);
    if (n > 0)
        return n;
    const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].sig;
    if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
        bool max = strncasecmp(name, "RTMAX", 5) == 0;
        int off = 0;
        if (name[5] == '+' || name[5] == '-') {
            char *end;
            long v = strtol(name + 6, &end, 10);
            if (end == name + 6 || *end || v < 0 || v > SIGRTMAX - SIGRTMIN)
                goto bad;
            off = name[5] == '-' ? -(int)v : (int)v;
        } else if (name[5]) {
            goto bad;
        }
        int sig = (max ? SIGRTMAX : SIGRTMIN) + off;
        if (sig >= SIGRTMIN && sig <= SIGRTMAX)
            return sig;
    }
bad:
    return oci_err("unknown signal %s", s);
}
