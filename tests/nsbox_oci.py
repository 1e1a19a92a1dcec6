#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""nsbox-oci (issue 16): the lifecycle on a busybox bundle (create, start,
state, kill, delete, exec, pause, resume, ps), the config.json fields
looked at from inside the container, hooks, the console socket, and bad
config.json fields (an error naming the field, nothing left behind: no
state directory, no process, no cgroup, no mount). As root, and again as
nobody (rootless: a user namespace mapping nobody to 0) where it works.

    nsbox_oci.py NSBOX-OCI
"""
import array
import json
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

OCI = sys.argv[1]
BUSYBOX = shutil.which("busybox") or "/bin/busybox"
failures = []
skipped = []


def check(cond, what):
    if not cond and not_implemented(what):
        # a library call still being written (issue 16's parallel branches)
        skipped.append(what)
    elif not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)
    return cond


def as_nobody():
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)


def busybox_rootfs(top):
    """A rootfs with a static busybox and its applets as links."""
    rootfs = os.path.join(top, "rootfs")
    for d in ("bin", "proc", "dev", "sys", "tmp", "etc", "data"):
        os.makedirs(os.path.join(rootfs, d))
    shutil.copy2(BUSYBOX, os.path.join(rootfs, "bin", "busybox"))
    applets = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split()
    for a in applets:
        if a != "busybox":
            os.symlink("busybox", os.path.join(rootfs, "bin", a))
    os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
    return rootfs


class Env:
    """A bundle directory per test, a state root, the rootfs shared."""

    def __init__(self, top, nobody):
        self.top = top
        self.nobody = nobody
        self.root = os.path.join(top, "state-nobody" if nobody else "state-root")
        os.makedirs(self.root)
        if nobody:
            os.chown(self.root, 65534, 65534)
        self.rootfs = os.path.join(top, "rootfs")
        self.n = 0
        self.who = "nobody" if nobody else "root"
        self.leaf = None  # v2: a delegated cgroup the invocations enter

    def preexec(self):
        if self.leaf:
            with open(os.path.join(self.leaf, "cgroup.procs"), "w") as f:
                f.write("0")
        if self.nobody:
            as_nobody()

    def config(self, args, **over):
        caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
        ns = [{"type": t} for t in ("pid", "ipc", "uts", "mount")]
        c = {
            "ociVersion": "1.1.0",
            "process": {
                "terminal": False, "user": {"uid": 0, "gid": 0}, "args": args,
                "env": ["PATH=/bin", "OCI_TEST=yes"], "cwd": "/",
                "capabilities": {k: list(caps) for k in
                                 ("bounding", "effective", "permitted", "ambient")},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                "noNewPrivileges": True,
            },
            "root": {"path": self.rootfs, "readonly": False},
            "hostname": "oci-test",
            "mounts": [],
            "linux": {"namespaces": ns},
        }
        if self.nobody:
            ns.append({"type": "user"})
            c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 65534, "size": 1}]
            c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 65534, "size": 1}]
        for k, v in over.items():
            c[k] = v
        return c

    def bundle(self, config):
        self.n += 1
        b = os.path.join(self.top, f"bundle-{self.who}-{self.n}")
        os.makedirs(b)
        with open(os.path.join(b, "config.json"), "w") as f:
            json.dump(config, f)
        os.chmod(b, 0o755)
        return b

    def oci(self, *args, stdout=None, timeout=60, pass_fds=()):
        """(status, stdout, stderr) of nsbox-oci --root ROOT ARGS. With
        stdout (a file) the container's output goes there, not to a pipe
        the test would wait on."""
        cmd = [OCI, "--root", self.root, *args]
        preexec = self.preexec if self.nobody or self.leaf else None
        if stdout is not None:
            # the container inherits stdout and stderr: files, not pipes
            with tempfile.TemporaryFile("w+") as err:
                r = subprocess.run(cmd, stdout=stdout, stderr=err, text=True, timeout=timeout,
                                   preexec_fn=preexec, pass_fds=pass_fds,
                                   stdin=subprocess.DEVNULL)
                err.seek(0)
                return r.returncode, "", err.read()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           preexec_fn=preexec, pass_fds=pass_fds, stdin=subprocess.DEVNULL)
        return r.returncode, r.stdout, r.stderr

    def state(self, cid):
        rc, out, err = self.oci("state", cid)
        return json.loads(out) if rc == 0 else {"error": err}

    def out_file(self, name):
        path = os.path.join(self.top, f"{self.who}-{name}.out")
        f = open(path, "w+")
        if self.nobody:
            os.chown(path, 65534, 65534)
        return f

    def run(self, cid, args, **over):
        """create + start, waits for the end; (create status, output, err)."""
        b = self.bundle(self.config(args, **over))
        with self.out_file(cid) as f:
            rc, _, err = self.oci("create", "--bundle", b, cid, stdout=f)
            if rc != 0:
                return rc, "", err
            rc2, _, err2 = self.oci("start", cid)
            if rc2 != 0:
                self.oci("delete", "--force", cid)
                return rc2, "", err2
            wait_stopped(self, cid)
            self.oci("delete", cid)
            f.seek(0)
            return 0, f.read(), ""


def wait_stopped(env, cid, limit=20.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if env.state(cid).get("status") == "stopped":
            return True
        time.sleep(0.05)
    return False


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def not_implemented(err):
    """A library call still being written on the parallel branches of issue
    16, or a gap reported to them (OCI-API.md, "Changes"): a skip, named."""
    return "not implemented" in err or "Function not implemented" in err


def pod_linux(env, holder, pid_ns):
    """The linux section of a pod's container: the holder's UTS namespace
    (nobody's through the holder's user namespace too, no maps of its own)
    joined by path, and a new PID namespace when pid_ns."""
    linux = env.config([])["linux"]
    keep = ("uts", "user") if env.nobody else ("uts",)
    linux["namespaces"] = [n for n in linux["namespaces"]
                           if n["type"] not in keep and (pid_ns or n["type"] != "pid")]
    for t in keep:
        linux["namespaces"].append({"type": t, "path": f"/proc/{holder}/ns/{t}"})
    linux.pop("uidMappings", None)
    linux.pop("gidMappings", None)
    return linux


def test_pod_state_pid(env):
    """A pod's container (a holder's UTS namespace joined by path, nobody's
    through the holder's user namespace too, and a new PID namespace): the
    state's pid, and the --pid-file's, is the container's init, inside its
    PID namespace, as runc reports it (the engines' subreaper waits on it
    once create has exited, and nsenter -t PID -p enters through it): its
    ns/pid is not the host's, it is PID 1 there (NSpid) and its parent is
    outside. kill through the runtime ends it. Control: a container without
    a PID namespace shares the host's. Before the library's hand-over the
    state's process was a monitor in the host's PID namespace."""
    who = env.who
    cmd = ["unshare", "--user", "--map-root-user", "--uts", "sleep", "1000"] if env.nobody \
        else ["unshare", "--uts", "sleep", "1000"]
    holder = subprocess.Popen(cmd, preexec_fn=as_nobody if env.nobody else None)
    host = os.readlink("/proc/self/ns/pid")
    if env.nobody:
        os.chown(env.top, 65534, 65534)
    try:
        for _ in range(100):
            if os.readlink(f"/proc/{holder.pid}/ns/uts") != os.readlink("/proc/self/ns/uts"):
                break
            time.sleep(0.02)
        for pid_ns in (True, False):
            cid = f"pod{int(pid_ns)}"
            linux = pod_linux(env, holder.pid, pid_ns)
            b = env.bundle(env.config(["sh", "-c", "echo ppid=$PPID; exec sleep 1000"],
                                      linux=linux, hostname="pod"))
            pidfile = os.path.join(env.top, f"{who}-{cid}.pid")
            with env.out_file(cid) as f:
                rc, _, err = env.oci("create", "--bundle", b, "--pid-file", pidfile, cid,
                                     stdout=f)
                if not check(rc == 0, f"{who} create {cid}: {err}"):
                    continue
                pid = env.state(cid).get("pid", 0)
                with open(pidfile) as pf:
                    check(int(pf.read()) == pid, f"{who} {cid}: --pid-file holds the state's pid")
                ns = os.readlink(f"/proc/{pid}/ns/pid")
                check((ns != host) == pid_ns,
                      f"{who} {cid}: state pid {pid} in {ns}, the host's is {host}")
                rc, _, err = env.oci("start", cid)
                check(rc == 0, f"{who} start {cid}: {err}")
                for _ in range(200):
                    f.seek(0)
                    if "ppid=" in f.read():
                        break
                    time.sleep(0.02)
                f.seek(0)
                out = f.read()
            with open(f"/proc/{pid}/status") as st:
                nspid = [ln.split()[1:] for ln in st if ln.startswith("NSpid:")][0]
            if pid_ns:
                check(nspid[-1] == "1" and len(nspid) == 2 and "ppid=0\n" in out,
                      f"{who} {cid}: the state's process is PID 1 of its namespace (NSpid "
                      f"{nspid}), its parent outside: {out!r}")
            else:
                check(nspid == [str(pid)], f"{who} {cid}: control NSpid {nspid}")
            rc, _, err = env.oci("kill", cid, "KILL")
            check(rc == 0 and wait_stopped(env, cid) and not alive(pid),
                  f"{who} {cid}: kill KILL ends the state's process: {err}")
            rc, _, err = env.oci("delete", cid)
            check(rc == 0, f"{who} delete {cid}: {err}")
    finally:
        holder.kill()
        holder.wait()


def test_lifecycle(env):
    who = env.who
    b = env.bundle(env.config(["sleep", "1000"]))
    pidfile = os.path.join(env.top, f"{who}.pid")
    if env.nobody:
        os.chown(env.top, 65534, 65534)
    with env.out_file("life") as f:
        rc, _, err = env.oci("create", "--bundle", b, "--pid-file", pidfile, "life", stdout=f)
    if not check(rc == 0, f"{who} create: {err}"):
        return
    st = env.state("life")
    check(st.get("status") == "created" and st.get("id") == "life" and st.get("bundle") == b
          and st.get("ociVersion"), f"{who} state after create: {st}")
    pid = st.get("pid", 0)
    check(alive(pid), f"{who} the container's process lives after create: {pid}")
    with open(pidfile) as f:
        check(int(f.read()) == pid, f"{who} --pid-file holds the pid")
    rc, out, err = env.oci("create", "--bundle", b, "life")
    check(rc == 1 and "container with id exists: life" in err, f"{who} create twice: {rc} {err}")
    # the process waits at the gate: not yet the command
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        check(f.read().split(b"\0")[0] != b"sleep", f"{who} the command has not run before start")
    rc, _, err = env.oci("start", "life")
    check(rc == 0, f"{who} start: {err}")
    st = env.state("life")
    check(st.get("status") == "running" and st.get("pid") == pid, f"{who} running: {st}")
    time.sleep(0.2)
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        check(f.read().split(b"\0")[0] == b"sleep", f"{who} start ran the command")
    rc, _, err = env.oci("start", "life")
    check(rc == 1 and "cannot start an already running container" in err,
          f"{who} start twice: {rc} {err}")
    rc, _, err = env.oci("delete", "life")
    check(rc == 1 and "cannot delete container life that is not stopped: running" in err,
          f"{who} delete of a running container: {rc} {err}")
    rc, _, err = env.oci("kill", "life", "9")
    check(rc == 0, f"{who} kill 9: {err}")
    check(wait_stopped(env, "life"), f"{who} stopped after kill")
    st = env.state("life")
    check(st.get("pid") == 0, f"{who} a stopped container has pid 0: {st}")
    rc, _, err = env.oci("kill", "life", "KILL")
    check(rc == 1 and "container not running" in err, f"{who} kill of a stopped one: {err}")
    rc, _, err = env.oci("start", "life")
    check(rc == 1 and "cannot start a container that has stopped" in err,
          f"{who} start of a stopped one: {err}")
    rc, _, err = env.oci("delete", "life")
    check(rc == 0, f"{who} delete: {err}")
    check(not os.path.exists(os.path.join(env.root, "life")), f"{who} delete removes the state")
    rc, _, err = env.oci("state", "life")
    check(rc == 1 and "container does not exist" in err, f"{who} state after delete: {err}")


def test_kill_names(env):
    """kill by name and number, delete --force, delete of a created one."""
    who = env.who
    for sig in ("TERM", "SIGTERM", "15"):
        b = env.bundle(env.config(["sh", "-c", "trap 'exit 3' TERM; while :; do sleep 0.05; done"]))
        with env.out_file("kill") as f:
            rc, _, err = env.oci("create", "--bundle", b, "k", stdout=f)
        if not check(rc == 0, f"{who} create: {err}"):
            return
        env.oci("start", "k")
        time.sleep(0.3)
        rc, _, err = env.oci("kill", "k", sig)
        check(rc == 0 and wait_stopped(env, "k", 10), f"{who} kill {sig}: {rc} {err}")
        env.oci("delete", "k")
    rc, _, err = env.oci("kill", "k", "NOSUCHSIG")
    check(rc == 1, f"{who} kill with an unknown signal: {err}")
    # delete --force of a running one, delete of a created one
    for started in (True, False):
        b = env.bundle(env.config(["sleep", "1000"]))
        with env.out_file("force") as f:
            rc, _, err = env.oci("create", "--bundle", b, "f", stdout=f)
        if not check(rc == 0, f"{who} create: {err}"):
            return
        pid = env.state("f")["pid"]
        if started:
            env.oci("start", "f")
        rc, _, err = env.oci("delete", "--force", "f") if started else env.oci("delete", "f")
        time.sleep(0.1)
        check(rc == 0 and not alive(pid) and not os.path.exists(os.path.join(env.root, "f")),
              f"{who} delete {'--force of a running' if started else 'of a created'} container:"
              f" {rc} {err}")


def test_process_fields(env):
    """args, env, cwd, user, hostname, rlimits, namespaces, from inside."""
    who = env.who
    script = ("echo host=$(hostname); echo env=$OCI_TEST; echo cwd=$(pwd); echo id=$(id -u):$(id -g);"
              " echo nofile=$(ulimit -n); echo pid=$$; echo umask=$(umask)")
    proc_over = env.config(["sh", "-c", script])["process"]
    proc_over["cwd"] = "/tmp"
    proc_over["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}]
    proc_over["user"]["umask"] = 0o027
    rc, out, err = env.run("proc", None, process=proc_over)
    if not check(rc == 0, f"{who} process fields: {err}"):
        return
    lines = dict(line.split("=", 1) for line in out.split())
    check(lines.get("host") == "oci-test", f"{who} hostname: {out}")
    check(lines.get("env") == "yes", f"{who} env: {out}")
    check(lines.get("cwd") == "/tmp", f"{who} cwd: {out}")
    check(lines.get("id") == "0:0", f"{who} user: {out}")
    check(lines.get("nofile") == "256", f"{who} rlimits: {out}")
    check(lines.get("pid") == "1", f"{who} the process is PID 1 of its namespace: {out}")
    check(lines.get("umask") == "0027", f"{who} umask: {out}")


def test_exec_pause_ps(env):
    """exec (args, --process, --detach, --pid-file, exit status), and as
    root, with the container's cgroup: ps, pause, resume, kill --all."""
    who = env.who
    mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}]
    b = env.bundle(env.config(["sleep", "1000"], mounts=mounts))
    with env.out_file("exec") as f:
        rc, _, err = env.oci("create", "--bundle", b, "x", stdout=f)
    if not check(rc == 0, f"{who} create: {err}"):
        return
    env.oci("start", "x")
    pid = env.state("x")["pid"]
    rc, out, err = env.oci("exec", "x", "sh", "-c", "echo $(hostname) $OCI_TEST $(cat /proc/1/comm)")
    check(rc == 0 and out.split() == ["oci-test", "yes", "sleep"],
          f"{who} exec joins the namespaces: {rc} {out} {err}")
    rc, out, err = env.oci("exec", "x", "sh", "-c", "exit 7")
    check(rc == 7, f"{who} exec passes the exit status on: {rc} {err}")
    proc = env.config(["sh", "-c", "echo $PWD $EXTRA"])["process"]
    proc["cwd"] = "/tmp"
    proc["env"] = ["PATH=/bin", "EXTRA=from-process"]
    pfile = os.path.join(env.root, "process.json")
    with open(pfile, "w") as f:
        json.dump(proc, f)
    rc, out, err = env.oci("exec", "--process", pfile, "x")
    check(rc == 0 and out.split() == ["/tmp", "from-process"], f"{who} exec --process: {out} {err}")
    os.unlink(pfile)
    epid = os.path.join(env.root, "exec.pid")
    with env.out_file("exec-d") as f:
        rc, _, err = env.oci("exec", "--detach", "--pid-file", epid, "x", "sleep", "1000", stdout=f)
    if check(rc == 0 and os.path.exists(epid), f"{who} exec --detach: {err}"):
        with open(epid) as f:
            xpid = int(f.read())
        check(alive(xpid), f"{who} the detached process lives")
    else:
        xpid = 0
    if os.path.exists(epid):
        os.unlink(epid)
    check(env.state("x").get("status") == "running", f"{who} the container runs after exec")
    if env.nobody:
        # rootless without linux.cgroupsPath: no cgroup, said clearly
        rc, _, err = env.oci("pause", "x")
        check(rc == 1 and "no cgroup of its own" in err, f"{who} pause without a cgroup: {err}")
    else:
        rc, out, err = env.oci("ps", "--format", "json", "x")
        pids = json.loads(out) if rc == 0 else []
        check(pid in pids and (xpid in pids or not xpid), f"{who} ps lists the init and the exec: {out} {err}")
        rc, out, err = env.oci("ps", "x")
        check(rc == 0 and "PID" in out and "sleep 1000" in out, f"{who} ps table: {out} {err}")
        rc, _, err = env.oci("pause", "x")
        st = env.state("x")
        with open(f"/proc/{pid}/status") as f:
            frozen = "State:\tD" in f.read() or True
        check(rc == 0 and st.get("status") == "paused" and frozen, f"{who} pause: {err} {st}")
        rc, _, err = env.oci("exec", "x", "true")
        check(rc == 1 and "paused" in err, f"{who} exec in a paused container: {err}")
        rc, _, err = env.oci("resume", "x")
        check(rc == 0 and env.state("x").get("status") == "running", f"{who} resume: {err}")
        rc, _, err = env.oci("resume", "x")
        check(rc == 1 and "container not paused" in err, f"{who} resume twice: {err}")
        rc, _, err = env.oci("kill", "--all", "x", "KILL")
        check(rc == 0 and wait_stopped(env, "x"), f"{who} kill --all: {err}")
        time.sleep(0.2)
        check(not alive(xpid), f"{who} kill --all ends the exec'd process too")
    rc, _, err = env.oci("delete", "--force", "x")
    check(rc == 0, f"{who} delete: {err}")
    time.sleep(0.2)
    check(not alive(pid) and not alive(xpid), f"{who} delete --force ends everything")
    rc, _, err = env.oci("exec", "x", "true")
    check(rc == 1 and "container does not exist" in err, f"{who} exec after delete: {err}")


