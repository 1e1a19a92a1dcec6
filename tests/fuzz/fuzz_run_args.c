/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: nsbox-run's option parser, fed the way bwrap's users feed
 * it: "nsbox-run --args FD" with the input as FD's NUL-separated content.
 * main.c is compiled in here (its main renamed) so that its static parser
 * and module table serve as they are: parse, then every module's finish
 * and the namespaces, as main does; nothing is spawned. Each module's
 * reset forgets the options between inputs.
 * Inputs that would make the parser act on the fuzzer's own fds (an FD
 * argument other than the input's) or exit (--help, --version) are
 * skipped. */
#define _GNU_SOURCE
#include <assert.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* main.c's run_command is not used here */
#pragma GCC diagnostic ignored "-Wunused-function"
#define main nsbox_run_main
/* NOLINTNEXTLINE(bugprone-suspicious-include): to reach main.c's static parser */
#include "../../tools/nsbox-run/main.c" /* by path: tools/nsbox-oci has a main.c too */
#undef main

#define INPUT_FD 200
#define INPUT_FD_STR "200"

static bool takes_fd(const char *name)
{
    const struct run_opt *o = find_opt(name);
    return o && strncmp(o->args_help, "FD", 2) == 0;
}

/* Every token after an fd-taking option names the input's fd or no fd. */
static bool safe(const char *data, size_t size)
{
    const char *prev = "";
    for (const char *c = data; c < data + size; c += strlen(c) + 1) {
        if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "--version") == 0)
            return false;
        if (takes_fd(prev)) {
            long fd = run_parse_num(c);
            if (fd >= 0 && fd != INPUT_FD)
                return false;
        }
        prev = c;
    }
    return true;
}

static char tmpdir[] = "/tmp/nsbox-fuzz-XXXXXX";

static void tmpdir_remove(void)
{
    rmdir(tmpdir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* --bind-data writes its files here; each run's reset removes them */
    assert(mkdtemp(tmpdir));
    setenv("TMPDIR", tmpdir, 1);
    atexit(tmpdir_remove);
    run_prefix = ""; /* the messages go to stderr: keep them short */
    /* main() records it for --die-with-parent's check of a dead parent */
    run_parent_pid = getppid();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    assert(buf);
    memcpy(buf, data, size);
    buf[size] = '\0';
    if (!safe(buf, size)) {
        free(buf);
        return 0;
    }
    int fd = memfd_create("args", MFD_CLOEXEC);
    assert(fd >= 0);
    assert(write(fd, data, size) == (ssize_t)size);
    assert(lseek(fd, 0, SEEK_SET) == 0);
    assert(dup3(fd, INPUT_FD, O_CLOEXEC) == INPUT_FD);
    close(fd);
    char *argv[] = {"nsbox-run", "--args", INPUT_FD_STR, NULL};
    struct run_ctx ctx = {.json_status_fd = -1, .info_fd = -1, .argc = 3, .argv = argv};
    ctx.box = nsbox_new();
    assert(ctx.box);
    /* as main does, up to the spawn */
    int cmd = parse(&ctx);
    if (cmd >= 0 && cmd < ctx.argc)
        ctx.command = ctx.argv + cmd;
    for (size_t m = 0; ctx.command && m < N_MODULES; m++)
        if (modules[m]->finish && modules[m]->finish(&ctx) < 0)
            ctx.command = NULL;
    if (ctx.command)
        nsbox_add_namespace(ctx.box, ctx.ns);
    nsbox_free(ctx.box);
    for (size_t m = 0; m < N_MODULES; m++)
        if (modules[m]->reset)
            modules[m]->reset();
    close(INPUT_FD); /* --args closed it already, unless it failed first */
    free(buf);
    return 0;
}
