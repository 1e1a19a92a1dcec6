/* Mount steps (see mount.h). */
#define _GNU_SOURCE
#include <errno.h>

#include "child.h"
#include "mount.h"

void mount_recipe_free(struct mount_recipe *m)
{
    (void)m;
}

int mount_plan_build(nsbox *box, struct plan *p)
{
    (void)box;
    (void)p;
    return 0;
}

CHILD int child_mounts(struct plan *p)
{
    (void)p;
    return 0;
}

int mount_report(nsbox *box, const struct plan *p, const struct child_report *rep)
{
    (void)p;
    return box_fail(box, rep->err, "mount step %d", rep->index);
}
