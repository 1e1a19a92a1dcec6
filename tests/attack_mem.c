/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attacker of the memory suite (test_attack_mem.c), run inside a
 * sandbox: it watches for new processes and writes VALUE at ADDR through
 * /proc/PID/mem of every one it can open, which for a spawn's stage is the
 * caller's memory.
 *
 * usage: attack-mem ADDR VALUE SECONDS
 * It tries the pids its PID namespace hands out next (around ns_last_pid;
 * /proc must be that namespace's). Prints "ready" once it watches, then "opened N" (how many
 * /proc/PID/mem it could open) when the time is up. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int opened;

static void hit(int pid, uint64_t addr, uint64_t value)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/mem", pid);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return;
    opened++;
    /* The mm is taken at open: this writes the memory the process had
     * then, even if it has exec'd since. */
    for (int i = 0; i < 4; i++)
        pwrite(fd, &value, sizeof(value), (off_t)addr);
    close(fd);
}

static long last_pid(void)
{
    char buf[32] = "";
    int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    return n > 0 ? strtol(buf, NULL, 10) : -1;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    uint64_t addr = strtoull(argv[1], NULL, 0), value = strtoull(argv[2], NULL, 0);
    time_t end = time(NULL) + atoi(argv[3]);
    int self = getpid();
    printf("ready\n");
    fflush(stdout);
    while (time(NULL) < end) {
        long last = last_pid();
        for (long pid = last - 2; pid <= last + 6; pid++)
            if (pid > 1 && pid != self)
                hit((int)pid, addr, value);
    }
    printf("opened %d\n", opened);
    return 0;
}
