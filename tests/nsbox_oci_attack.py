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
import json
import os
import shutil
import signal
import subprocess
import time

import nsbox_oci as T

OCI = T.OCI
failures = []
skipped = []


def exec_works(env, cid, oci=None):
    """Whether exec runs at all here: as nobody it fails on kernels that
    refuse setgroups in the joined user namespace (a gap of the library,
    see nsbox_oci.py's not_implemented); an attack through exec is then
    moot, and skipped by name."""
    cmd = [oci or OCI, "--root", env.root, "exec", cid, "true"]
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       preexec_fn=T.as_nobody if env.nobody else None, timeout=60)
    if r.returncode != 0 and T.not_implemented(r.stderr):
        skipped.append(f"{env.who} exec: {r.stderr.strip()}")
        print("SKIP:", skipped[-1], flush=True)
        return False
    return check(r.returncode == 0, f"{env.who} exec true: {r.stderr}")


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
    if start(env, "cwdx", ["sleep", "1000"]) and exec_works(env, "cwdx"):
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
    if start(env, "ifdx", ["sleep", "1000"]) and exec_works(env, "ifdx"):
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
    """A copy of nsbox-oci (libnsbox is linked in, tools/nsbox-oci/meson.build)
    that the attacks may damage: the caller's own binary, so owned by nobody
    in the nobody half."""
    top = os.path.join(env.top, f"ocicopy-{env.who}")
    exe = os.path.join(top, "tools", "nsbox-oci", "nsbox-oci")
    if not os.path.exists(exe):
        os.makedirs(os.path.dirname(exe))
        shutil.copy2(OCI, exe)
        if env.nobody:
            for d, _, files in os.walk(top):
                os.chown(d, 65534, 65534)
                for f in files:
                    os.chown(os.path.join(d, f), 65534, 65534)
    return exe


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
    if not exec_works(env, cid, copy):
        subprocess.run(cmd + ["delete", "--force", cid], preexec_fn=pre, capture_output=True)
        return
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


# ------------------------------------------------ kill, delete, pid reuse


def take_pid(pid):
    """A host process (sleep) with the number pid, made through
    ns_last_pid; None when another process took the number first."""
    for _ in range(20):
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(pid - 1))
        p = subprocess.Popen(["sleep", "1000"])
        if p.pid == pid:
            return p
        p.kill()
        p.wait()
    return None


def test_pid_reuse(env):
    """The container's process ends and a host process gets its pid: kill,
    delete, state and exec must not take it for the container (runc checks
    the start time; nsbox-oci the start time and a pidfd)."""
    who = env.who
    if env.nobody:
        return  # ns_last_pid needs root; the logic is the same for nobody
    cid = "reuse"
    if not start(env, cid, ["sleep", "1000"]):
        return
    pid = env.state(cid).get("pid", 0)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), 10)
    host = take_pid(pid)
    if not check(host is not None, f"{who} a host process got pid {pid}"):
        env.oci("delete", "--force", cid)
        return
    try:
        rc1, _, err1 = env.oci("kill", cid, "KILL")
        st = env.state(cid)
        rc2, _, err2 = env.oci("exec", cid, "true")
        rc3, _, err3 = env.oci("delete", cid)
        time.sleep(0.2)
        check(host.poll() is None and rc1 == 1 and "not running" in err1,
              f"{who} kill leaves the host process that reused the pid: {rc1} {err1}")
        check(st.get("status") == "stopped" and st.get("pid") == 0,
              f"{who} state: stopped, not the host process: {st}")
        check(rc2 == 1 and "stopped" in err2, f"{who} exec refuses: {rc2} {err2}")
        check(rc3 == 0 and host.poll() is None, f"{who} delete leaves the host process: {err3}")
        # control: the number is the one the state recorded, and a plain
        # kill of it reaches the host process
        os.kill(pid, signal.SIGTERM)
        check(host.wait(timeout=10) == -signal.SIGTERM, f"{who} control: kill(pid) hits it")
    finally:
        host.kill()
        host.wait()
        env.oci("delete", "--force", cid)


# ---------------------------------------------------------- config.json


