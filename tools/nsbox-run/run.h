/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run: a bubblewrap-compatible command line over libnsbox.
 * Options live in tables, one file per concern (core, filesystem, cgroup,
 * privileges); main.c parses argv against all of them. */
#ifndef NSBOX_RUN_H
#define NSBOX_RUN_H

#include <stdbool.h>
#include <sys/types.h>
#include <nsbox.h>

struct run_ctx {
    nsbox *box;
    unsigned ns;         /* namespaces asked for, applied after parsing */
    unsigned ns_try;     /* *-try kinds: dropped when the kernel refuses */
    unsigned ns_created; /* the kinds made, for --info-fd and --json-status-fd */
    unsigned flags;      /* NSBOX_* flags */
    bool fs_used;        /* a filesystem option was given: tmpfs root */
    bool joined_user;    /* --userns given */
    int json_status_fd;  /* --json-status-fd, -1 if none */
    int info_fd;         /* --info-fd, -1 if none */
    int argc;            /* the command line, which --args may grow */
    char **argv;
    char **command; /* the command's argv, set before the finish hooks */
};

struct run_opt {
    const char *name; /* "--unshare-pid" */
    int nargs;
    /* Applies the option; returns 0, or a negative errno after printing
     * nothing (main prints nsbox_errmsg or the message set by run_error). */
    int (*apply)(struct run_ctx *ctx, char **args);
    const char *args_help; /* "FD DEST", or "" */
    const char *help;
};

struct run_module {
    const struct run_opt *opts; /* ends with a NULL name */
    /* After all options: applies what depends on several of them. */
    int (*finish)(struct run_ctx *ctx);
    /* Forgets what the options stored, as if none had been parsed: the fuzz
     * target (tests/fuzz/fuzz_run_args.c) parses many command lines in one
     * process. May be NULL. */
    void (*reset)(void);
};

/* What a module does around the command's run (--info-fd, --json-status-fd):
 * main.c calls each entry of its hooks table. */
struct run_hooks {
    /* After the command started; a negative return (after printing the
     * error) kills the sandbox and makes nsbox-run fail. */
    int (*started)(struct run_ctx *ctx, nsbox_proc *proc);
    /* After the command ended with the shell-form status; may be NULL. A
     * negative return (after printing the error) makes nsbox-run fail. */
    int (*ended)(struct run_ctx *ctx, nsbox_proc *proc, int status);
};

extern const struct run_module run_module_core;
extern const struct run_module run_module_priv;
extern const struct run_module run_module_cgroup;
extern const struct run_module run_module_extra;
extern const struct run_hooks run_hooks_extra;
extern const struct run_hooks run_hooks_cgroup;

/* nsbox-run's parent when it started (--die-with-parent). */
extern pid_t run_parent_pid;

/* What run_error prefixes its messages with ("nsbox-run: "). */
extern const char *run_prefix;
extern const struct run_module run_module_fs;

/* Prints "nsbox-run: <message>" and returns -EINVAL. */
int run_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses a non-negative decimal int (an fd, an id); -1 if it is not one. */
long run_parse_num(const char *s);

/* An output fd given on the command line that is not open now is held on a
 * read-only /dev/null, so that no fd nsbox-run opens later takes its number
 * and the write still fails with EBADF, as bwrap's does. */
void run_reserve_fd(int fd);

/* Writes "\"child-pid\": N" and the created namespaces' "\"KIND-namespace\":
 * INODE" items, separated by sep, into doc; returns the length. */
int run_status_doc(struct run_ctx *ctx, nsbox_proc *proc, const char *sep, char *doc, size_t size);

/* Writes all of data to fd; on failure prints "Write to <what>: <error>"
 * and returns -EINVAL. */
int run_write_all(int fd, const char *what, const char *data, size_t len);

/* Before each option is applied: refuses a pending --perms or --size that
 * the option does not take, as bwrap does. */
int run_fs_before(const char *name);

/* Reports a library failure ("nsbox-run: <errmsg>") and returns r. */
int run_lib_error(struct run_ctx *ctx, int r);

#endif
