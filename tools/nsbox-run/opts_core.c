/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsbox-run options of the core: namespaces, identity, process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "run.h"

static int lib(struct run_ctx *ctx, int r)
{
    return r < 0 ? run_lib_error(ctx, r) : 0;
}

#define UNSHARE(fn, bits)                                                                          \
    static int fn(struct run_ctx *ctx, char **args)                                                \
    {                                                                                              \
        (void)args;                                                                                \
        ctx->ns |= (bits);                                                                         \
        return 0;                                                                                  \
    }
UNSHARE(unshare_user, NSBOX_NS_USER)
UNSHARE(unshare_pid, NSBOX_NS_PID)
UNSHARE(unshare_ipc, NSBOX_NS_IPC)
UNSHARE(unshare_uts, NSBOX_NS_UTS)
UNSHARE(unshare_net, NSBOX_NS_NET)
UNSHARE(unshare_cgroup, NSBOX_NS_CGROUP)
/* bwrap's --unshare-all: user and cgroup only where possible. */
static int unshare_all(struct run_ctx *ctx, char **args)
{
    (void)args;
    ctx->ns |=
        NSBOX_NS_USER | NSBOX_NS_IPC | NSBOX_NS_PID | NSBOX_NS_NET | NSBOX_NS_UTS | NSBOX_NS_CGROUP;
    ctx->ns_try |= NSBOX_NS_USER | NSBOX_NS_CGROUP;
    return 0;
}

static int share_net(struct run_ctx *ctx, char **args)
{
    (void)args;
    ctx->ns &= ~(unsigned)NSBOX_NS_NET;
    return 0;
}

static int parse_id(const char *what, const char *s, long *out)
{
    *out = run_parse_num(s);
    return *out < 0 ? run_error("Invalid %s: %s", what, s) : 0;
}

/* --uid and --gid: kept until both are known, then nsbox_set_user. */
static long uid_arg = -1, gid_arg = -1;

static int opt_uid(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    return parse_id("uid", args[0], &uid_arg);
}

static int opt_gid(struct run_ctx *ctx, char **args)
{
    (void)ctx;
    return parse_id("gid", args[0], &gid_arg);
}

static int opt_hostname(struct run_ctx *ctx, char **args)
{
    ctx->ns |= NSBOX_NS_UTS; /* the library adds it; listed as created */
    return lib(ctx, nsbox_set_hostname(ctx->box, args[0]));
}

static int opt_chdir(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_set_cwd(ctx->box, args[0]));
}

/* bwrap applies --setenv, --unsetenv and --clearenv to its environment in
 * order: a --clearenv drops what an earlier --setenv set. The library keeps
 * set variables across nsbox_clear_env, so the names set so far are unset
 * first. Globals stay reachable at exit (no leak report). */
static char **set_names;
static size_t n_set_names;

static int opt_setenv(struct run_ctx *ctx, char **args)
{
    char **grown = realloc(set_names, (n_set_names + 1) * sizeof(*grown));
    if (!grown)
        return run_error("out of memory");
    set_names = grown;
    set_names[n_set_names++] = args[0];
    return lib(ctx, nsbox_set_env(ctx->box, args[0], args[1]));
}

static int opt_unsetenv(struct run_ctx *ctx, char **args)
{
    return lib(ctx, nsbox_set_env(ctx->box, args[0], NULL));
}

static int opt_clearenv(struct run_ctx *ctx, char **args)
{
    (void)args;
    for (size_t i = 0; i < n_set_names; i++) {
        int r = lib(ctx, nsbox_set_env(ctx->box, set_names[i], NULL));
        if (r < 0)
            return r;
    }
    n_set_names = 0;
    return lib(ctx, nsbox_clear_env(ctx->box));
}

#define FLAG(fn, bit)                                                                              \
    static int fn(struct run_ctx *ctx, char **args)                                                \
    {                                                                                              \
        (void)args;                                                                                \
        ctx->flags |= (bit);                                                                       \
        return 0;                                                                                  \
    }
FLAG(new_session, NSBOX_NEW_SESSION)
FLAG(as_pid_1, NSBOX_AS_PID1)
FLAG(disable_userns, NSBOX_DISABLE_USERNS)
FLAG(assert_userns_disabled, NSBOX_ASSERT_USERNS_DISABLED)

/* As bwrap: nsbox-run itself dies with its parent (so the locks it holds
 * go, and the sandbox with it), and the sandbox dies with nsbox-run. A
 * parent that died before the prctl shows as a changed parent pid. */