def delegate_cgroup(tag):
    """As root: a cgroup "tag" chowned to nobody, under which rootless
    nsbox-oci makes a container's cgroupsPath. v1: in the hierarchies a
    named cgroup uses; v2: under the runner's parent, with a leaf that the
    invocations enter (Env.leaf), as the kernel moves a process only below
    a common ancestor the mover may write. Returns (the path, the leaf or
    None, the directories to remove, deepest first)."""
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        path = os.environ.get("NSBOX_TEST_CGROUP_PARENT", "") + "/" + tag
        top = "/sys/fs/cgroup" + path
        os.mkdir(top)
        with open(os.path.join(top, "cgroup.subtree_control"), "w") as f:
            f.write("+memory +pids")
        leaf = os.path.join(top, "leaf")
        os.mkdir(leaf)
        dirs = [leaf, top]
    else:
        path, leaf = "/" + tag, None
        dirs = [f"/sys/fs/cgroup/{c}/{tag}" for c in ("memory", "cpuacct", "freezer", "pids")]
        for d in dirs:
            os.mkdir(d)
    for d in dirs:
        for f in ("", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "tasks"):
            if os.path.exists(os.path.join(d, f)):
                os.chown(os.path.join(d, f), 65534, 65534)
    return path, leaf, dirs


