"""Start a throw-away Airflow 3 deployment on 127.0.0.1: PostgreSQL, then the API server,
the scheduler (LocalExecutor) and the DAG processor, as a real deployment runs them.

Used by the Airflow deploy tests (``tests/deploy/airflow``); runnable by hand too::

    python tools/airflow_stack.py DIR    # prints the environment to use, runs until Ctrl-C

PostgreSQL comes from Debian's packages (``/usr/lib/postgresql/*/bin``; the LocalExecutor
needs a database that takes concurrent writers, which SQLite does not). It refuses to run
as root, so as root the cluster is owned by ``nobody``. Airflow comes from ``.venv-airflow``
(tools/airflow_venv.sh) with the ``psycopg2`` driver. Every interval the scheduler and the
DAG processor sleep between passes is shortened, so a triggered run starts in seconds.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USERNAME = "flowc"
PASSWORD = "flowc-airflow-secret"
DATABASE = "airflow"
#: Airflow's processes, in start order (the API server first: tasks report to it).
COMPONENTS = ("api-server", "scheduler", "dag-processor")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def postgres_bin() -> str:
    """Debian's PostgreSQL binaries (newest major version), or a clear error."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise FileNotFoundError(
            "PostgreSQL not found under /usr/lib/postgresql: apt-get install -y postgresql"
        )
    return os.path.dirname(found[-1])


def airflow_venv() -> str:
    return os.environ.get("FLOWC_AIRFLOW_VENV", os.path.join(REPO, ".venv-airflow"))


@dataclass
class Postgres:
    """A PostgreSQL cluster in ``data_dir``; :meth:`stop` ends it (fast shutdown)."""

    bin_dir: str
    root: str
    port: int
    as_user: tuple[str, ...]

    @property
    def data_dir(self) -> str:
        return os.path.join(self.root, "data")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg2://{USERNAME}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, f"{self.bin_dir}/pg_ctl", "-D", self.data_dir, "-m", "fast", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> Postgres:
    """``initdb`` a cluster, start it on a free port with durability off (a test database)
    and create Airflow's database; trust authentication, listening on 127.0.0.1 only."""
    bin_dir = postgres_bin()
    as_user: tuple[str, ...] = ()
    if os.geteuid() == 0:  # postgres refuses root; the cluster's files belong to nobody
        as_user = ("runuser", "-u", "nobody", "--")
    # A directory of its own under /tmp: pytest's base directory is closed to other users.
    root = tempfile.mkdtemp(prefix="flowc-pg-", dir="/tmp")
    if as_user:
        shutil.chown(root, user="nobody")
    data_dir = os.path.join(root, "data")
    port = free_port()
    server = Postgres(bin_dir=bin_dir, root=root, port=port, as_user=as_user)
    options = (
        f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200 "
        # A session left idle inside a transaction holds its row locks; Airflow's API
        # server can leave one while its own next request waits for those locks (seen
        # here as every API request hanging). Ending such sessions breaks the wait.
        "-c idle_in_transaction_session_timeout=10s"
    )
    log = os.path.join(root, "postgres.log")
    try:
        _run([*as_user, f"{bin_dir}/initdb", "-D", data_dir, "-U", USERNAME, "--auth=trust",
              "-E", "UTF8", "--no-instructions"])  # fmt: skip
        _run([*as_user, f"{bin_dir}/pg_ctl", "-D", data_dir, "-l", log, "-w", "-t", "60",
              "-o", options, "start"])  # fmt: skip
        _run([f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", USERNAME,
              DATABASE])  # fmt: skip
    except BaseException:
        server.stop()
        raise
    return server


