"""A real WordPress on loopback for the publisher's integration tests.

Python port of the verified recipe ``wp-up.sh`` (Debian 12: wordpress 6.1, php8.2-cli,
mariadb-server 10.11): a private MariaDB (own datadir, unix socket only, no TCP), a
private copy of Debian's WordPress tree with our own wp-config.php, a non-interactive
install plus an Application Password from the PHP CLI, and PHP's built-in server with a
router on 127.0.0.1. Everything lives in one temporary folder; nothing is written to /etc
or /var/lib. Start-up takes about 2 s; one instance serves the whole session (tests keep
apart by using their own slug prefix).

The recipe's pitfalls, handled here:

- Debian's ``/usr/share/wordpress/wp-config.php`` is a dispatcher to
  ``/etc/wordpress/config-HOST.php``, and a symlink farm makes ``ABSPATH`` resolve back to
  it: hence a full copy (``cp -a``, 0.2 s) with its *relative* symlinks (getID3,
  underscore.js) re-pointed absolutely.
- ``/wp-json/`` needs pretty permalinks (else a 301 to the HTML home page): the install
  sets ``/%postname%/``.
- Application Passwords need https unless ``WP_ENVIRONMENT_TYPE`` is ``local``.
- php -S: one request at a time unless ``PHP_CLI_SERVER_WORKERS``; upload limits of 2 MB
  unless raised; displayed PHP 8.2 deprecation notices would corrupt the JSON; a path
  segment with a dot is php -S's own 404 without a router.
- MariaDB: ``--no-defaults`` must come first (keeps Debian's /etc/mysql out); wait with
  ``mariadb-admin ping``, not for the socket file; socket paths are limited to 107 bytes.
- A port already in use fools a naive probe: readiness fetches a per-instance token file
  and checks our php process is still alive.
- No MTA: a mu-plugin replaces ``wp_mail`` (the install sends a "New WordPress Site" mail).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

__all__ = ["WordPress", "WordPressError", "wordpress", "wordpress_missing"]

WP_SRC = Path("/usr/share/wordpress")
PACKAGES = "wordpress wordpress-theme-twentytwentythree php-cli php-mysql mariadb-server"


class WordPressError(RuntimeError):
    """The instance could not be started; the message holds the relevant log tail."""


def wordpress_missing() -> str | None:
    """None when everything the recipe needs is installed, else what is missing."""
    if not (WP_SRC / "wp-settings.php").is_file():
        return f"Debian's wordpress package is not installed (apt-get install {PACKAGES})"
    for tool in ("php", "mariadbd", "mariadb-install-db", "mariadb-admin", "mariadb"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install {PACKAGES})"
    mods = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False).stdout
    if "mysqli" not in mods.split():
        return "PHP's mysqli extension is missing (apt-get install php-mysql)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _wait(deadline_s: float, probe: Callable[[], bool]) -> bool:
    """Poll ``probe()`` until it is true or the deadline passes (readiness, not timing)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if probe():
            return True
        time.sleep(0.1)
    return False


_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', '{dbpass}');
define('DB_HOST', 'localhost:{sock}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}
$table_prefix = 'wp_';
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
// Application Passwords need https unless the environment type is 'local'
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);
// no network, no cron, no updates: no slow outbound HTTP, no loopback requests
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('FS_METHOD', 'direct');
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

_MAIL_PLUGIN = """<?php
if (!function_exists('wp_mail')) {{
  function wp_mail($to, $subject, $message, $headers = '', $attachments = array()) {{
    $line = json_encode(compact('to', 'subject', 'message')) . "\\n";
    file_put_contents('{log}', $line, FILE_APPEND);
    return true;
  }}
}}
"""