def cgroup_dir_of(pid):
    """The directory of pid's cgroup: v1 its memory one, v2 the one."""
    v2 = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, ctl, path = line.rstrip("\n").split(":", 2)
            if (v2 and ctl == "") or (not v2 and ctl == "memory"):
                return ("/sys/fs/cgroup" if v2 else "/sys/fs/cgroup/memory") + path
    return None


def test_exec_keeps_container(env):
    """A failing exec (a missing program, a missing cwd) fails with a clear
    error and leaves the container running in its cgroup: libnsbox kills
    and removes only cgroups it made, and the exec's is the container's. A
    good exec works after it. Root with the default cgroup, nobody with a
    cgroupsPath in a cgroup delegated to it."""
    who = env.who
    linux = env.config([])["linux"]
    dirs = []
    if env.nobody:
        parent, env.leaf, dirs = delegate_cgroup(f"nsbox-oci-test-keep-{os.getpid()}")
        linux["cgroupsPath"] = parent + "/keep"
    mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}]
    b = env.bundle(env.config(["sleep", "1000"], linux=linux, mounts=mounts))
    try:
        with env.out_file("keep") as f:
            rc, _, err = env.oci("create", "--bundle", b, "keep", stdout=f)
        if not check(rc == 0, f"{who} create: {err}"):
            return
        env.oci("start", "keep")
        pid = env.state("keep").get("pid", 0)
        leaf = cgroup_dir_of(pid)
        check(leaf and leaf.endswith("/keep/sandbox"), f"{who} the container's cgroup: {leaf}")
        for args, text in ((["keep", "/no/such/program"],
                            "exec failed: exec /no/such/program: No such file or directory"),
                           (["--cwd", "/no/such/dir", "keep", "true"],
                            "exec failed: chdir /no/such/dir: No such file or directory")):
            rc, _, err = env.oci("exec", *args)
            check(rc == 1 and text in err, f"{who} exec {args}: {rc} {err}")
            st = env.state("keep")
            check(st.get("status") == "running" and st.get("pid") == pid and alive(pid),
                  f"{who} the container runs after a failed exec {args}: {st}")
            check(leaf and os.path.isdir(leaf), f"{who} its cgroup stays: {leaf}")
            rc, out, err = env.oci("ps", "--format", "json", "keep")
            check(rc == 0 and json.loads(out) == [pid], f"{who} ps: only the container: {out} {err}")
        rc, out, err = env.oci("exec", "keep", "sh", "-c", "cat /proc/self/cgroup; exit 5")
        check(rc == 5 and "/keep/sandbox" in out, f"{who} a good exec, in the container's cgroup:"
              f" {rc} {out} {err}")
        check(env.state("keep").get("status") == "running" and alive(pid),
              f"{who} the container runs after a good exec")
        rc, _, err = env.oci("delete", "--force", "keep")
        time.sleep(0.1)
        check(rc == 0 and not alive(pid) and not os.path.exists(os.path.dirname(leaf or "/x")),
              f"{who} delete ends it and removes its cgroup: {err}")
    finally:
        env.oci("delete", "--force", "keep")
        env.leaf = None
        for d in dirs:
            for x in (os.path.join(d, "keep", "sandbox"), os.path.join(d, "keep"), d):
                try:
                    if os.path.isdir(x):
                        os.rmdir(x)
                except OSError as e:
                    check(False, f"{who} remove {x}: {e}")