static int die_with_parent(struct run_ctx *ctx, char **args)
{
    (void)args;
    ctx->flags |= NSBOX_DIE_WITH_PARENT;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        return run_error("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
    if (getppid() != run_parent_pid)
        raise(SIGKILL);
    return 0;
}

static int join(struct run_ctx *ctx, unsigned ns, const char *arg)
{
    long fd = run_parse_num(arg);
    if (fd < 0)
        return run_error("Invalid fd: %s", arg);
    return lib(ctx, nsbox_join_namespace(ctx->box, ns, (int)fd));
}

static int opt_userns(struct run_ctx *ctx, char **args)
{
    ctx->joined_user = true;
    return join(ctx, NSBOX_NS_USER, args[0]);
}

static int opt_pidns(struct run_ctx *ctx, char **args)
{
    return join(ctx, NSBOX_NS_PID, args[0]);
}

static const struct run_opt core_opts[] = {
    {"--unshare-user", 0, unshare_user, "", "Create a new user namespace"},
    {"--unshare-pid", 0, unshare_pid, "", "Create a new PID namespace"},
    {"--unshare-ipc", 0, unshare_ipc, "", "Create a new IPC namespace"},
    {"--unshare-uts", 0, unshare_uts, "", "Create a new UTS namespace"},
    {"--unshare-net", 0, unshare_net, "", "Create a new network namespace (only lo, up)"},
    {"--unshare-cgroup", 0, unshare_cgroup, "", "Create a new cgroup namespace"},
    {"--unshare-all", 0, unshare_all, "", "Unshare every namespace bwrap knows"},
    {"--share-net", 0, share_net, "", "Keep the network namespace (after --unshare-all)"},
    {"--uid", 1, opt_uid, "UID", "Custom uid in the sandbox (adds a user namespace)"},
    {"--gid", 1, opt_gid, "GID", "Custom gid in the sandbox (adds a user namespace)"},
    {"--hostname", 1, opt_hostname, "NAME", "Custom hostname (adds a UTS namespace)"},
    {"--chdir", 1, opt_chdir, "DIR", "Change directory to DIR"},
    {"--setenv", 2, opt_setenv, "VAR VALUE", "Set an environment variable"},
    {"--unsetenv", 1, opt_unsetenv, "VAR", "Unset an environment variable"},
    {"--clearenv", 0, opt_clearenv, "", "Unset all environment variables"},
    {"--die-with-parent", 0, die_with_parent, "", "Kill the sandbox when nsbox-run dies"},
    {"--new-session", 0, new_session, "", "Create a new terminal session (setsid)"},
    {"--as-pid-1", 0, as_pid_1, "", "The command is PID 1 (no init) in its PID namespace"},
    {"--userns", 1, opt_userns, "FD",
     "Use this user namespace (cannot combine with --unshare-user)"},
    {"--pidns", 1, opt_pidns, "FD", "Use this PID namespace"},
    {"--disable-userns", 0, disable_userns, "",
     "Disable further use of user namespaces inside sandbox"},
    {"--assert-userns-disabled", 0, assert_userns_disabled, "",
     "Fail unless further use of user namespace inside sandbox is disabled"},
    {NULL, 0, NULL, NULL, NULL},
};

static int core_finish(struct run_ctx *ctx)
{
    if (uid_arg >= 0 || gid_arg >= 0) {
        uint32_t uid = uid_arg >= 0 ? (uint32_t)uid_arg : (uint32_t)getuid();
        uint32_t gid = gid_arg >= 0 ? (uint32_t)gid_arg : (uint32_t)getgid();
        int r = lib(ctx, nsbox_set_user(ctx->box, uid, gid));
        if (r < 0)
            return r;
        if (!ctx->joined_user)
            ctx->ns |= NSBOX_NS_USER;
    }
    /* bwrap's rule and words: the limit is set in a user namespace of our
     * own making. */
    if ((ctx->flags & NSBOX_DISABLE_USERNS) && (!(ctx->ns & NSBOX_NS_USER) || ctx->joined_user))
        return run_error("--disable-userns requires --unshare-user");
    return lib(ctx, nsbox_set_flags(ctx->box, ctx->flags));
}

static void core_reset(void)
{
    uid_arg = gid_arg = -1;
    free(set_names);
    set_names = NULL;
    n_set_names = 0;
}

const struct run_module run_module_core = {core_opts, core_finish, core_reset};
