/* Identity and privileges of the command (see caps.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "caps.h"
#include "child.h"
#include "sys.h"

void caps_recipe_free(struct caps_recipe *c)
{
    (void)c;
}

int caps_plan_build(nsbox *box, struct plan *p)
{
    (void)box;
    (void)p;
    return 0;
}

CHILD int child_ids_caps(struct plan *p)
{
    long r;
    if (!p->set_ids)
        return 0;
    if (p->drop_groups) {
        r = sys2(SYS_setgroups, 0, 0);
        if (r < 0)
            return child_fail(p, STEP_SETGROUPS, r, 0);
    }
    r = sys3(SYS_setresgid, p->gid, p->gid, p->gid);
    if (r < 0)
        return child_fail(p, STEP_SETGID, r, 0);
    r = sys3(SYS_setresuid, p->uid, p->uid, p->uid);
    if (r < 0)
        return child_fail(p, STEP_SETUID, r, 0);
    return 0;
}
CHILD int child_seccomp(struct plan *p)
{
    (void)p;
    return 0;
}

int caps_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    (void)p;
    return box_fail(box, rep->err, "%s", rep->step == STEP_SECCOMP ? "install seccomp filter" : "set capabilities");
}