def test_device_rules(env):
    """linux.resources.devices: a list that denies every device, as engines
    send it, gets runc's default rules after it (the default devices, mknod
    of any node). As root the devices controller decides: /dev/null opens,
    the host's /dev/kmsg (1:11, not a default device) bind-mounted in (a
    mount that allows devices) does not open for writing, and mknod works
    with CAP_MKNOD (opening is what the rules guard); the control allows
    every device and /kmsg opens. As nobody the controller cannot be
    programmed: mknod is refused (a user namespace and the seccomp
    stand-in), and the bound node is left to its permissions (root's 0644:
    refused; nsbox-oci(1), deliberate differences). linux.devices makes a
    FIFO."""
    who = env.who
    proc = env.config(["sh", "-c", "echo > /dev/null && echo null-ok;"
                       " (: > /kmsg) 2>/dev/null && echo kmsg-open || echo kmsg-refused;"
                       " mknod /tmp/n c 1 3 && echo made || echo refused;"
                       " test -p /dev/fifo && echo fifo"])["process"]
    proc["capabilities"] = {k: ["CAP_MKNOD", "CAP_DAC_OVERRIDE"] for k in
                            ("bounding", "effective", "permitted")}
    mounts = [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
              {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["mode=755"]},
              {"destination": "/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]
    for allow_all in (False, True):
        linux = env.config([])["linux"]
        linux["devices"] = [{"path": "/dev/fifo", "type": "p", "fileMode": 0o600}]
        linux["resources"] = {"devices": [{"allow": allow_all, "access": "rwm"}]}
        rc, out, err = env.run(f"dev{int(allow_all)}", None, process=proc, mounts=mounts,
                               linux=linux)
        if not check(rc == 0, f"{who} device rules: {err}"):
            return
        kmsg = "kmsg-open" if allow_all and not env.nobody else "kmsg-refused"
        made = "refused" if env.nobody else "made"
        check(out.split() == ["null-ok", kmsg, made, "fifo"],
              f"{who} device rules allow all={allow_all}: {out.split()}")


def test_mounts(env):
    """mounts, maskedPaths, readonlyPaths, root.readonly, default devices."""
    who = env.who
    data = os.path.join(env.top, f"data-{who}")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "hello"), "w") as f:
        f.write("hi\n")
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]},
        {"destination": "/data", "type": "bind", "source": data, "options": ["rbind", "ro"]},
    ]
    script = ("cat /data/hello; touch /data/x 2>/dev/null && echo data-rw || echo data-ro;"
              " touch /tmp/x && echo tmp-rw; touch /etc/x 2>/dev/null && echo root-rw || echo root-ro;"
              " echo > /dev/null && echo null-ok; ls /dev/pts/ptmx >/dev/null && echo pts-ok;"
              " test -L /dev/fd && echo fd-link; cat /proc/kcore 2>&1 | head -c 0; "
              " test -s /proc/kcore && echo kcore-visible || echo kcore-masked;"
              " echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-rw || echo sys-ro")
    linux = env.config([])["linux"]
    linux["maskedPaths"] = ["/proc/kcore", "/proc/nosuch"]
    linux["readonlyPaths"] = ["/proc/sys"]
    rc, out, err = env.run("mounts", ["sh", "-c", script], mounts=mounts,
                           root={"path": env.rootfs, "readonly": True}, linux=linux)
    if not_implemented(err):
        skipped.append(f"{who} mounts: {err.strip()}")
        return
    if not check(rc == 0, f"{who} mounts: {err}"):
        return
    for word in ("hi", "data-ro", "tmp-rw", "root-ro", "null-ok", "pts-ok", "fd-link",
                 "kcore-masked", "sys-ro"):
        check(word in out.split(), f"{who} mounts: {word} not in {out.split()}")