def test_cgroups_path_escape(env):
    """linux.cgroupsPath with ".." climbing out of the cgroup hierarchy (or
    into another container's cgroup)."""
    who = env.who
    for path in ("/../../escape-oci-attack", "/nsbox-oci/../../escape-oci-attack",
                 "../escape-oci-attack", "/a/./../../escape-oci-attack"):
        cfg = env.config(["true"], mounts=MOUNTS)
        cfg["linux"]["cgroupsPath"] = path
        b = env.bundle(cfg)
        with env.out_file("cgesc") as f:
            rc, _, err = env.oci("create", "--bundle", b, "cgesc", stdout=f)
        if rc == 0:
            env.oci("delete", "--force", "cgesc")
        check(rc == 1 and "cgroupsPath" in err, f"{who} cgroupsPath {path} refused: {rc} {err}")
        found = [d for d in ("/sys/fs/escape-oci-attack", "/sys/escape-oci-attack")
                 if os.path.exists(d)] + T.cgroup_dirs("escape-oci-attack")
        check(not found, f"{who} cgroupsPath {path}: nothing made: {found}")
    # control: a plain path is taken (root; nobody has no delegated cgroup)
    if not env.nobody:
        cfg = env.config(["sleep", "100"], mounts=MOUNTS)
        cfg["linux"]["cgroupsPath"] = "/nsbox-oci-attack/cgok"
        b = env.bundle(cfg)
        with env.out_file("cgok") as f:
            rc, _, err = env.oci("create", "--bundle", b, "cgok", stdout=f)
        check(rc == 0 and T.cgroup_dirs("cgok"), f"{who} control: a plain cgroupsPath: {err}")
        env.oci("delete", "--force", "cgok")
        for base, dirs, _ in os.walk("/sys/fs/cgroup", topdown=False):
            if os.path.basename(base) == "nsbox-oci-attack":
                try:
                    os.rmdir(base)
                except OSError:
                    pass


def test_sysctl_outside(env):
    """linux.sysctl naming a key that no namespace of the container owns
    changes the host (runc and crun refuse them)."""
    who = env.who
    for key, value in (("kernel.core_pattern", "|/tmp/evil"), ("vm.drop_caches", "3"),
                       ("net.ipv4.ip_forward", "1"), ("kernel/../kernel/core_pattern", "x")):
        with open("/proc/sys/kernel/core_pattern") as f:
            core = f.read()
        cfg = env.config(["true"], mounts=MOUNTS)
        cfg["linux"]["sysctl"] = {key: value}
        with env.out_file("sysc") as f:
            rc, _, err = env.oci("create", "--bundle", env.bundle(cfg), "sysc", stdout=f)
        if rc == 0:
            env.oci("delete", "--force", "sysc")
        with open("/proc/sys/kernel/core_pattern") as f:
            check(f.read() == core, f"{who} sysctl {key}: the host's core_pattern unchanged")
        check(rc == 1 and "sysctl" in err, f"{who} sysctl {key} refused: {rc} {err}")
    # control: a key of the container's ipc namespace is set inside
    cfg = env.config(["cat", "/proc/sys/kernel/msgmax"], mounts=MOUNTS)
    cfg["linux"]["sysctl"] = {"kernel.msgmax": "4321"}
    rc, out, err = env.run("sysok", cfg["process"]["args"], mounts=MOUNTS,
                           linux=cfg["linux"])
    check(rc == 0 and out.strip() == "4321", f"{who} control: kernel.msgmax set: {out} {err}")


