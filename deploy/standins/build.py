"""The images `docker compose up` needs, on a machine that cannot pull them.

The compose file names the registry's images (python:3.11-slim to build ours from,
rabbitmq, postgres, prom/prometheus). Where one cannot be pulled, this builds a stand-in
from Debian's packages (deploy/standins/<name>/: same environment variables, paths,
ports and commands) on a base made by debootstrap, and names it in an override file;
the compose file stays what an operator on a normal machine runs. Where pip cannot reach
the package index either, the Python stand-in carries a wheelhouse built on this host and
installs from it with --no-index.

    python -m deploy.standins.build --cache .cache/compose --override var/standins.yml
    (--rabbitmq-cluster: the override names the stand-in for the RabbitMQ cluster's
    other nodes too, deploy/compose/rabbitmq-cluster.yml)

Each stand-in is tagged with a digest of what it is built from, and saved under the cache
directory: a second run loads it instead of building it.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shared.config import REPO_ROOT

STANDINS = Path(__file__).resolve().parent
DOCKER = os.environ.get("DOCKER", "docker")
BASE_IMAGE = "dombinnov-standin/debian:bookworm-minbase"
DEBIAN_MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
# The registry's image each compose service (or the project's build) names.
REGISTRY_IMAGES = {"python": "python:3.11-slim",
                   "rabbitmq": "rabbitmq:3.13-management",
                   "postgres": "postgres:15",
                   "prometheus": "prom/prometheus:v2.53.0"}


def quietly(*args):
    """A docker command whose output is only shown if it fails."""
    run = subprocess.run([DOCKER, *args], capture_output=True, text=True)
    if run.returncode:
        raise RuntimeError(f"docker {' '.join(args)} failed:\n{run.stdout}{run.stderr}")


def image_present(image: str) -> bool:
    return subprocess.run([DOCKER, "image", "inspect", image], capture_output=True).returncode == 0


def pullable(image: str) -> bool:
    if image_present(image):
        return True
    return subprocess.run([DOCKER, "pull", "-q", image], capture_output=True,
                          timeout=600).returncode == 0


class Steps:
    """Says how long each step took, as it ends."""

    def __init__(self, out=sys.stdout):
        self.out, self.times = out, []

    def run(self, name, action, *args):
        started = time.monotonic()
        result = action(*args)
        self.times.append((name, time.monotonic() - started))
        print(f"[compose] {name}: {self.times[-1][1]:.1f}s", file=self.out, flush=True)
        return result


def digest(*paths: Path) -> str:
    hashed = hashlib.sha256()
    for path in paths:
        for file in sorted(p for p in ([path] if path.is_file() else path.rglob("*"))
                           if p.is_file()):
            hashed.update(file.name.encode() + b"\0" + file.read_bytes())
    return hashed.hexdigest()[:12]


def wheelhouse(cache: Path) -> Path:
    """Wheels of requirements.txt built here, with the pip that can reach the index."""
    requirements = REPO_ROOT / "requirements.txt"
    target = cache / f"wheels-{digest(requirements)}"
    if not target.is_dir():
        building = Path(tempfile.mkdtemp(prefix="wheels-", dir=cache))
        run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "-r",
                              str(requirements), "-w", str(building)],
                             capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(f"pip wheel failed:\n{run.stdout}{run.stderr}")
        building.rename(target)
    return target


def base_image(cache: Path) -> str:
    """Debian bookworm's minimal root file system as an image (debootstrap, then import)."""
    if image_present(BASE_IMAGE):
        return BASE_IMAGE
    archive = cache / "debian-bookworm-minbase.tar"
    if not archive.exists():
        with tempfile.TemporaryDirectory(prefix="rootfs-", dir=cache) as scratch:
            root = Path(scratch) / "root"
            subprocess.run(["debootstrap", "--variant=minbase", "bookworm", str(root),
                            DEBIAN_MIRROR], check=True, stdout=subprocess.DEVNULL)
            partial = Path(scratch) / "rootfs.tar"
            subprocess.run(["tar", "-C", str(root), "-cf", str(partial), "."], check=True)
            partial.rename(archive)
    quietly("import", str(archive), BASE_IMAGE)
    return BASE_IMAGE