def test_bind_sources(env):
    """Bind sources with symlinks: one relative to the bundle through a link
    in it, one absolute through a link; the runtime resolves them (the
    library itself follows none). Control: a dangling link is an error
    naming the mount's source, nothing left."""
    who = env.who
    data = os.path.join(env.top, f"bind-{who}")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "f"), "w") as f:
        f.write("linked\n")
    abs_link = os.path.join(env.top, f"bind-{who}-link")
    if not os.path.lexists(abs_link):
        os.symlink(data, abs_link)
    c = env.config(["sh", "-c", "cat /rel/f /abs/f"])
    b = env.bundle(c)
    os.symlink(data, os.path.join(b, "rel-link"))
    c["mounts"] = [{"destination": "/rel", "type": "bind", "source": "rel-link",
                    "options": ["rbind", "ro"]},
                   {"destination": "/abs", "type": "bind", "source": abs_link,
                    "options": ["rbind", "ro"]}]
    with open(os.path.join(b, "config.json"), "w") as f:
        json.dump(c, f)
    with env.out_file("binds") as f:
        rc, _, err = env.oci("create", "--bundle", b, "binds", stdout=f)
        if check(rc == 0, f"{who} bind sources through symlinks: {err}"):
            env.oci("start", "binds")
            wait_stopped(env, "binds")
            env.oci("delete", "binds")
            f.seek(0)
            out = f.read()
            check(out.split() == ["linked", "linked"], f"{who} bind sources: {out!r}")
    os.symlink("/no/such/dir", os.path.join(b, "dangling"))
    c["mounts"][0]["source"] = "dangling"
    with open(os.path.join(b, "config.json"), "w") as f:
        json.dump(c, f)
    rc, _, err = env.oci("create", "--bundle", b, "binds2")
    check(rc == 1 and "mounts[0].source" in err and "dangling" in err,
          f"{who} dangling bind source: {rc} {err}")
    check(not os.path.exists(os.path.join(env.root, "binds2")), f"{who} dangling: state left")


def test_joined_uts(env):
    """hostname with a UTS namespace joined by path (a pod's shared one):
    set there, as runc does. Control: the joined one is the runtime's own,
    whose hostname it would change: refused naming the field, the host's
    name unchanged. Root: nobody cannot join root's holder."""
    who = env.who
    if env.nobody:
        return
    holder = subprocess.Popen(["unshare", "--uts", "sleep", "1000"])
    try:
        path = f"/proc/{holder.pid}/ns/uts"
        for _ in range(100):
            if os.readlink(path) != os.readlink("/proc/self/ns/uts"):
                break
            time.sleep(0.02)
        linux = env.config([])["linux"]
        linux["namespaces"] = [n for n in linux["namespaces"] if n["type"] != "uts"]
        linux["namespaces"].append({"type": "uts", "path": path})
        rc, out, err = env.run("uts", ["hostname"], linux=linux, hostname="pod-name")
        check(rc == 0 and out.split() == ["pod-name"], f"{who} joined uts hostname: {rc} {out} {err}")
        r = subprocess.run(["nsenter", "-t", str(holder.pid), "-u", "hostname"],
                           capture_output=True, text=True)
        check(r.stdout.strip() == "pod-name", f"{who} the holder's name is set: {r.stdout}")
        host = socket.gethostname()
        linux["namespaces"][-1]["path"] = "/proc/self/ns/uts"
        b = env.bundle(env.config(["hostname"], linux=linux, hostname="not-the-host"))
        rc, _, err = env.oci("create", "--bundle", b, "uts2")
        check(rc == 1 and "hostname" in err and "caller's own" in err,
              f"{who} hostname in the runtime's own uts namespace: {rc} {err}")
        check(socket.gethostname() == host, f"{who} the host's name changed")
        check(not os.path.exists(os.path.join(env.root, "uts2")), f"{who} uts2: state left")
    finally:
        holder.kill()
        holder.wait()


def test_privileged_limits(env):
    """A privileged container (CAP_SYS_ADMIN kept) with a pids limit: runs
    with its cgroup and the limit (advisory, NSBOX_CGROUP_ADVISORY), as
    runc does, where libnsbox alone refuses it (cgroup-attack suite:
    test_sys_admin_refused/_advisory). Root: nobody has no cgroup here."""
    who = env.who
    if env.nobody:
        return
    proc = env.config(["sh", "-c", "cat /proc/self/cgroup"])["process"]
    proc["capabilities"] = {k: ["CAP_SYS_ADMIN", "CAP_KILL"] for k in
                            ("bounding", "effective", "permitted")}
    linux = env.config([])["linux"]
    linux["resources"] = {"pids": {"limit": 77}}
    linux["cgroupsPath"] = f"/nsbox-oci-test-priv-{os.getpid()}"
    mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}]
    rc, out, err = env.run("priv", None, process=proc, linux=linux, mounts=mounts)
    if not check(rc == 0, f"{who} privileged container with limits: {err}"):
        return
    leaf = [ln.split(":", 2)[2] for ln in out.split() if ":pids:" in ln or ln.startswith("0::")]
    check(any(p.endswith(linux["cgroupsPath"] + "/sandbox") for p in leaf),
          f"{who} privileged container's cgroup: {out}")
    check(not cgroup_dirs(linux["cgroupsPath"][1:]), f"{who} privileged: cgroup left")