def test_namespace_path(env):
    """linux.namespaces joined by path: a rootless caller naming host
    namespaces must not get in. The host process is nobody's own (so that
    nobody can open its /proc/PID/ns files); joining needs CAP_SYS_ADMIN
    over the namespace, which the kernel's setns checks."""
    who = env.who
    host = subprocess.Popen(["sleep", "1000"], preexec_fn=T.as_nobody)
    try:
        for t, f in (("network", "net"), ("ipc", "ipc"), ("uts", "uts")):
            cfg = env.config(["sleep", "100"], mounts=MOUNTS)
            ns = [n for n in cfg["linux"]["namespaces"] if n["type"] != t]
            ns.append({"type": t, "path": f"/proc/{host.pid}/ns/{f}"})
            cfg["linux"]["namespaces"] = ns
            if t == "uts":
                cfg.pop("hostname")
            with env.out_file("nsp") as out:
                rc, _, err = env.oci("create", "--bundle", env.bundle(cfg), "nsp", stdout=out)
            env.oci("delete", "--force", "nsp")
            if env.nobody:
                check(rc == 1 and "join namespace" in err,
                      f"{who} joins no host {t} namespace: {rc} {err}")
            else:
                # control: root may (an engine's pod shares namespaces so)
                check(rc == 0, f"{who} control: root joins the {t} namespace by path: {err}")
    finally:
        host.kill()
        host.wait()


def state_pid_inside(env, cid, holder, pid_ns):
    """The state's pid of a pod's container is its init, inside its PID
    namespace (as runc's): /proc/PID/ns/pid is not the host's, and nsenter
    -t PID -p (what engines and runtime-tools do with it) runs a shell in
    there, where the holder is out of reach. Before the library's hand-over
    (CLONE_PARENT) it was a monitor in the runtime's PID namespace, and
    nsenter landed on the host's. Control: without a PID namespace the
    state's process is in the host's, and so is nsenter (nobody may not
    enter the host's: refused)."""
    who = env.who
    rc, out, err = env.oci("state", cid)
    if not check(rc == 0, f"{who} state {cid}: {err}"):
        return
    pid = json.loads(out)["pid"]
    host = os.readlink("/proc/self/ns/pid")
    ns = os.readlink(f"/proc/{pid}/ns/pid")
    with open(f"/proc/{pid}/status") as f:
        ppid = [line.split()[1] for line in f if line.startswith("PPid:")][0]
    # nobody: its user namespace first (the holder's, nobody's own)
    cmd = ["nsenter", "-t", str(pid)] + (["-U", "--preserve-credentials"] if env.nobody else []) + \
        ["-p", "--", "sh", "-c", f"kill -0 {holder.pid} 2>/dev/null && echo REACHED; echo $$"]
    r = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       preexec_fn=T.as_nobody if env.nobody else None, timeout=60)
    inner = r.stdout.split()[-1] if r.stdout.split() else ""
    if pid_ns:
        check(ns != host and r.returncode == 0 and "REACHED" not in r.stdout
              and inner.isdigit() and int(inner) < 100,
              f"{who} state pid {pid} is the container's init ({ns} vs host {host}, PPid "
              f"{ppid}), nsenter -p lands inside: {r.stdout!r} {r.stderr}")
    else:
        check(ns == host and ("REACHED" in r.stdout or (env.nobody and r.returncode != 0)),
              f"{who} control: without a PID namespace the state pid {pid} is in the "
              f"host's ({ns} vs {host}) and nsenter -p reaches the holder: {r.stdout!r} "
              f"{r.stderr}")


def test_exec_pid_namespace(env):
    """A pod's container: a namespace joined by path (a holder's UTS) and a
    new PID namespace. The state's process is its init, inside that PID
    namespace (state_pid_inside), and exec must land inside it too. Before
    the fix exec landed in the runtime's own PID namespace, where the exec'd
    command (running the container's binaries) could signal every host
    process (kill -9 -1). Control: the same exec in a container without a
    PID namespace reaches the holder."""
    who = env.who
    # nobody: the holder's namespaces are nobody's own user namespace's,
    # joined by path too (a rootless pod)
    cmd = ["unshare", "--user", "--map-root-user", "--uts", "sleep", "1000"] if env.nobody \
        else ["unshare", "--uts", "sleep", "1000"]
    holder = subprocess.Popen(cmd, preexec_fn=T.as_nobody if env.nobody else None)
    try:
        if not wait_for(lambda: os.readlink(f"/proc/{holder.pid}/ns/uts") !=
                        os.readlink("/proc/self/ns/uts")):
            check(False, f"{who} the holder has no UTS namespace of its own")
            return
        attack = f"kill -0 {holder.pid} && echo REACHED; echo self=$$"
        for pid_ns in (True, False):
            cid = f"xpid{int(pid_ns)}"
            linux = T.pod_linux(env, holder.pid, pid_ns)
            if not start(env, cid, ["sleep", "100"], mounts=MOUNTS, linux=linux,
                         hostname="pod"):
                env.oci("delete", "--force", cid)
                continue
            state_pid_inside(env, cid, holder, pid_ns)
            if exec_works(env, cid):
                rc, out, err = env.oci("exec", cid, "sh", "-c", attack)
                if pid_ns:
                    self_pid = out.split("self=")[-1].strip()
                    check(rc == 0 and "REACHED" not in out and self_pid.isdigit() and
                          int(self_pid) < 100,
                          f"{who} exec lands in the container's PID namespace: {out!r} {err}")
                else:
                    check("REACHED" in out, f"{who} control: without a PID namespace exec "
                          f"reaches the holder: {out!r} {err}")
            env.oci("delete", "--force", cid)
    finally:
        holder.kill()
        holder.wait()