_INSTALL = r"""<?php
[$_, $wpdir, $user, $pass, $email, $title] = $argv;
define('WP_INSTALLING', true);
$_SERVER += ['HTTP_HOST' => '127.0.0.1', 'SERVER_NAME' => '127.0.0.1', 'REQUEST_URI' => '/',
             'REQUEST_METHOD' => 'GET', 'SERVER_PROTOCOL' => 'HTTP/1.1'];
require $wpdir . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (is_blog_installed()) { fwrite(STDERR, "already installed\n"); exit(1); }
$r = wp_install($title, $user, $email, true, '', wp_slash($pass), 'en_US');
$uid = (int) $r['user_id'];
update_option('permalink_structure', '/%postname%/');
flush_rewrite_rules(false);
$app = WP_Application_Passwords::create_new_application_password($uid, ['name' => 'tests']);
if (is_wp_error($app)) { fwrite(STDERR, $app->get_error_message() . "\n"); exit(1); }
echo $app[0];
"""

_ROUTER = r"""<?php
// existing files (static or .php) are left to php -S; the rest goes to WordPress's
// index.php, as Apache's rewrite rules would do
$root = $_SERVER['DOCUMENT_ROOT'];
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if ($path !== '/' && file_exists($root . $path)) return false;
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
chdir($root);
require $root . '/index.php';
"""


