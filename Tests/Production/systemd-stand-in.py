"""A stand-in for systemd (PID 1 is not systemd on the test machines): starts one service as its unit file says.

Run through a copy of the Python interpreter named "systemd", so that the service's parent process is called
"systemd" as under the real manager (that is how .NET's UseSystemd recognises a service). It reads the unit's
[Service] section - User, Group, WorkingDirectory, Environment, EnvironmentFile, UMask, ExecStartPre, ExecStart,
with %i replaced by the instance - runs ExecStartPre to completion, then ExecStart with NOTIFY_SOCKET, prints
"READY" when the service sends READY=1 (Type=notify) and "STOPPING" when it sends STOPPING=1, forwards SIGTERM as
KillSignal does, and exits with the service's exit code.

    systemd systemd-stand-in.py UNIT_FILE [INSTANCE]
"""
import os, pwd, grp, shlex, signal, socket, subprocess, sys, tempfile, threading


def read_unit(path, instance):
    service, section = [], None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                key, value = line.split("=", 1)
                service.append((key.strip(), value.strip().replace("%i", instance or "")))
    return service


def env_file(path):
    values = {}
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith(("#", ";")) or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            values[key.strip()] = value
    return values


def main():
    unit, instance = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    service = read_unit(unit, instance)
    get = lambda k: [v for key, v in service if key == k]
    user = (get("User") or ["root"])[-1]
    group = (get("Group") or [grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name])[-1]
    uid, gid = pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
           "HOME": pwd.getpwnam(user).pw_dir, "USER": user, "LOGNAME": user, "INVOCATION_ID": os.urandom(16).hex()}
    for value in get("Environment"):
        for assignment in shlex.split(value):
            key, val = assignment.split("=", 1)
            env[key] = val
    for value in get("EnvironmentFile"):
        optional = value.startswith("-")
        path = value.lstrip("-")
        if os.path.exists(path) or not optional:
            env.update(env_file(path))
    umask = int((get("UMask") or ["0022"])[-1], 8)
    cwd = (get("WorkingDirectory") or ["/"])[-1]

    def demote():
        os.setgid(gid)
        os.initgroups(user, gid)
        os.setuid(uid)
        os.umask(umask)

    for pre in get("ExecStartPre"):
        code = subprocess.call(shlex.split(pre.lstrip("-")), env=env, cwd=cwd, preexec_fn=demote)
        if code != 0 and not pre.startswith("-"):
            print(f"FAILED ExecStartPre {code}", flush=True)
            sys.exit(code)

    folder = tempfile.mkdtemp()
    os.chmod(folder, 0o755)
    notify_path = os.path.join(folder, "notify")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    os.chmod(notify_path, 0o777)
    env["NOTIFY_SOCKET"] = notify_path

    child = subprocess.Popen(shlex.split(get("ExecStart")[-1]), env=env, cwd=cwd, preexec_fn=demote)
    print(f"PID {child.pid}", flush=True)

    def listen():
        while True:
            try:
                message = notify.recv(4096).decode()
            except OSError:
                return
            for line in message.splitlines():
                if line == "READY=1":
                    print("READY", flush=True)
                elif line == "STOPPING=1":
                    print("STOPPING", flush=True)

    threading.Thread(target=listen, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    code = child.wait()
    print(f"EXIT {code}", flush=True)
    sys.exit(code if code >= 0 else 128 - code)


main()
