/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The README's ten lines of C ("Ten lines of C"); the hello test runs it. */
#include <nsbox.h>
#include <stdio.h>

int main(void)
{
    nsbox *box = nsbox_new();
    nsbox_add_namespace(box, NSBOX_NS_PID | NSBOX_NS_NET | NSBOX_NS_UTS);
    nsbox_set_hostname(box, "sandbox");
    char *argv[] = {"sh", "-c", "echo $$ $(hostname)", NULL};
    int status = nsbox_run(box, argv); /* "2 sandbox"; status 0 */
    if (status < 0)
        fprintf(stderr, "nsbox: %s\n", nsbox_errmsg(box));
    nsbox_free(box);
    return status < 0 ? 1 : status;
}