def test_masked_paths(env):
    """maskedPaths and readonlyPaths as the engines send them, also when the
    image's /proc is a symlink (CVE-2019-19921's shape): /proc/kcore and
    /proc/keys read nothing, /proc/sys is read-only."""
    who = env.who
    probe = ("head -c 8 /proc/kcore | wc -c; cat /proc/keys | wc -c; "
             "(echo attack > /proc/sys/kernel/hostname) 2>&1; hostname")
    lin = {"maskedPaths": ["/proc/kcore", "/proc/keys"], "readonlyPaths": ["/proc/sys"]}
    for symlinked in (False, True):
        root = os.path.join(env.top, f"rootfs-proclink-{who}-{int(symlinked)}")
        shutil.copytree(env.rootfs, root, symlinks=True)
        if symlinked:
            os.rmdir(os.path.join(root, "proc"))
            os.makedirs(os.path.join(root, "tmp", "p"))
            os.symlink("/tmp/p", os.path.join(root, "proc"))
        cfg = env.config(["sh", "-c", probe], mounts=MOUNTS)
        cfg["linux"].update(lin)
        rc, out, err = env.run(f"mask{int(symlinked)}", cfg["process"]["args"], mounts=MOUNTS,
                               linux=cfg["linux"], root={"path": root, "readonly": False})
        lines = out.split("\n")
        if symlinked and rc != 0:
            # the library refuses a proc mount through a symlink outright
            check("a symlink on the way" in err, f"{who} /proc symlinked refused: {err}")
            continue
        check(rc == 0 and lines[:2] == ["0", "0"] and "attack" not in out and
              "Read-only" in out,
              f"{who} masked and read-only (/proc symlinked: {symlinked}): {out!r} {err}")
    # control: the probe on the host (root, in a new uts namespace) reads
    # /proc/keys (this kernel has no /proc/kcore) and writes the hostname
    if not env.nobody:
        r = subprocess.run(["unshare", "-u", "sh", "-c", probe], capture_output=True, text=True)
        check(r.stdout.split("\n")[1] not in ("", "0") and "attack" in r.stdout,
              f"{who} control: the probe on the host: {r.stdout!r} {r.stderr}")


# The container's PID 1 watches for new processes while the runtime enters
# (runc's CVE-2016-9962): any process whose /proc/PID/exe, environ or mem
# it can open and that is not busybox is the runtime's, or shares its
# memory. It also reads the environ of the processes exec made (the
# control: the same open works on a plain process of the container).
WATCHER = r"""
seen=0
while [ ! -e /tmp/stop ]; do
  for d in /proc/[0-9]*; do
    e=$(readlink $d/exe 2>/dev/null) || continue
    case "$e" in
      /bin/busybox) grep -q SECRET_OF_EXEC $d/environ 2>/dev/null && seen=$((seen+1));;
      *) if head -c 1 $d/environ >/dev/null 2>&1 || head -c 1 $d/mem >/dev/null 2>&1; then
           echo "REACHED $e"
         fi;;
    esac
  done
done
echo "SEEN $seen"
echo END
sleep 1000
"""