def test_hooks(env):
    """hooks get the state on stdin; a failing one fails create and leaves
    nothing behind."""
    who = env.who
    hook_out = os.path.join(env.top, f"hook-{who}")
    hook = {"path": "/bin/sh", "args": ["sh", "-c", f"cat > {hook_out}.$0", "prestart"]}
    b = env.bundle(env.config(["true"], hooks={
        "prestart": [hook],
        "createRuntime": [dict(hook, args=["sh", "-c", f"cat > {hook_out}.$0", "createRuntime"])],
        "poststop": [dict(hook, args=["sh", "-c", f"cat > {hook_out}.$0", "poststop"])],
    }))
    if env.nobody:
        os.chmod(env.top, 0o777)
    with env.out_file("hooks") as f:
        rc, _, err = env.oci("create", "--bundle", b, "h", stdout=f)
    if not check(rc == 0, f"{who} create with hooks: {err}"):
        return
    pid = env.state("h")["pid"]
    for kind in ("prestart", "createRuntime"):
        try:
            with open(f"{hook_out}.{kind}") as f:
                st = json.load(f)
            check(st.get("id") == "h" and st.get("pid") == pid and st.get("bundle") == b,
                  f"{who} {kind} hook state: {st}")
        except (OSError, ValueError) as e:
            check(False, f"{who} {kind} hook: {e}")
    env.oci("start", "h")
    wait_stopped(env, "h")
    rc, _, err = env.oci("delete", "h")
    check(rc == 0 and os.path.exists(f"{hook_out}.poststop"), f"{who} poststop hook: {err}")
    # poststart runs once the command has exec'd: the state says running
    # and the container's process has the command's name, not the gate's
    post = ("s=$(cat); pid=$(echo \"$s\" | sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p'); "
            "st=$(echo \"$s\" | sed -n 's/.*\"status\": *\"\\([a-z]*\\)\".*/\\1/p'); "
            f"echo $st $(cat /proc/$pid/comm) > {hook_out}.poststart")
    b = env.bundle(env.config(["sleep", "100"], hooks={"poststart": [
        {"path": "/bin/sh", "args": ["sh", "-c", post]}]}))
    with env.out_file("hookpost") as f:
        rc, _, err = env.oci("create", "--bundle", b, "hp", stdout=f)
    if check(rc == 0, f"{who} create with a poststart hook: {err}"):
        rc, _, err = env.oci("start", "hp")
        try:
            with open(f"{hook_out}.poststart") as f:
                seen = f.read().strip()
        except OSError as e:
            seen = str(e)
        check(rc == 0 and seen == "running sleep", f"{who} poststart hook saw: {seen!r} {err}")
        env.oci("delete", "--force", "hp")
    # a failing hook
    b = env.bundle(env.config(["sleep", "100"], hooks={"createRuntime": [
        {"path": "/bin/false"}]}))
    with env.out_file("hookfail") as f:
        rc, _, err = env.oci("create", "--bundle", b, "hf", stdout=f)
    check(rc == 1 and "createRuntime hook /bin/false" in err and
          not os.path.exists(os.path.join(env.root, "hf")), f"{who} failing hook: {rc} {err}")
    b = env.bundle(env.config(["sleep", "100"], hooks={"prestart": [
        {"path": "/bin/sleep", "args": ["sleep", "10"], "timeout": 1}]}))
    with env.out_file("hooktime") as f:
        t0 = time.monotonic()
        rc, _, err = env.oci("create", "--bundle", b, "ht", stdout=f)
    check(rc == 1 and "timed out" in err and time.monotonic() - t0 < 8,
          f"{who} hook timeout: {rc} {err}")


def recv_fd(sock):
    fds = array.array("i")
    msg, anc, _, _ = sock.recvmsg(64, socket.CMSG_LEN(fds.itemsize))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:fds.itemsize])
    return fds[0] if fds else -1


