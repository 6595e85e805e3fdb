"""Make git histories the way GitHub makes them, with a test key standing in for GitHub's key.

For the tests and for the demo repository only (the site never imports it). It lives in the
package so that `benchmarks/generate.py` and the tests share one implementation.

- `Signer`: an OpenPGP key (no passphrase) in its own throw-away GnuPG home. GnuPG signs with
  `--faked-system-time`, so a signature's creation time is the moment asked for. Ed25519
  signatures are deterministic: the same key, content and time give the same commit id.
- `Repo`: a working tree with GitHub's operations: a web-editor commit (signed, committer GitHub),
  "Create a merge commit" (signed), "Squash and merge" (signed), "Rebase and merge" (rewritten
  commits, committer GitHub, unsigned), a fast-forward, ordinary unsigned commits with any author,
  committer and dates (forgeable), and raw commit objects written as given (`--literally`).

Times are aware datetimes or seconds since the epoch. Needs `git` and `gpg` (GnuPG 2.2+).
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

GITHUB = ("GitHub", "noreply@github.com")
UNIT = ("Đơn vị nộp bài", "don-vi@example.invalid")
REVIEWER = ("Người duyệt", "nguoi-duyet@example.invalid")
KEY_CREATED = dt.datetime(2015, 1, 1, tzinfo=dt.UTC)  # before any time a test signs at
SIGN_ATTEMPTS = 3  # see `Signer.sign_detached`
_GIT_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def epoch(when) -> int:
    """Seconds since the epoch of an aware datetime (or an int)."""
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return int(when.timestamp())
    return int(when)


def git_date(when) -> str:
    """git's raw date format; shown in UTC+7 like the units' own clocks."""
    return f"{epoch(when)} +0700"


class Signer:
    """A signing key in its own GnuPG home; `close()` stops its agent and deletes the home."""

    def __init__(self, home: Path, fingerprint: str):
        self.home = Path(home)
        self.fingerprint = fingerprint
        self.program = self.home / "gpg-at-time"
        self.program.write_text(
            "#!/bin/sh\n"
            f"exec gpg --homedir {shlex.quote(str(self.home))} --batch --pinentry-mode loopback "
            '--passphrase "" --faked-system-time "$FAKED_SIGNING_TIME" "$@"\n',
            encoding="utf-8",
        )
        self.program.chmod(0o700)

    @classmethod
    def create(
        cls,
        name: str = "GitHub (khoá thử nghiệm)",
        email: str = "noreply@example.invalid",
        *,
        created=KEY_CREATED,
        expires=None,
        algorithm: str = "ed25519",
    ) -> Signer:
        """A new key made at `created`, valid until `expires` (None: never)."""
        home = _new_home()
        expiry = "never" if expires is None else f"seconds={epoch(expires) - epoch(created)}"
        _gpg(
            home,
            "--faked-system-time",
            f"{epoch(created)}!",
            "--passphrase",
            "",
            "--quick-gen-key",
            f"{name} <{email}>",
            algorithm,
            "sign",
            expiry,
        )
        return cls(home, _fingerprints(home)[0])

    @classmethod
    def load(cls, secret_key: Path) -> Signer:
        """An existing secret key (armored or binary file), e.g. the demo's fixed key."""
        home = _new_home()
        _gpg(home, "--import", str(secret_key))
        return cls(home, _fingerprints(home)[0])

    def export_public(self, path: Path) -> Path:
        """The public certificate (armored), to hand to `read_clock` as a trusted signer."""
        Path(path).write_bytes(_gpg(self.home, "--no-autostart", "--armor", "--export", self.fingerprint))
        return Path(path)

    def export_secret(self, path: Path) -> Path:
        Path(path).write_bytes(_gpg(self.home, "--armor", "--export-secret-keys", self.fingerprint))
        return Path(path)

    def set_expiry(self, expires, *, at) -> None:
        """A new self-signature made at `at` saying the key expires at `expires`."""
        seconds = epoch(expires) - epoch(at)
        _gpg(
            self.home,
            "--faked-system-time",
            f"{epoch(at)}!",
            "--passphrase",
            "",
            "--quick-set-expire",
            self.fingerprint,
            f"seconds={seconds}" if seconds > 0 else "seconds=1",
        )

    def revoke(self) -> None:
        """Revoke the key with the certificate GnuPG made at creation (no reason given: a hard
        revocation, so every signature of the key stops counting)."""
        certificate = self.home / "openpgp-revocs.d" / f"{self.fingerprint}.rev"
        text = certificate.read_text(encoding="utf-8").replace(":-----BEGIN", "-----BEGIN")
        _gpg(self.home, "--no-autostart", "--import", input=text.encode())

    def sign_detached(self, data: bytes, when) -> bytes:
        """An armored detached signature over `data` made at `when`. gpg-agent now and then fails
        one of several signatures asked of it at once ("Unmatched parentheses in S-expression",
        seen in the demo's replay, which signs from several threads): that one is asked again."""
        signing = ["--faked-system-time", f"{epoch(when)}!", "--passphrase", "", "--armor", "--detach-sign"]
        signing += ["--local-user", self.fingerprint]
        for _ in range(SIGN_ATTEMPTS - 1):
            try:
                return _gpg(self.home, *signing, input=data)
            except RuntimeError:
                pass
        return _gpg(self.home, *signing, input=data)

    def git_options(self) -> list[str]:
        """`git -c ...` options that make `-S` sign with this key."""
        return [
            "-c",
            f"gpg.program={self.program}",
            "-c",
            "gpg.format=openpgp",
            "-c",
            f"user.signingKey={self.fingerprint}",
        ]

    def close(self) -> None:
        """Stop the key's gpg-agent and delete its home (again if an agent was still starting)."""
        for attempt in range(5):
            if not self.home.exists():
                return
            subprocess.run(
                ["gpgconf", "--homedir", str(self.home), "--kill", "gpg-agent"], capture_output=True, check=False
            )
            shutil.rmtree(self.home, ignore_errors=True)
            time.sleep(0.1 * attempt)

    def __enter__(self) -> Signer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Repo:
    """A working tree on branch `main` and GitHub's ways of adding commits to it."""

    def __init__(self, path: Path, *, object_format: str = "sha1", main: str = "main"):
        self.path = Path(path)
        self.main = main
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", main, f"--object-format={object_format}")
        for key, value in (
            ("user.name", "Kiểm thử"),
            ("user.email", "kiem-thu@example.invalid"),
            ("commit.gpgSign", "false"),
            ("core.autocrlf", "false"),
            ("merge.ff", "true"),
        ):
            self.git("config", key, value)

    def git(self, *args, env: dict | None = None, input: bytes | None = None, options=()) -> str:
        base = {k: v for k, v in os.environ.items() if k in _GIT_ENV_KEEP}
        base.update(GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
        done = subprocess.run(
            ["git", *options, *args],
            cwd=self.path,
            input=input,
            capture_output=True,
            env={**base, **(env or {})},
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"git {' '.join(map(str, args))} failed:\n"
                f"{done.stdout.decode(errors='replace')}{done.stderr.decode(errors='replace')}"
            )
        return done.stdout.decode("utf-8", errors="surrogateescape").strip()

    # -- files and branches -------------------------------------------------------------------

    def write(self, files: dict) -> None:
        """path -> text or bytes (None deletes the file)."""
        for name, content in files.items():
            target = self.path / name
            if content is None:
                target.unlink(missing_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    def head(self, ref: str = "HEAD") -> str:
        return self.git("rev-parse", "--verify", f"{ref}^{{commit}}")

    def checkout(self, branch: str, *, start: str | None = None) -> None:
        """Switch to `branch`, creating it from `start` (default: main) when it does not exist."""
        exists = (
            subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=self.path, capture_output=True
            ).returncode
            == 0
        )
        if exists:
            self.git("checkout", "-q", branch)
        else:
            self.git("checkout", "-q", "-b", branch, start or self.main)

    def set_branch(self, branch: str, sha: str) -> None:
        self.git("update-ref", f"refs/heads/{branch}", sha)
        if self.git("symbolic-ref", "--short", "HEAD") == branch:
            self.git("reset", "-q", "--hard", sha)

    # -- commits ------------------------------------------------------------------------------

    def commit(
        self,
        message: str,
        files: dict | None = None,
        *,
        author=UNIT,
        author_time=None,
        committer=None,
        committer_time=None,
        signer: Signer | None = None,
        signed_at=None,
        allow_empty: bool = True,
    ) -> str:
        """A commit on the current branch with the given (forgeable) names and dates; signed by
        `signer` at `signed_at` when given."""
        self.write(files or {})
        self.git("add", "-A")
        author_time = author_time if author_time is not None else dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        env = _identity(
            author, committer or author, author_time, committer_time if committer_time is not None else author_time
        )
        args = ["commit", "-q", "-m", message] + (["--allow-empty"] if allow_empty else [])
        return self._commit(args, env, signer, signed_at)

    def web_edit(
        self,
        branch: str,
        files: dict,
        *,
        when,
        signer: Signer,
        author=UNIT,
        message: str = "Cập nhật tệp qua trình soạn thảo web",
    ) -> str:
        """A commit GitHub's web editor makes on `branch`: committer GitHub, both dates and the
        signature at `when`."""
        self.checkout(branch)
        try:
            return self.commit(
                message,
                files,
                author=author,
                author_time=when,
                committer=GITHUB,
                committer_time=when,
                signer=signer,
                signed_at=when,
            )
        finally:
            self.checkout(self.main)

    def merge(
        self,
        branch: str,
        *,
        when,
        signer: Signer | None,
        author=REVIEWER,
        message: str | None = None,
        resolve: dict | None = None,
    ) -> str:
        """ "Create a merge commit": a merge of `branch` into main, signed by GitHub at `when`.
        `resolve` gives the content of conflicting files (a merge that resolves a conflict)."""
        self.checkout(self.main)
        env = _identity(author, GITHUB, when, when)
        message = message or f"Merge pull request from {branch}"
        try:
            self.git("merge", "--no-ff", "--no-commit", "--no-edit", branch, env=env)
        except RuntimeError:
            if not resolve:
                self.git("merge", "--abort")
                raise
        self.write(resolve or {})
        self.git("add", "-A")
        return self._commit(["commit", "-q", "--no-edit", "-m", message], env, signer, when)

    def squash(self, branch: str, *, when, signer: Signer | None, author=UNIT, message: str | None = None) -> str:
        """ "Squash and merge": one new commit on main with the branch's changes, signed at `when`."""
        self.checkout(self.main)
        self.git("merge", "--squash", branch)
        env = _identity(author, GITHUB, when, when)
        return self._commit(["commit", "-q", "--allow-empty", "-m", message or f"Squashed {branch}"], env, signer, when)

    def rebase_merge(self, branch: str, *, when) -> str:
        """ "Rebase and merge": the branch's commits replayed on main with committer GitHub at
        `when`, keeping their authors and author dates, without a GitHub signature."""
        self.checkout(self.main)
        commits = self.git("rev-list", "--reverse", "--topo-order", f"{self.main}..{branch}").split()
        env = {"GIT_COMMITTER_NAME": GITHUB[0], "GIT_COMMITTER_EMAIL": GITHUB[1], "GIT_COMMITTER_DATE": git_date(when)}
        for sha in commits:
            self.git("cherry-pick", "--allow-empty", "--keep-redundant-commits", "--no-gpg-sign", sha, env=env)
        return self.head()

    def fast_forward(self, branch: str) -> str:
        """main moved to `branch` without a new commit."""
        self.checkout(self.main)
        self.git("merge", "-q", "--ff-only", branch)
        return self.head()

    def raw_commit(self, raw: bytes, *, branch: str | None = None) -> str:
        """Write `raw` as a commit object exactly as given (no checks); point `branch` at it."""
        sha = self.git("hash-object", "-t", "commit", "-w", "--stdin", "--literally", input=raw)
        if branch:
            self.set_branch(branch, sha)
        return sha

    def raw(self, sha: str) -> bytes:
        done = subprocess.run(["git", "cat-file", "commit", sha], cwd=self.path, capture_output=True, check=True)
        return done.stdout

    def _commit(self, args: list[str], env: dict, signer: Signer | None, signed_at) -> str:
        if signer is None:
            self.git(*args, "--no-gpg-sign", env=env)
        else:
            env = {**env, "FAKED_SIGNING_TIME": f"{epoch(signed_at)}!"}
            self.git(*args, f"-S{signer.fingerprint}", env=env, options=signer.git_options())
        return self.head()


def _identity(author, committer, author_time, committer_time) -> dict:
    return {
        "GIT_AUTHOR_NAME": author[0],
        "GIT_AUTHOR_EMAIL": author[1],
        "GIT_AUTHOR_DATE": git_date(author_time),
        "GIT_COMMITTER_NAME": committer[0],
        "GIT_COMMITTER_EMAIL": committer[1],
        "GIT_COMMITTER_DATE": git_date(committer_time),
    }


def _new_home() -> Path:
    """A short path: gpg-agent's socket lives in the home and socket paths are limited to ~100 bytes."""
    home = Path(tempfile.mkdtemp(prefix="gpg-"))
    home.chmod(0o700)
    return home


def _gpg(home: Path, *args, input: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", *args],
        input=input,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"gpg {' '.join(args)} failed:\n{done.stderr.decode(errors='replace')}")
    return done.stdout


def _fingerprints(home: Path) -> list[str]:
    listing = _gpg(home, "--no-autostart", "--with-colons", "--list-keys").decode()
    return [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")]