def _run(command: list[str], env: Mapping[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )


@dataclass
class AirflowStack:
    """A running deployment: its URL, its user and password, its DAGs folder."""

    home: str
    dags_folder: str
    api_url: str
    env: dict[str, str]
    postgres: Postgres
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    started_in: float = 0.0

    def client_env(self) -> dict[str, str]:
        """What ``flowc deploy --target airflow`` reads to reach this deployment."""
        return {
            "AIRFLOW_API_URL": self.api_url,
            "AIRFLOW_USERNAME": USERNAME,
            "AIRFLOW_PASSWORD": PASSWORD,
            "FLOWC_AIRFLOW_DAGS_FOLDER": self.dags_folder,
        }

    def log(self, component: str) -> str:
        with open(os.path.join(self.home, f"{component}.log"), encoding="utf-8") as handle:
            return handle.read()

    def stop(self) -> None:
        for name in reversed(COMPONENTS):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
        for name in reversed(COMPONENTS):
            process = self.processes.get(name)
            if process is None:
                continue
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.postgres.stop()


def airflow_env(home: str, dags_folder: str, database_url: str, port: int) -> dict[str, str]:
    """Airflow's configuration as environment variables: LocalExecutor on PostgreSQL, the
    simple auth manager with one admin, and short scheduler and DAG-processor intervals."""
    url = f"http://127.0.0.1:{port}"
    settings = {
        "CORE__DAGS_FOLDER": dags_folder,
        "CORE__LOAD_EXAMPLES": "False",
        "CORE__EXECUTOR": "LocalExecutor",
        "CORE__PARALLELISM": "4",
        "CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USERNAME}:admin",
        "CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": os.path.join(home, "passwords.json"),
        "CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "0",
        "CORE__UNIT_TEST_MODE": "False",
        "DATABASE__SQL_ALCHEMY_CONN": database_url,
        "API__HOST": "127.0.0.1",
        "API__PORT": str(port),
        "API__BASE_URL": url,
        "API__WORKERS": "1",
        "API__SECRET_KEY": "flowc-test-secret-key",
        "API_AUTH__JWT_SECRET": "flowc-test-jwt-secret-0123456789abcdef",
        "SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
        "SCHEDULER__JOB_HEARTBEAT_SEC": "1",
        "SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.2",
        "SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "DAG_PROCESSOR__REFRESH_INTERVAL": "2",
        # New files are parsed when a scan finds them and changed ones when flowc asks
        # (parseDagFile); re-parsing every file every few seconds only adds lock traffic.
        "DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "60",
        "DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "1",
        "DAG_PROCESSOR__PRINT_STATS_INTERVAL": "600",
        "LOGGING__BASE_LOG_FOLDER": os.path.join(home, "logs"),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({f"AIRFLOW__{key}": value for key, value in settings.items()})
    env["AIRFLOW_HOME"] = home
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def start_airflow(
    work_dir: str, *, extra_env: Mapping[str, str] | None = None, timeout: float = 150.0
) -> AirflowStack:
    """PostgreSQL, ``airflow db migrate``, then the three processes; returns once the API
    server answers and the scheduler and DAG processor report healthy heartbeats."""
    began = time.monotonic()
    home = os.path.join(work_dir, "airflow-home")
    dags_folder = os.path.join(work_dir, "dags")
    os.makedirs(home, exist_ok=True)
    os.makedirs(dags_folder, exist_ok=True)
    with open(os.path.join(home, "passwords.json"), "w", encoding="utf-8") as handle:
        json.dump({USERNAME: PASSWORD}, handle)
    postgres = start_postgres()
    port = free_port()
    env = {**airflow_env(home, dags_folder, postgres.url, port), **(extra_env or {})}
    stack = AirflowStack(
        home=home,
        dags_folder=dags_folder,
        api_url=f"http://127.0.0.1:{port}",
        env=env,
        postgres=postgres,
    )
    airflow = os.path.join(airflow_venv(), "bin", "airflow")
    try:
        _run([airflow, "db", "migrate"], env=env)
        for name in COMPONENTS:
            with open(os.path.join(home, f"{name}.log"), "ab") as log:
                stack.processes[name] = subprocess.Popen(
                    [airflow, name],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its workers are stopped with it
                    preexec_fn=_die_with_parent(),
                )
        _wait_healthy(stack, began + timeout)
    except BaseException:
        stack.stop()
        raise
    stack.started_in = time.monotonic() - began
    return stack


def _wait_healthy(stack: AirflowStack, deadline: float) -> None:
    last = "no answer"
    while time.monotonic() < deadline:
        for name, process in stack.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"airflow {name} exited:\n{stack.log(name)[-3000:]}")
        try:
            with urllib.request.urlopen(f"{stack.api_url}/api/v2/monitor/health", timeout=5) as r:
                health = json.load(r)
            states = {
                part: (health.get(part) or {}).get("status")
                for part in ("metadatabase", "scheduler", "dag_processor")
            }
            if all(state == "healthy" for state in states.values()):
                return
            last = json.dumps(states)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = str(exc)
        time.sleep(0.5)
    logs = "\n".join(f"--- {n}\n{stack.log(n)[-1500:]}" for n in stack.processes)
    raise RuntimeError(f"Airflow did not become healthy ({last}):\n{logs}")


def _die_with_parent() -> Callable[[], None] | None:
    """Linux: the kernel SIGTERMs a server when the test process that started it dies, so a
    killed run leaves no scheduler behind. ``prctl`` is looked up here, not in the child."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return hook


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # runs the finally below
    stack = start_airflow(argv[1])
    print(f"# started in {stack.started_in:.1f} s")
    for name, value in stack.client_env().items():
        print(f"export {name}={value}")
    try:
        signal.pause()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