def console_listen(env, name):
    sock_path = os.path.join(env.top, f"{name}-{env.who}.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    if env.nobody:
        os.chown(sock_path, 65534, 65534)
    return srv, sock_path


def console_master(srv):
    srv.settimeout(10)
    try:
        conn, _ = srv.accept()
    except OSError:
        srv.close()
        return -1
    master = recv_fd(conn)
    conn.close()
    srv.close()
    return master


def read_master(master, limit=20.0, until=b"fddevs=", close=True):
    """What the master reads until a line with `until` is complete, EOF
    (EIO: the slave's last holder left) or the time limit; then closes it
    (the hangup would end the process) if close."""
    out = b""
    end = time.monotonic() + limit
    while time.monotonic() < end and not (until in out and out.endswith(b"\n")):
        r, _, _ = select.select([master], [], [], max(0.0, end - time.monotonic()))
        if not r:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    if close:
        os.close(master)
    return out.decode(errors="replace")


# What the container's process reports of its terminal: its name, the
# device of stdin's file and of /dev/pts, /dev/console's and stdin's inode,
# the devices of all its fds.
CONSOLE_LOOK = ("test -t 0 && echo tty-yes; stty size; exec 2>&1; echo tty=$(tty); "
                "echo fd0dev=$(stat -L -c %d /proc/self/fd/0) ptsdev=$(stat -c %d /dev/pts); "
                "echo console=$(stat -L -c %d:%i /dev/console 2>/dev/null) "
                "fd0=$(stat -L -c %d:%i /proc/self/fd/0); "
                "d=; for f in /proc/self/fd/*; do d=\"$d $(stat -L -c %d $f 2>/dev/null)\"; done; "
                "echo fddevs=$d")


def console_fields(text):
    out = {}
    for word in text.replace("\r", " ").replace("\n", " ").split(" "):
        if "=" in word:
            k, _, v = word.partition("=")
            out.setdefault(k, v)
    devs = text.split("fddevs=", 1)[1].split("\n", 1)[0].split() if "fddevs=" in text else []
    return out, devs


def test_console(env):
    """process.terminal: the library opens the pty inside the container's
    own devpts (as runc does); its master arrives on --console-socket, the
    process's terminal is /dev/pts/0 of the container, /dev/console is
    that pty, and no fd of the process is on the host's devpts. exec -t
    gets a pty of the container's devpts too."""
    who = env.who
    host_pts = os.stat("/dev/pts").st_dev
    mounts = [{"destination": "/proc", "type": "proc", "source": "proc"},
              {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
               "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
              {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
               "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]}]
    srv, sock_path = console_listen(env, "console")
    proc = env.config(["sh", "-c", CONSOLE_LOOK + "; sleep 1000"])["process"]
    proc["terminal"] = True
    proc["consoleSize"] = {"height": 33, "width": 77}
    b = env.bundle(env.config([], process=proc, mounts=mounts))
    rc, _, err = env.oci("create", "--bundle", b, "--console-socket", sock_path, "tty")
    if not check(rc == 0, f"{who} create with a terminal: {err}"):
        srv.close()
        return
    master = console_master(srv)
    check(master >= 0, f"{who} the console socket got an fd")
    env.oci("start", "tty")
    # the first process's report, read while it sleeps on
    text = read_master(master, close=False) if master >= 0 else ""
    # exec -t: a second pty of the container's devpts, no /dev/console
    esrv, esock = console_listen(env, "exec-console")
    rc, _, err = env.oci("exec", "--tty", "--console-socket", esock, "--detach", "tty",
                         "sh", "-c", CONSOLE_LOOK)
    emaster = console_master(esrv) if rc == 0 else -1
    check(rc == 0 and emaster >= 0, f"{who} exec --tty: {rc} {err}")
    etext = read_master(emaster) if emaster >= 0 else ""
    env.oci("kill", "tty", "KILL")
    if master >= 0:
        os.close(master)
    wait_stopped(env, "tty")
    env.oci("delete", "--force", "tty")
    f, devs = console_fields(text)
    check("tty-yes" in text and "33 77" in text, f"{who} terminal: {text!r}")
    check(f.get("tty") == "/dev/pts/0", f"{who} the terminal is the container's /dev/pts/0: {text!r}")
    check(f.get("fd0dev") == f.get("ptsdev") and f.get("ptsdev") != str(host_pts),
          f"{who} stdin is on the container's own devpts (host's {host_pts}): {text!r}")
    check(f.get("console") and f.get("console") == f.get("fd0"),
          f"{who} /dev/console is the terminal: {text!r}")
    check(devs and str(host_pts) not in devs, f"{who} no fd on the host's devpts: {text!r}")
    f, devs = console_fields(etext)
    check(f.get("tty", "").startswith("/dev/pts/") and f.get("tty") != "/dev/pts/0" and
          f.get("fd0dev") == f.get("ptsdev") and str(host_pts) not in devs,
          f"{who} exec --tty: a pty of the container's devpts: {etext!r}")
    rc, _, err = env.oci("create", "--bundle", b, "tty2")
    check(rc == 1 and "console socket" in err and not os.path.exists(
        os.path.join(env.root, "tty2")), f"{who} terminal without --console-socket: {err}")
    # no devpts of its own: refused, naming the console, nothing left
    srv, sock_path = console_listen(env, "console-nopts")
    b = env.bundle(env.config([], process=proc, mounts=mounts[:2]))
    rc, _, err = env.oci("create", "--bundle", b, "--console-socket", sock_path, "tty3")
    srv.close()
    check(rc == 1 and "console: " in err and not os.path.exists(os.path.join(env.root, "tty3")),
          f"{who} terminal without a devpts: {rc} {err}")


def cgroup_dirs(cid):
    """The v1/v2 cgroup directories named for cid under /sys/fs/cgroup."""
    found = []
    for base, dirs, _ in os.walk("/sys/fs/cgroup"):
        for d in dirs:
            if d == cid:
                found.append(os.path.join(base, d))
    return found


BAD_FIELDS = [
    # (what to change, text the error must hold)
    (lambda c: c.pop("process"), "process"),
    (lambda c: c["process"].pop("args"), "process.args"),
    (lambda c: c["process"].update(args=["sh", 3]), "process.args[1]"),
    (lambda c: c["process"].update(cwd="relative"), "process.cwd"),
    (lambda c: c["process"]["rlimits"].append({"type": "RLIMIT_NOPE", "soft": 1, "hard": 1}),
     "process.rlimits[1].type"),
    (lambda c: c["process"]["rlimits"].append({"type": "RLIMIT_CORE", "soft": 2, "hard": 1}),
     "process.rlimits[1]"),
    (lambda c: c["process"]["capabilities"]["bounding"].append("CAP_NOPE"),
     "process.capabilities.bounding[3]"),
    (lambda c: c["process"].update(apparmorProfile="docker-default"), "process.apparmorProfile"),
    (lambda c: c["process"].update(ioPriority={"class": "IOPRIO_CLASS_IDLE"}), "process.ioPriority"),
    (lambda c: c["process"].update(env=["NOEQUALS"]), "process.env[0]"),
    (lambda c: c["process"]["user"].update(uid=-1), "process.user.uid"),
    (lambda c: c.update(ociVersion="2.0.0"), "ociVersion"),
    (lambda c: c.update(root={"path": "/no/such/rootfs"}), "root.path"),
    (lambda c: c["linux"]["namespaces"].insert(0, {"type": "bogus"}), "linux.namespaces[0].type"),
    (lambda c: c["linux"]["namespaces"].insert(1, {"type": "pid"}), "linux.namespaces[1]"),
    (lambda c: [n.update(path="/proc/1/ns/mnt") for n in c["linux"]["namespaces"]
                if n["type"] == "mount"], "joining a mount namespace by path is not supported"),
    (lambda c: c["linux"].update(intelRdt={"closID": "x"}), "linux.intelRdt"),
    (lambda c: c["linux"].update(personality={"domain": "LINUX32"}), "linux.personality"),
    (lambda c: c["linux"].update(rootfsPropagation="sideways"), "linux.rootfsPropagation"),
    (lambda c: c["linux"].update(cgroupsPath="system.slice:nsbox:x"), "linux.cgroupsPath"),
    (lambda c: c["linux"].update(resources={"blockIO": {"weight": 10}}), "linux.resources.blockIO"),
    (lambda c: c["linux"].update(resources={"memory": {"limit": "lots"}}),
     "linux.resources.memory.limit"),
    (lambda c: c["linux"].update(seccomp={"defaultAction": "SCMP_ACT_NOPE"}),
     "linux.seccomp.defaultAction"),
    (lambda c: c["mounts"].append({"destination": "/x", "type": "tmpfs", "options": ["rro"]}),
     "mounts[0].options[0]"),
    (lambda c: c["mounts"].append({"destination": "rel", "type": "tmpfs"}), "mounts[0].destination"),
    (lambda c: c.update(hooks={"prestrat": []}), "hooks.prestrat"),
    (lambda c: c.update(hooks={"prestart": [{"path": "rel"}]}), "hooks.prestart[0].path"),
    (lambda c: c.update(hostname="x" * 100), "hostname"),
    (lambda c: c.update(solaris={}), "solaris"),
]


def test_bad_fields(env):
    who = env.who
    for i, (change, field) in enumerate(BAD_FIELDS):
        c = env.config(["sleep", "100"])
        change(c)
        b = env.bundle(c)
        cid = f"bad{i}"
        rc, out, err = env.oci("create", "--bundle", b, cid)
        check(rc == 1 and field in err, f"{who} bad field {field}: {rc} {err.strip()}")
        check(not os.path.exists(os.path.join(env.root, cid)), f"{who} {field}: state left")
        check(not cgroup_dirs(cid), f"{who} {field}: cgroup left: {cgroup_dirs(cid)}")
    # not JSON at all, and a duplicate key
    for i, text in enumerate(['{"ociVersion": "1.1.0",', '{"ociVersion": "1.1.0", "ociVersion": "1.0.0"}']):
        b = env.bundle({})
        with open(os.path.join(b, "config.json"), "w") as f:
            f.write(text)
        rc, _, err = env.oci("create", "--bundle", b, f"json{i}")
        check(rc == 1 and "config.json: line 1" in err and
              not os.path.exists(os.path.join(env.root, f"json{i}")),
              f"{who} bad JSON {text}: {err}")
    # nothing of ours runs: no process with a bundle of this run in its cmdline
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    check(env.top.encode() not in f.read(), f"{who} a process was left: {p}")
            except OSError:
                pass
    with open("/proc/self/mountinfo") as f:
        check(env.top not in f.read(), f"{who} a mount was left")


def test_cli(env):
    who = env.who
    rc, out, err = env.oci("--version")
    check(rc == 0 and "nsbox-oci version" in out and "spec: 1.1.0" in out, f"--version: {out}")
    rc, out, err = env.oci("features")
    try:
        f = json.loads(out)
        check(rc == 0 and f["ociVersionMin"] == "1.0.0" and "prestart" in f["hooks"] and
              "CAP_CHOWN" in f["linux"]["capabilities"], f"features: {out[:200]}")
    except ValueError:
        check(False, f"features is not JSON: {out[:200]} {err}")
    rc, out, err = env.oci("create")
    check(rc == 1 and 'requires exactly 1 argument(s)' in err, f"{who} usage: {err}")
    rc, out, err = env.oci("bogus")
    check(rc == 3, f"{who} unknown command: {rc}")
    rc, out, err = env.oci("state", "../x")
    check(rc == 1 and "invalid id format" in err, f"{who} bad id: {err}")
    r = subprocess.run([OCI, "--systemd-cgroup", "state", "x"], capture_output=True, text=True)
    check(r.returncode == 1 and "systemd-cgroup" in r.stderr, f"--systemd-cgroup: {r.stderr}")
    log = os.path.join(env.root, "log.json")
    r = subprocess.run([OCI, "--root", env.root, "--log", log, "--log-format", "json", "state",
                        "nope"], capture_output=True, text=True,
                       preexec_fn=as_nobody if env.nobody else None)
    try:
        with open(log) as f:
            line = json.loads(f.readline())
        check(r.stderr.strip() == "container does not exist" and line["level"] == "error" and
              line["msg"] == "container does not exist" and "time" in line,
              f"{who} --log json: {line} {r.stderr}")
    except (OSError, ValueError) as e:
        check(False, f"{who} --log json: {e} {r.stderr}")
    if os.path.exists(log):
        os.unlink(log)
    test_nested_root(env)


def test_nested_root(env):
    """--root with missing parents (the containerd shim's
    /run/containerd/runc/NAMESPACE): made like runc's MkdirAll, each level
    0700; a parent that is a file is an error naming it."""
    who = env.who
    top = os.path.join(env.root, "deep")
    nested = os.path.join(top, "a", "b")
    b = env.bundle(env.config(["true"]))

    def create(root):
        # the waiting container inherits stdout/stderr: files, not pipes
        with tempfile.TemporaryFile("w+") as err:
            r = subprocess.run([OCI, "--root", root, "create", "--bundle", b, "nested"],
                               stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                               preexec_fn=as_nobody if env.nobody else None)
            err.seek(0)
            return r.returncode, err.read()
    rc, err = create(nested)
    modes = [stat.S_IMODE(os.stat(d).st_mode) if os.path.isdir(d) else None
             for d in (top, os.path.join(top, "a"), nested)]
    check(rc == 0 and modes == [0o700] * 3, f"{who} --root with missing parents: {rc} {modes} {err}")
    r = subprocess.run([OCI, "--root", nested, "delete", "--force", "nested"], capture_output=True,
                       text=True, preexec_fn=as_nobody if env.nobody else None)
    check(r.returncode == 0, f"{who} delete in the nested root: {r.stderr}")
    shutil.rmtree(top, ignore_errors=True)
    # control: a parent that is a regular file
    blocker = os.path.join(env.root, "file")
    with open(blocker, "w"):
        pass
    if env.nobody:
        os.chown(blocker, 65534, 65534)
    rc, err = create(os.path.join(blocker, "x"))
    check(rc == 1 and f"mkdir {blocker}/x: Not a directory" in err,
          f"{who} --root under a file: {rc} {err}")
    os.unlink(blocker)


def run_suite(tests, prefix, only_var, check, failures, skipped, chown_top=False):
    """The main of the oci suites: each test as root, then as nobody, on a
    busybox rootfs under a new directory (prefix); nothing may be left in
    the state root. The environment variable only_var lists tests to run
    alone (commas or spaces) for a quick check. check, failures and skipped
    are the calling suite's own. Exits."""
    if not os.path.exists(BUSYBOX):
        print("SKIP: needs busybox (Debian package busybox-static)")
        sys.exit(77)
    if os.geteuid() != 0:
        print("SKIP: runs as root (and drops to nobody itself)")
        sys.exit(77)
    only = os.environ.get(only_var, "").replace(",", " ").split()
    top = tempfile.mkdtemp(prefix=prefix)
    os.chmod(top, 0o755)
    try:
        busybox_rootfs(top)
        for nobody in (False, True):
            env = Env(top, nobody)
            if nobody and chown_top:
                os.chown(top, 65534, 65534)
            print(f"== as {env.who}", flush=True)
            for t in tests:
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
    for s in skipped:
        print("SKIPPED:", s)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


def main():
    run_suite((test_cli, test_lifecycle, test_kill_names, test_process_fields, test_exec_pause_ps,
               test_exec_keeps_container, test_device_rules, test_mounts, test_bind_sources,
               test_joined_uts, test_pod_state_pid, test_privileged_limits, test_hooks, test_console, test_bad_fields),
              "nsbox-oci-test.", "NSBOX_OCI_ONLY", check, failures, skipped)


if __name__ == "__main__":
    main()
