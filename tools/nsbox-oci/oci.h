/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-oci: a runc-compatible OCI runtime over libnsbox's public API.
 * One concern a file: main.c (command line, global flags), log.c (errors
 * and --log), state.c (the state directory), config.c (config.json with
 * jansson), spec_*.c (config.json -> recipe), hooks.c, console.c,
 * seccomp.c, and cmd_*.c (one file per group of commands). */
#ifndef NSBOX_OCI_H
#define NSBOX_OCI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <nsbox.h>

#define OCI_VERSION "1.1.0"

/* ------------------------------------------------------------------ log.c */

enum { LOG_TEXT, LOG_JSON };
/* --log FILE (NULL: stderr only) and --log-format; --debug. */
int oci_log_open(const char *path, int format, bool debug);
/* Records the error that the command will report (a later call replaces
 * it) and returns -1, so that `return oci_err(...)` fails a step. */
__attribute__((format(printf, 1, 2))) int oci_err(const char *fmt, ...);
/* The recorded error, "" if none. */
const char *oci_errmsg(void);
/* Clears the recorded error (the fuzz target parses many configs). */
void oci_err_clear(void);
/* Writes the recorded error as runc does: to the log (text or JSON lines)
 * and plain to stderr with --log, as a log line to stderr without. */
void oci_log_error(void);
/* A warning or debug line to the log (stderr without --log). */
__attribute__((format(printf, 1, 2))) void oci_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void oci_debug(const char *fmt, ...);

/* --------------------------------------------------------------- config.c */

/* config.json parsed with jansson (duplicate keys refused). The json_t is
 * owned by the caller (json_decref). NULL after oci_err(). */
json_t *oci_config_load(const char *path);
json_t *oci_config_parse(const char *buf, size_t len);

/* Typed getters that name the field in their errors ("process.args[1]:
 * expected a string"). A missing key leaves *out as it is and returns 0;
 * a present key of the wrong type fails. path is where obj sits. */
int cfg_str(json_t *obj, const char *path, const char *key, const char **out);
int cfg_bool(json_t *obj, const char *path, const char *key, bool *out);
int cfg_int(json_t *obj, const char *path, const char *key, int64_t min, int64_t max, int64_t *out);
int cfg_obj(json_t *obj, const char *path, const char *key, json_t **out);
int cfg_arr(json_t *obj, const char *path, const char *key, json_t **out);
/* The element of an array, of a type, named "path[i]". */
int cfg_elem_str(json_t *arr, const char *path, size_t i, const char **out);
int cfg_elem_obj(json_t *arr, const char *path, size_t i, json_t **out);
/* Fails on a key of obj that the spec defines but nsbox-oci does not
 * support (NULL-terminated list), naming it; keys the spec does not define
 * are ignored, as config.md requires. */
int cfg_refuse(json_t *obj, const char *path, const char *const *unsupported);
/* Calls fn (if not NULL) for each entry of the object at obj.key, whose
 * values must be strings; field is "path.key.entry". */
typedef int (*cfg_map_fn)(void *ctx, const char *field, const char *key, const char *value);
int cfg_string_map(json_t *obj, const char *path, const char *key, cfg_map_fn fn, void *ctx);
/* Fails on a present key whose value is not null/empty, for fields
 * accepted only when they ask for nothing. */
int cfg_refuse_nonempty(json_t *obj, const char *path, const char *key);

/* ----------------------------------------------------------------- spec.c */

/* What the mapping learns while it fills the recipe. */
struct oci_spec {
    json_t *config;
    const char *id;
    const char *bundle; /* absolute */
    char *rootfs;       /* absolute, malloc'd */
    unsigned ns_new;    /* NSBOX_NS_* made new */
    unsigned ns_joined; /* NSBOX_NS_* joined by path */
    unsigned flags;     /* NSBOX_* flags for nsbox_set_flags */
    bool terminal;      /* process.terminal */
    int console_rows, console_cols;
    char **argv; /* process.args, pointers into config */
    size_t argc;
    char *cgroup_path; /* linux.cgroupsPath or the default, malloc'd */
    int ns_fds[8];     /* joined namespace fds, closed by oci_spec_free */
    size_t n_ns_fds;
    bool for_exec;    /* the process of an exec: no filesystem, no cgroup */
    bool deny_mknod;  /* device rules deny some: CAP_MKNOD taken away */
    bool caps_given;  /* process.capabilities present */
    uint64_t caps[5]; /* its sets, NSBOX_CAPS_* order */
};

/* Fills box from config (create), or from a process object only (exec,
 * for_exec set). Every error names the field. */
int oci_spec_apply(struct oci_spec *spec, nsbox *box);
void oci_spec_free(struct oci_spec *spec);

