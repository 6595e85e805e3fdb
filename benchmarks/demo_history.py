"""Replay the demo's timeline (`demo_data.Event`) as a git repository made the way GitHub makes one.

* A maintainer's setup commit: unsigned, on main, with the maintainer's own dates.
* A unit's pull request: the web editor's commit on the PR branch (author the unit's editor,
  committer `GitHub <noreply@github.com>`, signed at the proposal time), then "Create a merge
  commit" by a reviewer: `Merge pull request #N from <editor>/patch-K`, signed at the merge time.
  Each PR head is kept as `refs/pull/N/head`, as on GitHub.
* A fast-forward: unsigned commits carrying whatever dates their author wrote, main moved to
  them (a maintainer's push); only the next signed commit vouches for when they existed.

The demo key (`benchmarks/demo-key/minh-hoa.secret.asc`, public on purpose) stands in for
GitHub's web-flow key; `site_builder.testing_git.Signer` signs with it at the chosen times.
Ed25519 signatures are deterministic, so two replays give the same commit ids.

Objects are written directly (trees shared between commits, zlib-compressed loose objects): a
working tree, an index and a git process per commit would make the ~1,300 commits take minutes.
Only the signatures need GnuPG (one process each, the slow part), so commits are futures: a PR
branch's commit is signed while main's merges are, and only main's chain waits on itself. The
tree is checked out once at the end.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from demo_data import Commit, Demo, Event

GITHUB = ("GitHub", "noreply@github.com")


def identity(handle: str) -> tuple[str, str]:
    """A GitHub user as its web editor writes them: the handle and its no-reply address."""
    return handle, f"{handle}@users.noreply.github.com"


class ObjectStore:
    """Loose objects of a fresh repository (`git init`), written once each."""

    def __init__(self, path: Path):
        self.path = path
        self.objects = path / ".git" / "objects"
        self.known: set[bytes] = set()

    def write(self, kind: str, data: bytes) -> bytes:
        raw = b"%s %d\0" % (kind.encode(), len(data)) + data
        sha = hashlib.sha1(raw).digest()
        if sha not in self.known:
            hexsha = sha.hex()
            folder = self.objects / hexsha[:2]
            folder.mkdir(exist_ok=True)
            target = folder / hexsha[2:]
            if not target.exists():
                target.write_bytes(zlib.compress(raw, 1))
            self.known.add(sha)
        return sha


@dataclass
class Tree:
    """An immutable tree: name -> blob id (bytes) or subtree. Changing a path copies only the
    trees on that path, so thousands of commits share almost everything."""

    entries: dict = field(default_factory=dict)
    _sha: bytes | None = None

    def get(self, path: str) -> bytes | None:
        node = self
        *folders, name = path.split("/")
        for part in folders:
            node = node.entries.get(part)
            if not isinstance(node, Tree):
                return None
        found = node.entries.get(name)
        return found if isinstance(found, bytes) else None

    def changed(self, changes: dict[str, bytes | None]) -> Tree:
        """A new tree with `changes` (path -> blob id, None deletes); empty folders disappear."""
        here: dict[str, bytes | None] = {}
        below: dict[str, dict[str, bytes | None]] = {}
        for path, blob in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                below.setdefault(head, {})[rest] = blob
            else:
                here[head] = blob
        entries = dict(self.entries)
        for name, blob in here.items():
            if blob is None:
                entries.pop(name, None)
            else:
                entries[name] = blob
        for name, sub in below.items():
            current = entries.get(name)
            subtree = (current if isinstance(current, Tree) else Tree()).changed(sub)
            if subtree.entries:
                entries[name] = subtree
            else:
                entries.pop(name, None)
        return Tree(entries)

    def sha(self, store: ObjectStore) -> bytes:
        if self._sha is None:

            def order(name):  # git sorts a folder as if its name ended with "/"
                return name.encode() + (b"/" if isinstance(self.entries[name], Tree) else b"")

            body = b"".join(
                (
                    b"40000 %s\0%s" % (name.encode(), entry.sha(store))
                    if isinstance(entry, Tree)
                    else b"100644 %s\0%s" % (name.encode(), entry)
                )
                for name, entry in ((n, self.entries[n]) for n in sorted(self.entries, key=order))
            )
            self._sha = store.write("tree", body)
        return self._sha


def stamp(when: datetime.datetime) -> str:
    """git's raw date, in Vietnam's offset (what a browser in HCMC would show)."""
    offset = when.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{int(when.timestamp())} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


@dataclass
class Branch:
    number: int
    name: str  # <editor>/patch-K, as the merge message says
    base: Tree
    tip: Future
    tree: Tree
    changes: dict = field(default_factory=dict)


class Replay:
    """Apply events in time order; `signer` has `sign_detached(data, when) -> armored bytes`."""

    def __init__(self, path: Path, signer, workers: int = 4):
        self.path = path
        self.signer = signer
        self.store = ObjectStore(path)
        self.pool = ThreadPoolExecutor(workers)  # tasks wait only on earlier tasks: no deadlock
        self.main: Future | None = None
        self.tree = Tree()
        self.branches: dict[int, Branch] = {}  # id(event) -> branch
        self.pull_refs: dict[int, Future] = {}  # PR number -> head commit
        self.patches: dict[str, int] = {}  # editor -> patch branches so far
        self.log: list[tuple[Event, str, Future]] = []  # (event, action, commit) in order

    def blobs(self, files: dict[str, bytes | None]) -> dict[str, bytes | None]:
        return {p: (None if d is None else self.store.write("blob", d)) for p, d in files.items()}

    def commit(
        self,
        tree: Tree,
        parents: list[Future],
        author,
        author_time,
        committer,
        committer_time,
        message: str,
        signed_at: datetime.datetime | None,
    ) -> Future:
        """The commit's id, once its parents' ids are known and it is signed (when `signed_at`)."""
        tree_sha = tree.sha(self.store)  # trees are built here, in order; only commits run in the pool

        def make() -> bytes:
            lines = [f"tree {tree_sha.hex()}"] + [f"parent {p.result().hex()}" for p in parents]
            lines += [
                f"author {author[0]} <{author[1]}> {stamp(author_time)}",
                f"committer {committer[0]} <{committer[1]}> {stamp(committer_time)}",
            ]
            body = ("\n".join(lines) + "\n").encode("utf-8")
            text = ("\n" + message.rstrip("\n") + "\n").encode("utf-8")
            if signed_at is not None:
                armored = self.signer.sign_detached(body + text, signed_at).decode("ascii").rstrip("\n")
                body += ("gpgsig " + armored.replace("\n", "\n ") + "\n").encode("ascii")
            return self.store.write("commit", body + text)

        return self.pool.submit(make)

    # -- the three kinds of event --------------------------------------------------------------

    def setup(self, event: Event) -> None:
        for c in event.commits:
            self.tree = self.tree.changed(self.blobs(c.files))
            who = identity(c.author)
            self.main = self.commit(
                self.tree, [self.main] if self.main else [], who, c.when, who, c.when, c.message, None
            )
            self.log.append((event, "setup", self.main))

    def propose(self, event: Event, c: Commit) -> None:
        branch = self.branches.get(id(event))
        if branch is None:
            number = len(self.pull_refs) + 1
            self.patches[c.author] = self.patches.get(c.author, 0) + 1
            branch = Branch(number, f"{c.author}/patch-{self.patches[c.author]}", self.tree, self.main, self.tree)
            self.branches[id(event)] = branch
        blobs = self.blobs(c.files)
        branch.tree = branch.tree.changed(blobs)
        branch.changes.update(blobs)
        branch.tip = self.commit(
            branch.tree, [branch.tip], identity(c.author), c.when, GITHUB, c.when, c.message, c.when
        )
        self.pull_refs[branch.number] = branch.tip
        self.log.append((event, "propose", branch.tip))

    def merge(self, event: Event) -> None:
        branch = self.branches.pop(id(event))
        for path in branch.changes:
            if self.tree.get(path) != branch.base.get(path):
                raise ValueError(f"PR #{branch.number} ({event.title}) conflicts with main on {path}")
        self.tree = self.tree.changed(branch.changes)
        message = f"Merge pull request #{branch.number} from {branch.name}\n\n{event.title}"
        self.main = self.commit(
            self.tree,
            [self.main, branch.tip],
            identity(event.merged_by),
            event.merged,
            GITHUB,
            event.merged,
            message,
            event.merged,
        )
        self.log.append((event, "merge", self.main))

    def push(self, event: Event) -> None:
        for c in event.commits:  # dates as their author wrote them: nothing vouches for them
            self.tree = self.tree.changed(self.blobs(c.files))
            who = identity(c.author)
            self.main = self.commit(self.tree, [self.main], who, c.when, who, c.when, c.message, None)
            self.log.append((event, "push", self.main))

    # -- driving -------------------------------------------------------------------------------

    def run(self, events: list[Event], until: datetime.datetime | None = None) -> None:
        actions = []
        for order, event in enumerate(events):
            if event.kind == "pr":
                actions += [(c.when, order, n, "propose", event, c) for n, c in enumerate(event.commits)]
                actions.append((event.merged, order, len(event.commits), "merge", event, None))
            else:
                actions.append((event.start, order, 0, event.kind, event, None))
        for when, _order, _n, action, event, c in sorted(actions, key=lambda a: a[:3]):
            if until is not None and when > until:
                break
            if action == "propose":
                self.propose(event, c)
            else:
                getattr(self, action)(event)

    def finish(self) -> None:
        """Write main and the PR refs, and check out main."""
        self.pool.shutdown()
        self.log = [(event, action, commit.result()) for event, action, commit in self.log]
        self.main = self.main.result()
        refs = [(f"refs/pull/{n}/head", tip.result()) for n, tip in self.pull_refs.items()]
        packed = "".join(f"{sha.hex()} {name}\n" for name, sha in sorted(refs))
        (self.path / ".git" / "packed-refs").write_text("# pack-refs with: peeled fully-peeled sorted \n" + packed)
        (self.path / ".git" / "refs" / "heads" / "main").write_text(self.main.hex() + "\n")
        git(self.path, "reset", "-q", "--hard", "main")


def git(path: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
    done = subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, check=False, env={**env, "GIT_CONFIG_NOSYSTEM": "1"}
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def replay(demo: Demo, target: Path, signer, until: datetime.datetime | None = None) -> Replay:
    """A fresh repository at `target` (which must not exist or be empty) holding the demo's history."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise SystemExit(f"{target} is not empty: the demo history is written into a fresh folder")
    target.mkdir(parents=True, exist_ok=True)
    git(target, "init", "-q", "-b", "main")
    git(target, "config", "core.autocrlf", "false")
    replayed = Replay(target, signer)
    replayed.run(demo.events, until)
    replayed.finish()
    return replayed
