/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-oci: the command line, runc's. Global flags come before the
 * command (--root, --log, --log-format, --debug, --systemd-cgroup which is
 * refused, --rootless and --criu accepted as runc takes them); each
 * command parses its own. Errors go out as runc writes them (log.c) and
 * exit 1; usage errors too. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

static const struct {
    const char *name;
    int (*run)(const struct oci_global *g, int argc, char **argv);
    const char *help;
} commands[] = {
    {"create", cmd_create, "create a container"},
    {"start", cmd_start, "executes the user defined process in a created container"},
    {"state", cmd_state, "output the state of a container"},
    {"kill", cmd_kill,
     "kill sends the specified signal (default: SIGTERM) to the container's init "
     "process"},
    {"delete", cmd_delete,
     "delete any resources held by the container often used with detached "
     "container"},
    {"exec", cmd_exec, "execute new process inside the container"},
    {"pause", cmd_pause, "pause suspends all processes inside the container"},
    {"resume", cmd_resume, "resumes all processes that have been previously paused"},
    {"ps", cmd_ps, "ps displays the processes running inside a container"},
    {"list", cmd_list, "lists containers started by nsbox-oci with the given root"},
    {"features", cmd_features, "show the enabled features"},
};

static void usage(FILE *out)
{
    fputs("NAME:\n   nsbox-oci - an OCI runtime on libnsbox\n\n"
          "USAGE:\n   nsbox-oci [global options] command [command options] [arguments...]\n\n"
          "COMMANDS:\n",
          out);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "   %-9s %s\n", commands[i].name, commands[i].help);
    fputs("\nGLOBAL OPTIONS:\n"
          "   --debug              enable debug logging\n"
          "   --log value          set the log file to write nsbox-oci logs to (default: stderr)\n"
          "   --log-format value   set the log format ('text' (default), or 'json')\n"
          "   --root value         root directory for storage of container state (default: "
          "\"/run/nsbox-oci\")\n"
          "   --systemd-cgroup     refused: nsbox-oci manages cgroupfs paths only\n"
          "   --help, -h           show help\n"
          "   --version, -v        print the version\n",
          out);
}

static int version(void)
{
    printf("nsbox-oci version %s\nspec: %s\nlibnsbox: %s\n", NSBOX_VERSION, OCI_VERSION,
           nsbox_version());
    return 0;
}

/* "--name=value" or "--name value" (also "-name"); a is argv[*i]. Returns
 * the value and advances *i, or NULL when a is not that option. */
static const char *global_value(const char *a, int argc, char **argv, int *i, const char *name,
                                bool *bad)
{
    a += a[1] == '-' ? 2 : 1;
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n])
        return NULL;
    if (*i + 1 >= argc) {
        *bad = true;
        oci_err("flag needs an argument: -%s", name);
        return NULL;
    }
    return argv[++*i];
}

int main(int argc, char **argv)
{
    struct oci_global g = {.root = "/run/nsbox-oci"};
    const char *log_path = NULL, *log_format = "text";
    bool debug = false, bad = false;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-v") == 0)
            return version();
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--debug") == 0)
            debug = true;
        else if (strcmp(a, "--systemd-cgroup") == 0 || strncmp(a, "--systemd-cgroup=", 17) == 0)
            g.systemd_cgroup = strcmp(a, "--systemd-cgroup=false") != 0;
        else if ((v = global_value(a, argc, argv, &i, "root", &bad)))
            g.root = v;
        else if ((v = global_value(a, argc, argv, &i, "log-format", &bad)))
            log_format = v;
        else if ((v = global_value(a, argc, argv, &i, "log-level", &bad)))
            debug = strcmp(v, "debug") == 0;
        else if ((v = global_value(a, argc, argv, &i, "log", &bad)))
            log_path = *v ? v : NULL;
        else if (global_value(a, argc, argv, &i, "rootless", &bad) ||
                 global_value(a, argc, argv, &i, "criu", &bad))
            continue; /* accepted, as engines pass them; nothing to do */
        else if (!bad)
            bad = oci_err("flag provided but not defined: %s", a) < 0;
        if (bad)
            break;
    }
    int format = strcmp(log_format, "json") == 0 ? LOG_JSON : LOG_TEXT;
    if (!bad && strcmp(log_format, "text") != 0 && strcmp(log_format, "json") != 0)
        bad = oci_err("invalid log-format: %s", log_format) < 0;
    if (oci_log_open(log_path, format, debug) < 0 || bad) {
        oci_log_error();
        return 1;
    }
    if (g.systemd_cgroup) {
        oci_err("--systemd-cgroup is not supported: nsbox-oci manages cgroupfs paths only "
                "(configure the engine for cgroupfs, e.g. cgroup_manager = \"cgroupfs\")");
        oci_log_error();
        return 1;
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
    for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
        if (strcmp(argv[i], commands[k].name) != 0)
            continue;
        int ret = commands[k].run(&g, argc - i, argv + i);
        if (ret < 0) {
            oci_log_error();
            return 1;
        }
        return ret;
    }
    oci_err("No help topic for '%s'", argv[i]);
    oci_log_error();
    return 3;
}