def test_exec_stage_reachable(env):
    """While exec enters, the container looks for a process of the
    runtime it can open: /proc/PID/exe, environ, mem of the entering
    stages (which share nsbox-oci's memory) or of the helper."""
    who = env.who
    cid = "reach"
    over = {}
    if env.nobody:
        # The shared image's busybox belongs to host root, unmapped in a
        # nobody container: the kernel makes every process of it
        # non-dumpable (would_dump at exec) and the watcher could open
        # nothing. The image of the nobody case belongs to the mapped uid.
        root = os.path.join(env.top, "rootfs-reach-nobody")
        shutil.copytree(env.rootfs, root, symlinks=True)
        for d, dirs, files in os.walk(root):
            for n in [d] + [os.path.join(d, x) for x in dirs + files]:
                os.lchown(n, 65534, 65534)
        over["root"] = {"path": root, "readonly": False}
    if not start(env, cid, ["sh", "-c", WATCHER], **over):
        return
    if not exec_works(env, cid):
        env.oci("delete", "--force", cid)
        return
    for i in range(25):
        env.oci("exec", "--env", "SECRET_OF_EXEC=1", cid, "sleep", "0.3")
    env.oci("exec", cid, "touch", "/tmp/stop")
    wait_for(lambda: "END" in output(env, cid), 20)
    out = output(env, cid)
    env.oci("delete", "--force", cid)
    seen = [int(x.split()[1]) for x in out.splitlines() if x.startswith("SEEN")]
    if env.nobody and "END" in out and seen == [0]:
        # Without its control the check below proves nothing. As nobody
        # PID 1 opened none of the exec'd processes, even with an image of
        # the mapped uid; the cause is not found yet.
        skipped.append(f"{who} exec stage reachable: the control opens no exec'd process")
        return
    check("END" in out and "REACHED" not in out,
          f"{who} no entering process of the runtime is reachable: {out.strip()}")
    check(seen and seen[0] > 0, f"{who} control: the exec'd processes were opened: {out.strip()}")


def test_mount_dest_symlink(env):
    """A mount destination through a symlink of the image that points at a
    host path (runc's CVE-2021-30465 without the race, and the older
    mkdir-follows-the-link bugs): the destination's directories must be
    made and mounted inside the rootfs, never on the host."""
    who = env.who
    root = os.path.join(env.top, f"rootfs-dlink-{who}")
    shutil.copytree(env.rootfs, root, symlinks=True)
    victim = os.path.join(env.top, f"victim-{who}")
    os.makedirs(victim)
    os.symlink(victim, os.path.join(root, "evil"))
    mounts = MOUNTS + [{"destination": "/evil/sub", "type": "tmpfs", "source": "tmpfs"},
                       {"destination": "/evil/bind", "type": "bind", "source": env.rootfs,
                        "options": ["rbind", "ro"]}]
    rc, out, err = env.run("dlink", ["sh", "-c", "ls /evil; grep -c /evil /proc/self/mountinfo"],
                           mounts=mounts, root={"path": root, "readonly": False})
    check(os.listdir(victim) == [], f"{who} nothing made on the host through /evil: "
          f"{os.listdir(victim)} ({rc} {out!r} {err})")
    # control: the host follows the link to the victim
    os.makedirs(os.path.join(root, "evil", "ctl"))
    check(os.listdir(victim) == ["ctl"], f"{who} control: the link reaches the victim")
    os.rmdir(os.path.join(victim, "ctl"))


TESTS = [test_cwd_leaked_fd, test_interpreter_leaked_fd, test_exec_proc_self_exe,
         test_exec_stage_reachable, test_pid_reuse,
         test_cgroups_path_escape, test_sysctl_outside, test_namespace_path, test_exec_pid_namespace,
         test_masked_paths,
         test_mount_dest_symlink]


def main():
    T.run_suite(TESTS, "nsbox-oci-attack.", "OCI_ATTACK_ONLY", check, failures, skipped,
                chown_top=True)


if __name__ == "__main__":
    main()