class WordPress:
    """One private WordPress: ``url``, ``api``, ``user``, ``app_password``."""

    def __init__(self, workers: int = 4) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="wp."))  # short: the socket path is bounded
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.url}/wp-json/wp/v2"
        self.user = "admin"
        self.password = secrets.token_urlsafe(15)
        self.app_password = ""
        self.workers = workers
        self.sock = self.dir / "mysql.sock"
        self._db: subprocess.Popen[bytes] | None = None
        self._php: subprocess.Popen[bytes] | None = None

    # -- start ---------------------------------------------------------------------------

    def start(self) -> WordPress:
        try:
            self._start_db()
            self._copy_tree()
            self._install()
            self._serve()
        except BaseException:
            self.stop(keep=True)
            raise
        return self

    def _run(self, args: list[str], what: str, **kw: object) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(args, capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
        if r.returncode != 0:
            raise WordPressError(f"{what} failed ({r.returncode}): {r.stderr.strip()[-2000:]}")
        return r

    def _start_db(self) -> None:
        opts = ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M"]
        user = ["--user=root"] if os.geteuid() == 0 else []
        self._run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.dir / 'db'}",
                *user,
                "--skip-test-db",
                "--skip-name-resolve",
                "--auth-root-authentication-method=socket",
                *opts,
            ],
            "mariadb-install-db",
        )
        self._db = subprocess.Popen(
            [
                "mariadbd",
                "--no-defaults",
                f"--datadir={self.dir / 'db'}",
                *user,
                f"--socket={self.sock}",
                "--skip-networking",
                f"--pid-file={self.dir / 'mariadbd.pid'}",
                f"--log-error={self.dir / 'mariadbd.err'}",
                "--skip-log-bin",
                *opts,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        ping = ["mariadb-admin", "--no-defaults", f"--socket={self.sock}", "-uroot", "ping"]

        def up() -> bool:
            assert self._db is not None
            if self._db.poll() is not None:
                raise WordPressError(f"mariadbd exited: {_tail(self.dir / 'mariadbd.err')}")
            return subprocess.run(ping, capture_output=True, check=False).returncode == 0

        if not _wait(30, up):
            raise WordPressError(f"mariadbd did not come up: {_tail(self.dir / 'mariadbd.err')}")
        self.dbpass = secrets.token_hex(12)
        sql = (
            "CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
            f"CREATE USER 'wp'@'localhost' IDENTIFIED BY '{self.dbpass}';"
            "GRANT ALL PRIVILEGES ON wordpress.* TO 'wp'@'localhost';"
        )
        self._run(
            ["mariadb", "--no-defaults", f"--socket={self.sock}", "-uroot", "-e", sql],
            "creating the WordPress database",
        )

    def _copy_tree(self) -> None:
        www = self.dir / "www"
        self._run(["cp", "-a", str(WP_SRC), str(www)], "copying /usr/share/wordpress")
        # Debian's tree has relative symlinks into /usr/share/php and /usr/share/javascript
        for link in WP_SRC.rglob("*"):
            if link.is_symlink():
                dest = www / link.relative_to(WP_SRC)
                dest.unlink()
                dest.symlink_to(link.resolve())
        for name in ("wp-config.php", ".htaccess"):
            (www / name).unlink(missing_ok=True)
        (www / "wp-content" / "uploads").mkdir(parents=True, exist_ok=True)
        (www / "wp-content" / "mu-plugins").mkdir(parents=True, exist_ok=True)
        salts = "\n".join(
            f"define('{k}', '{secrets.token_hex(24)}');"
            for k in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )
        (www / "wp-config.php").write_text(
            _CONFIG.format(dbpass=self.dbpass, sock=self.sock, salts=salts, url=self.url)
        )
        (www / "wp-content" / "mu-plugins" / "local-mail.php").write_text(
            _MAIL_PLUGIN.format(log=self.dir / "mail.log")
        )
        (self.dir / "router.php").write_text(_ROUTER)

    def _install(self) -> None:
        (self.dir / "install.php").write_text(_INSTALL)
        r = self._run(
            [
                "php",
                "-d",
                "display_errors=stderr",
                "-d",
                "error_reporting=E_ALL & ~E_DEPRECATED",
                str(self.dir / "install.php"),
                str(self.dir / "www"),
                self.user,
                self.password,
                "admin@example.com",
                "Cổng thông tin thử nghiệm",
            ],
            "WordPress install",
        )
        self.app_password = r.stdout.strip()
        if not self.app_password:
            raise WordPressError(f"WordPress install printed no Application Password: {r.stderr}")

    def _serve(self) -> None:
        env = dict(os.environ, PHP_CLI_SERVER_WORKERS=str(self.workers))
        log = (self.dir / "php-server.log").open("wb")
        self._php = subprocess.Popen(
            [
                "php",
                "-d",
                "upload_max_filesize=64M",
                "-d",
                "post_max_size=64M",
                "-d",
                "memory_limit=512M",
                "-d",
                "display_errors=0",
                "-d",
                "log_errors=1",
                "-d",
                f"error_log={self.dir / 'php-errors.log'}",
                "-S",
                f"127.0.0.1:{self.port}",
                "-t",
                str(self.dir / "www"),
                str(self.dir / "router.php"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        log.close()
        token = secrets.token_hex(12)
        (self.dir / "www" / "wp-up-token.txt").write_text(token)

        def ready() -> bool:
            assert self._php is not None
            if self._php.poll() is not None:
                raise WordPressError(f"php -S exited: {_tail(self.dir / 'php-server.log')}")
            try:
                with urllib.request.urlopen(f"{self.url}/wp-up-token.txt", timeout=2) as r:
                    if r.read().decode().strip() != token:
                        return False
                with urllib.request.urlopen(f"{self.url}/wp-json/", timeout=5) as r:
                    return bool(r.status == 200)
            except (urllib.error.URLError, OSError):
                return False

        if not _wait(30, ready):
            raise WordPressError(f"php -S did not answer: {_tail(self.dir / 'php-server.log')}")
        (self.dir / "www" / "wp-up-token.txt").unlink()

    # -- stop ----------------------------------------------------------------------------

    @staticmethod
    def _end(proc: subprocess.Popen[bytes] | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the session leader's group: master + workers
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def stop(self, *, keep: bool = False) -> None:
        self._end(self._php)
        self._end(self._db)
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def wordpress() -> Iterator[WordPress]:
    """A running WordPress for the session; skips (with the reason) when the Debian
    packages are missing or the instance cannot start."""
    reason = wordpress_missing()
    if reason:
        pytest.skip(reason)
    wp = WordPress()
    try:
        wp.start()
    except (WordPressError, OSError) as err:
        pytest.skip(f"WordPress could not start (logs kept in {wp.dir}): {err}")
    try:
        yield wp
    finally:
        wp.stop()