def standin(name: str, cache: Path, steps: Steps) -> str:
    """The stand-in for `name`: present, loaded from the cache, or built and cached."""
    sources = [STANDINS / name]
    if name == "python":
        sources.append(REPO_ROOT / "requirements.txt")
    tag = f"dombinnov-standin/{name}:{digest(*sources)}"
    saved = cache / "images" / f"{tag.split('/')[1].replace(':', '-')}.tar"
    if image_present(tag):
        return tag
    if saved.exists():
        steps.run(f"load the {name} stand-in", quietly, "load", "-i", str(saved))
        return tag
    base = BASE_IMAGE if image_present(BASE_IMAGE) else steps.run(
        "base image (debootstrap, or loaded from the cache)", base_image, cache)
    with tempfile.TemporaryDirectory(prefix=f"{name}-", dir=cache) as context:
        shutil.copytree(STANDINS / name, context, dirs_exist_ok=True)
        if name == "python":
            wheels = steps.run("wheelhouse (pip wheel)", wheelhouse, cache)
            shutil.copytree(wheels, Path(context) / "wheels")
        steps.run(f"build the {name} stand-in", quietly, "build", "--build-arg",
                  f"BASE={base}", "-t", tag, context)
    saved.parent.mkdir(parents=True, exist_ok=True)
    partial = saved.with_suffix(".partial")
    steps.run(f"save the {name} stand-in", quietly, "save", "-o", str(partial), tag)
    partial.rename(saved)
    return tag


def images(cache: Path, steps: Steps) -> dict[str, str]:
    """The image to use for each of REGISTRY_IMAGES: the registry's, or its stand-in."""
    cache.mkdir(parents=True, exist_ok=True)
    chosen = {}
    for name, image in REGISTRY_IMAGES.items():
        if steps.run(f"pull {image}", pullable, image):
            chosen[name] = image
        else:
            chosen[name] = standin(name, cache, steps)
    return chosen


# The other services that run one of the images: the RabbitMQ cluster's other nodes
# (deploy/compose/rabbitmq-cluster.yml).
CLUSTER_NODES = {"rabbitmq": ("rabbitmq-2", "rabbitmq-3")}


def override(chosen: dict[str, str], nodes: dict | None = None) -> str:
    """A compose override naming the stand-ins (the Python one goes in as a build arg);
    `nodes` names more services running one of them (CLUSTER_NODES)."""
    lines = ["services:"]
    for name in ("rabbitmq", "postgres", "prometheus"):
        if chosen[name] != REGISTRY_IMAGES[name]:
            for service in (name, *(nodes or {}).get(name, ())):
                lines += [f"  {service}:", f"    image: {chosen[name]}"]
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


def build_platform(chosen: dict[str, str], tag: str) -> None:
    """The project's image, from the Python image chosen."""
    quietly("build", "--build-arg", f"PYTHON_IMAGE={chosen['python']}", "-t", tag,
            "-f", str(REPO_ROOT / "deploy" / "Dockerfile"), str(REPO_ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.standins.build")
    parser.add_argument("--cache", type=Path, default=REPO_ROOT / ".cache" / "compose")
    parser.add_argument("--override", type=Path, required=True,
                        help="where to write the compose override naming the stand-ins")
    parser.add_argument("--rabbitmq-cluster", action="store_true",
                        help="name the stand-in for the cluster's other RabbitMQ nodes too "
                             "(deploy/compose/rabbitmq-cluster.yml)")
    args = parser.parse_args(argv)
    steps = Steps()
    chosen = images(args.cache, steps)
    steps.run("build the platform image", build_platform, chosen, "dombinnov/platform:latest")
    args.override.write_text(override(chosen, CLUSTER_NODES if args.rabbitmq_cluster else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