/* The parts, one file each. */
int spec_process(struct oci_spec *spec, nsbox *box, json_t *process);
int spec_root_mounts(struct oci_spec *spec, nsbox *box);
/* A mounts[] entry of type "cgroup" (spec_cgroupfs.c): per host hierarchy. */
int spec_cgroup_mount(nsbox *box, const char *field, const char *dst, unsigned long flags);
int spec_namespaces(struct oci_spec *spec, nsbox *box, json_t *linux_);
int spec_idmaps(struct oci_spec *spec, nsbox *box, json_t *linux_);
int spec_linux_fs(struct oci_spec *spec, nsbox *box, json_t *linux_);
int spec_cgroup(struct oci_spec *spec, nsbox *box, json_t *linux_);
int spec_seccomp(struct oci_spec *spec, nsbox *box, json_t *seccomp);
int spec_caps(struct oci_spec *spec, nsbox *box);
/* A library call's failure, as "FIELD: <nsbox_errmsg>". */
int spec_lib_err(nsbox *box, const char *field, int ret);

/* ---------------------------------------------------------------- state.c */

struct oci_state {
    char *dir; /* ROOT/ID */
    int dirfd; /* locked with flock */
    const char *id;
    json_t *json; /* state.json's content */
};

/* Checks an id as runc does ([A-Za-z0-9_+.-], not "." or ".."). */
int state_check_id(const char *id);
/* Makes ROOT/ID (0700; ROOT too when missing), locked exclusively. Fails
 * with "container with id exists: ID". */
int state_create(struct oci_state *st, const char *root, const char *id);
/* Opens and locks ROOT/ID and reads state.json ("container does not
 * exist" when missing). exclusive: LOCK_EX, else LOCK_SH. */
int state_open(struct oci_state *st, const char *root, const char *id, bool exclusive);
/* Writes st->json to state.json atomically (temp file + rename). */
int state_save(struct oci_state *st);
/* Removes the directory and everything in it. */
int state_remove(struct oci_state *st);
void state_close(struct oci_state *st);
/* The container's status now: "created", "running", "paused", "stopped";
 * *pid the pid while it lives, else 0. */
const char *state_status(struct oci_state *st, pid_t *pid);
/* A pidfd of the container's process when it still lives (-1 if not). */
int state_pidfd(struct oci_state *st);
/* The state as the spec's runtime.md shows it (new reference). */
json_t *state_public(struct oci_state *st);
/* A JSON file of the state directory, duplicate keys refused; NULL with
 * e->line -1 when it cannot be opened (e->text: why). */
json_t *state_load(struct oci_state *st, const char *name, json_error_t *e);
/* The config.json create saved in the state directory (cmd_start.c). */
json_t *state_config(struct oci_state *st);
/* Writes s to path atomically (pid files). */
int write_file_atomic(const char *path, const char *s);
/* The start time of pid (field 22 of /proc/PID/stat), 0 if gone. */
unsigned long long state_pid_start(pid_t pid);

/* ---------------------------------------------------------------- hooks.c */

/* Runs the hooks of kind ("prestart", ...) from the config's hooks object,
 * with the state JSON on stdin; fails naming the hook. */
int hooks_run(json_t *config, const char *kind, json_t *state);
/* Checks the hooks object (types, known kinds) without running them. */
int hooks_check(json_t *config);

/* -------------------------------------------------------------- console.c */

/* process.terminal: a pty of the container (nsbox_set_console) with
 * spec's consoleSize, its slave bound on /dev/console if dev_console (the
 * container's first process; exec'd ones get none). Refuses a missing
 * --console-socket. */
int console_recipe(nsbox *box, const struct oci_spec *spec, const char *socket_path,
                   bool dev_console);
/* After nsbox_spawn: sends the pty's master to the AF_UNIX socket at
 * socket_path (SCM_RIGHTS, as runc does). */
int console_send(nsbox_proc *proc, const char *socket_path);

/* -------------------------------------------------------------- signals.c */

/* "KILL", "SIGKILL", "9" -> 9; -1 after oci_err for an unknown one. */
int signal_parse(const char *s);

/* ------------------------------------------------------------- commands */

struct oci_global {
    const char *root;
    bool systemd_cgroup;
};

int cmd_create(const struct oci_global *g, int argc, char **argv);
int cmd_start(const struct oci_global *g, int argc, char **argv);
int cmd_state(const struct oci_global *g, int argc, char **argv);
int cmd_kill(const struct oci_global *g, int argc, char **argv);
int cmd_delete(const struct oci_global *g, int argc, char **argv);
int cmd_pause(const struct oci_global *g, int argc, char **argv);
int cmd_resume(const struct oci_global *g, int argc, char **argv);
int cmd_ps(const struct oci_global *g, int argc, char **argv);
int cmd_exec(const struct oci_global *g, int argc, char **argv);
int cmd_list(const struct oci_global *g, int argc, char **argv);
int cmd_features(const struct oci_global *g, int argc, char **argv);

/* Option parsing shared by the commands: "--name value", "--name=value",
 * single-dash long names as runc's CLI library takes them. */
struct cli_opt {
    const char *name; /* "bundle" */
    char short_name;  /* 'b' or 0 */
    bool has_arg;
    const char **value; /* set to the argument (has_arg) */
    bool *flag;         /* set to true (!has_arg) */
    json_t *multi;      /* repeated option: each value appended (has_arg) */
};
/* Parses options up to the first operand; returns the index of the first
 * operand, or -1 after oci_err. Options after operands are taken too, as
 * runc's library does not (they end at the first operand); "--" ends them. */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts);
/* Fails unless exactly n operands are left: runc's message. */
int cli_nargs(const char *cmd, int argc, int first, int min, int max);

#endif
