package dev.stackshare.cli;

import static dev.stackshare.cli.CliIT.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackshare.protocol.Api;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * stackshare as ordinary users run it on a shared interactive host and a shared batch node. The
 * real launcher runs through {@code setpriv} as the users {@code stackshare-a} and
 * {@code stackshare-b}: it serves over loopback, mounts real FUSE through Debian's setuid
 * fusermount, and the users' own programs read the mounts. Root only sets the stage (a
 * world-readable copy of the launcher, a directory per user, a group cache dir as a node's admin
 * would make it, mount namespaces that take /dev/fuse or fusermount away) and looks at the results;
 * everything in the users' directories is made by the users themselves.
 *
 * <p>Needs root, and the users, group and /dev/fuse mode 0666 that {@code scripts/test-users.sh}
 * sets up ({@code scripts/test.sh}, which CI runs, calls it). Without root it is skipped (only root
 * can switch users); as root without that set-up it fails and says to run the script. It takes the
 * users' default state and cache dirs, so runs on one machine take turns through a lock file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrdinaryUserIT {
    static final String GROUP = "stackshare-test";
    static final String SETUP_HINT = "run scripts/test-users.sh as root (scripts/test.sh does) to create the test users"
            + " stackshare-a and stackshare-b, the group " + GROUP + " and make /dev/fuse mode 0666";
    static final Path LOCK = Path.of("/tmp/stackshare-ordinary-user-it.lock");
    static final Path REPO = Path.of("").toAbsolutePath().getParent();
    static final String MARKER = "uncommitted-edit-of-";

    /** A user as the test sees them; {@code dir} is a directory of theirs for this run (their cwd). */
    record User(String name, long uid, Path home, Path dir) {
        Path state() {
            return home.resolve(".local/state/stackshare");
        }

        Path cache() {
            return home.resolve(".cache/stackshare");
        }
    }

    /** A running {@code stackshare serve} and what it printed. */
    record Server(Process process, String url, String snapshot, Path tokenFile) {
        String token() throws IOException {
            return Files.readString(tokenFile).strip();
        }
    }

    private FileChannel lockChannel;
    private FileLock lock;
    private Path work;
    private Path launcher;
    private User a;
    private User b;
    private User nobody;
    private Server serveA;
    private Server serveB;
    private final List<Long> mountProcesses = new ArrayList<>();
    private final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    void setUp() throws Exception {
        assumeTrue(uid(Path.of("/proc/self")) == 0,
                "OrdinaryUserIT switches users, so it needs root; CI runs it as root through scripts/test.sh");
        for (String user : List.of("stackshare-a", "stackshare-b")) {
            Sh.Result groups = Sh.run(List.of("id", "-nG", user));
            if (groups.exit() != 0 || !Arrays.asList(groups.out().strip().split(" ")).contains(GROUP)) {
                fail("test user " + user + " or its group " + GROUP + " is missing; " + SETUP_HINT);
            }
        }
        if (!perms(Path.of("/dev/fuse")).equals("rw-rw-rw-")) {
            fail("/dev/fuse is " + perms(Path.of("/dev/fuse")) + ", not rw-rw-rw- as on a batch node; " + SETUP_HINT);
        }
        lockChannel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.lock(); // another run on this machine uses the same users: wait for it

        work = Files.createTempDirectory(Path.of("/tmp"), "stackshare-users-");
        chmod(work, "rwxr-xr-x");
        launcher = copyLauncher(work.resolve("app"));
        a = user("stackshare-a");
        b = user("stackshare-b");
        nobody = new User("nobody", 65534, Path.of("/nonexistent"), Path.of("/"));
        for (User u : List.of(a, b)) {
            forgetEarlierRuns(u);
            Sh.Result made = sh(u, Map.of(), fixtureScript(u));
            assertEquals(0, made.exit(), made.toString());
        }
        serveA = serve(a);
        serveB = serve(b);
    }

    @AfterAll
    void tearDown() throws Exception {
        try {
            if (work != null) {
                for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                    String mountpoint = line.split(" ")[1];
                    if (mountpoint.startsWith(work.toString())) {
                        Sh.run(List.of("fusermount", "-u", "-z", mountpoint));
                    }
                }
            }
            for (long pid : mountProcesses) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (Server s : Arrays.asList(serveA, serveB)) {
                if (s != null) {
                    s.process().destroy();
                    if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
                        s.process().destroyForcibly();
                    }
                }
            }
            for (User u : Arrays.asList(a, b)) {
                if (u != null) {
                    forgetEarlierRuns(u);
                }
            }
            if (work != null) {
                deleteTree(work);
            }
        } finally {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        }
    }

    // --- the tests

    @Test
    void anOrdinaryUserServesPublishesMountsRunsAJobAndUnmountsWithDefaultsKeptPrivate() throws Exception {
        // serve ran with the default state dir: in the user's home, private
        assertEquals(a.state().resolve("token"), serveA.tokenFile());
        assertOwnedPrivate(a, a.state(), "rwx------");
        assertOwnedPrivate(a, a.state().resolve("token"), "rw-------");

        Sh.Result edit = sh(a, Map.of(), "printf \"MARKER = '" + MARKER + "2'\\n\" > wt/mypkg/__init__.py");
        assertEquals(0, edit.exit(), edit.toString());
        Sh.Result publish = ss(a, Map.of(), "publish");
        assertEquals(0, publish.exit(), publish.toString());
        Map<String, String> exported = exportLine(publish);
        assertEquals(serveA.url(), exported.get("STACKSHARE_SERVER"));
        assertEquals(publish.lastLine(), exported.get("STACKSHARE_SNAPSHOT"));

        // the job script: the exported variables, the same user's token from its state dir, the default cache
        Path mnt = mkdirAs(a);
        Sh.Result mount = ss(a, exported, "mount", mnt.toString());
        assertEquals(0, mount.exit(), mount.toString());
        rememberMountProcess(mount);
        MountInfo info = mountInfo(mnt).orElseThrow();
        assertEquals("fuse.stackshare", info.type());
        assertTrue(info.options().contains("user_id=" + a.uid()),
                "mounted for the user, which only the setuid fusermount can do: " + info.options());
        assertOwnedPrivate(a, a.cache(), "rwx------");
        assertOwnedPrivate(a, a.cache().resolve("objects"), "rwx------");
        assertOwnedPrivate(a, a.cache().resolve("logs"), "rwx------");

        Sh.Result job = sh(a, Map.of("MNT", mnt.toString()), String.join("\n",
                "set -e",
                "PYTHONPATH=\"$MNT$PWD/wt\" PYTHONDONTWRITEBYTECODE=1 python3 -c 'import mypkg; print(mypkg.MARKER)'",
                "\"$MNT$PWD/stack/bin/tool\"",
                "cmp \"$MNT$PWD/stack/big.bin\" stack/big.bin && echo big-file-identical",
                "diff -r \"$MNT$PWD/stack\" stack && echo stack-identical"));
        assertEquals(0, job.exit(), job.toString());
        assertEquals(List.of(MARKER + "2", "tool-ran", "big-file-identical", "stack-identical"),
                job.out().strip().lines().toList());

        Sh.Result unmount = ss(a, Map.of(), "unmount", mnt.toString());
        assertEquals(0, unmount.exit(), unmount.toString());
        assertFalse(mountInfo(mnt).isPresent());
        assertMountProcessEnds(mount);
    }

    @Test
    void theUserUnmountsWithFusermountAlsoAfterTheClientWasKilled() throws Exception {
        Path mnt = mkdirAs(a);
        for (String unmount : List.of("fusermount -u", "stackshare unmount", "mount again")) {
            Sh.Result mount = ss(a, Map.of(), "mount", "--server", serveA.url(), mnt.toString());
            assertEquals(0, mount.exit(), unmount + ": " + mount);
            long pid = rememberMountProcess(mount);
            Sh.Result kill = sh(a, Map.of(), "kill -KILL " + pid);
            assertEquals(0, kill.exit(), kill.toString());
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
            Sh.Result stale = sh(a, Map.of(), "ls " + mnt);
            assertTrue(stale.err().contains("Transport endpoint is not connected"), stale.toString());

            Sh.Result result = switch (unmount) {
                case "fusermount -u" -> sh(a, Map.of(), "fusermount -u " + mnt);
                case "stackshare unmount" -> ss(a, Map.of(), "unmount", mnt.toString());
                default -> ss(a, Map.of(), "mount", "--server", serveA.url(), mnt.toString());
            };
            assertEquals(0, result.exit(), unmount + ": " + result);
            if (unmount.equals("mount again")) {
                rememberMountProcess(result);
                assertTrue(sh(a, Map.of(), "ls " + mnt + a.dir()).out().contains("stack"), "the new mount works");
                // a live mount, unmounted with plain fusermount: its process ends too
                assertEquals(0, sh(a, Map.of(), "fusermount -u " + mnt).exit());
                assertMountProcessEnds(result);
            }
            assertFalse(mountInfo(mnt).isPresent(), unmount + " left a mount");
        }
    }

    @Test
    void twoDevelopersOnOneHostEachHaveTheirOwnServerPortStateAndToken() throws Exception {
        assertNotEquals(serveA.url(), serveB.url(), "each serve picked its own free port");
        assertNotEquals(serveA.token(), serveB.token());
        for (Map.Entry<User, Server> e : Map.of(a, serveA, b, serveB).entrySet()) {
            String recorded = Files.readString(e.getKey().state().resolve("server.json"));
            assertTrue(recorded.contains("\"" + e.getValue().url() + "\""), "the port is recorded: " + recorded);
        }
        assertEquals(200, status(serveA.url(), serveA.token()));
        assertEquals(200, status(serveB.url(), serveB.token()));
        assertEquals(401, status(serveA.url(), serveB.token()), "B's token does not open A's server");
        assertEquals(401, status(serveB.url(), serveA.token()), "A's token does not open B's server");

        Sh.Result publish = ss(b, Map.of(), "publish");
        assertEquals(0, publish.exit(), publish.toString());
        assertEquals(serveB.url(), exportLine(publish).get("STACKSHARE_SERVER"), "B's publish finds B's own server");

        Sh.Result peek = sh(b, Map.of(), "cat " + a.state().resolve("token"));
        assertNotEquals(0, peek.exit());
        assertTrue(peek.err().contains("Permission denied"), peek.toString());
        assertOneLineError(ss(b, Map.of(), "publish", "--state-dir", a.state().toString()), "belongs to stackshare-a");
    }

    @Test
    void execSamePathsRunsAsTheUserInAnUnprivilegedNamespaceWithRootsAtTheirOwnPaths() throws Exception {
        String tool = a.dir().resolve("stack/bin/tool").toString();
        Sh.Result r = ss(a, Map.of("STACKSHARE_TOKEN", serveA.token()), "exec", "--server", serveA.url(),
                "--same-paths", "--", "sh", "-c", "id -u; stat -f -c %T " + tool + "; " + tool);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(List.of(Long.toString(a.uid()), "fuseblk", "tool-ran"), r.out().strip().lines().toList(),
                "the command runs as the user, and the root's own path shows the FUSE mount");
        assertNotEquals("fuseblk", sh(a, Map.of(), "stat -f -c %T " + tool).out().strip(),
                "outside the job's namespace the path is the developer's own again");
    }

    /**
     * A node where ordinary users may not make user namespaces, made without touching the
     * machine: the user's own user namespace whose limit of nested namespaces is 0. The
     * snapshot is mounted beforehand (a setuid fusermount does not work in there), so exec
     * reuses that mount.
     */
    @Test
    void withoutUserNamespacesSamePathsSaysWhichSettingAndFallsBackOnlyWhenAsked() throws Exception {
        Map<String, String> job = Map.of("STACKSHARE_TOKEN", serveA.token(), "STACKSHARE_SERVER", serveA.url());
        Path mnt = mkdirAs(a);
        Sh.Result mount = ss(a, job, "mount", mnt.toString());
        assertEquals(0, mount.exit(), mount.toString());
        rememberMountProcess(mount);
        String noUserNamespaces = "unshare --user --map-current-user --keep-caps sh -c "
                + "'echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --inh-caps=-all --ambient-caps=-all"
                + " -- \"$0\" \"$@\"' " + launcher + " exec ";
        try {
            Sh.Result refused = sh(a, job, noUserNamespaces + "--same-paths -- true");
            assertOneLineError(refused, "user.max_user_namespaces");
            Sh.Result fallback = sh(a, job, noUserNamespaces + "--same-paths-if-possible -- sh -c "
                    + "'cat \"$STACKSHARE_MOUNT\"" + a.dir().resolve("stack/bin/tool") + "'");
            assertEquals(0, fallback.exit(), fallback.toString());
            assertTrue(fallback.out().contains("echo tool-ran"), fallback.toString());
            assertTrue(fallback.err().contains("warning") && fallback.err().contains("rewritten paths"), fallback.toString());
        } finally {
            assertEquals(0, ss(a, Map.of(), "unmount", mnt.toString()).exit());
        }
    }

    @Test
    void anUnreadableFileIsLeftOutAndNamedInThePublishSummary() throws Exception {
        Path secret = a.dir().resolve("stack/unreadable.dat");
        assertEquals(0, sh(a, Map.of(), "echo x > " + secret + " && chmod 000 " + secret).exit());
        try {
            Sh.Result publish = ss(a, Map.of(), "publish");
            assertEquals(0, publish.exit(), publish.toString());
            assertTrue(publish.err().contains("publish: left out " + secret + ": permission denied"), publish.toString());
            assertTrue(publish.err().contains("1 entries left out"), publish.toString());
        } finally {
            assertEquals(0, sh(a, Map.of(), "rm -f " + secret).exit());
        }
    }

    @Test
    void oneNodeTwoUsersCannotReadEachOthersMountOrCache() throws Exception {
        Path mntA = mkdirAs(a);
        Path mntB = mkdirAs(b);
        assertEquals(0, sh(b, Map.of(), "ls " + mntA).exit(), "B may look at the empty mountpoint");
        Sh.Result mountA = ss(a, Map.of(), "mount", "--server", serveA.url(), mntA.toString());
        assertEquals(0, mountA.exit(), mountA.toString());
        rememberMountProcess(mountA);
        // B runs a job of A's snapshot with the token handed over, the way a job script gets it
        Sh.Result mountB = ss(b, Map.of("STACKSHARE_TOKEN", serveA.token()), "mount", "--server", serveA.url(),
                mntB.toString());
        assertEquals(0, mountB.exit(), mountB.toString());
        rememberMountProcess(mountB);
        try {
            String tool = a.dir().resolve("stack/bin/tool").toString();
            assertEquals("tool-ran", sh(a, Map.of(), mntA + tool).out().strip());
            assertEquals("tool-ran", sh(b, Map.of(), mntB + tool).out().strip(), "B's own mount serves B");
            for (String probe : List.of("ls " + mntA, "cat " + mntA + tool, "stat " + mntA)) {
                Sh.Result denied = sh(b, Map.of(), probe);
                assertNotEquals(0, denied.exit(), probe + ": " + denied);
                assertTrue(denied.err().contains("Permission denied"), probe + ": " + denied);
            }
            Sh.Result other = sh(a, Map.of(), "ls " + mntB);
            assertTrue(other.err().contains("Permission denied"), "A cannot read B's mount either: " + other);
            Sh.Result unmountOthers = sh(b, Map.of(), "fusermount -u " + mntA);
            assertNotEquals(0, unmountOthers.exit(), unmountOthers.toString());
            assertOneLineError(ss(b, Map.of(), "unmount", mntA.toString()), "is a mount of user stackshare-a");
            assertTrue(mountInfo(mntA).isPresent(), "B cannot unmount A's mount");

            // A's cache: its home is open (0755), the cache dir itself keeps B out
            assertEquals("rwxr-xr-x", perms(a.home()));
            assertOwnedPrivate(a, a.cache(), "rwx------");
            Sh.Result list = sh(b, Map.of(), "ls " + a.cache());
            assertNotEquals(0, list.exit());
            assertTrue(list.err().contains("Permission denied"), list.toString());
        } finally {
            assertEquals(0, ss(a, Map.of(), "unmount", mntA.toString()).exit());
            assertEquals(0, ss(b, Map.of(), "unmount", mntB.toString()).exit());
        }
    }

    @Test
    void aGroupCacheIsOptInSharedOnlyWithTheGroupAndCannotBePoisoned() throws Exception {
        // what the node's admin does once: a directory of the group, closed to others
        Path shared = Files.createDirectory(work.resolve("group-cache-" + names.incrementAndGet()));
        assertEquals(0, Sh.run(List.of("chgrp", GROUP, shared.toString())).exit());
        assertEquals(0, Sh.run(List.of("chmod", "2770", shared.toString())).exit());
        Path small = a.dir().resolve("stack/lib/python/stackpkg/__init__.py");
        Path big = a.dir().resolve("stack/big.bin");
        Digest smallDigest = Digest.of(Files.readAllBytes(small));
        Path smallObject = shared.resolve("objects/" + smallDigest.hex().substring(0, 2) + "/" + smallDigest.hex());
        Map<String, String> job = Map.of("STACKSHARE_SERVER", serveA.url(), "STACKSHARE_SNAPSHOT", serveA.snapshot(),
                "STACKSHARE_TOKEN", serveA.token());
        String read = "cat \"$MNT" + small + "\"; cmp \"$MNT" + big + "\" " + big + " && echo big-file-identical";

        Path mntA = mkdirAs(a);
        Api.ServerStats start = stats(serveA);
        assertEquals(0, mountAndRun(a, job, shared, mntA, read).exit());
        assertTrue(stats(serveA).objectsServed() > start.objectsServed(), "A's reads were fetched from the server");
        assertTrue(Files.isRegularFile(smallObject));
        assertEquals(GROUP, Files.readAttributes(smallObject, java.nio.file.attribute.PosixFileAttributes.class)
                .group().getName());
        assertEquals("rw-r-----", perms(smallObject));
        assertEquals("rwxrwx---", perms(smallObject.getParent()));
        try (Stream<Path> top = Files.list(shared)) {
            assertEquals(List.of(shared.resolve("objects")), top.toList(),
                    "records and logs of a user stay in their own cache dir");
        }
        assertTrue(Files.isDirectory(a.cache().resolve("logs")) && Files.isDirectory(a.cache().resolve("snapshots")));

        // B, in the group, reads what A fetched: nothing more comes from the server
        Api.ServerStats before = stats(serveA);
        Path mntB = mkdirAs(b);
        Sh.Result fromCache = mountAndRun(b, job, shared, mntB, read);
        assertTrue(fromCache.out().contains("big-file-identical"), fromCache.toString());
        Api.ServerStats after = stats(serveA);
        assertEquals(before.objectsServed(), after.objectsServed(), "B's reads came from the shared cache");
        assertEquals(before.treesServed(), after.treesServed(), "B's metadata came from the shared cache");

        // B swaps an object for other bytes; A's next mount reads the true ones and repairs the cache
        String original = Files.readString(small);
        Sh.Result poison = sh(b, Map.of(), "rm -f " + smallObject + " && printf 'VALUE = \"poisoned\"\\n' > " + smallObject);
        assertEquals(0, poison.exit(), poison.toString());
        Sh.Result again = mountAndRun(a, job, shared, mntA, read);
        assertTrue(again.out().startsWith(original), again.toString());
        assertEquals(original, Files.readString(smallObject), "the poisoned object was replaced by the true one");

        // a user outside the group gets nothing from it, not even the list of digests
        Sh.Result outsider = sh(nobody, Map.of(), "ls " + shared + " " + smallObject.getParent());
        assertNotEquals(0, outsider.exit());
        assertTrue(outsider.err().contains("Permission denied"), outsider.toString());
    }

    @Test
    void aNodeThatCannotMountForOrdinaryUsersSaysWhatItLacksInOneLine() throws Exception {
        Path mnt = mkdirAs(a);
        Path nsScript = work.resolve("node-lacks.sh");
        Files.writeString(nsScript, String.join("\n",
                "#!/bin/sh",
                "# node-lacks.sh CASE TMP CMD...: runs CMD in a private mount namespace where this node lacks something",
                "set -e",
                "case=$1; d=$(mktemp -d \"$2/ns.XXXXXX\"); chmod 755 \"$d\"; shift 2",
                "case $case in",
                // an overlay whose top layer holds whiteouts hides those names; the rest stays as it is
                "  no-dev-fuse) mknod \"$d/fuse\" c 0 0; mount -t overlay overlay -o \"lowerdir=$d:/dev\" /dev ;;",
                "  dev-fuse-0600) mknod \"$d/fuse\" c 10 229; chmod 0600 \"$d/fuse\"; mount --bind \"$d/fuse\" /dev/fuse ;;",
                "  no-fusermount) mknod \"$d/fusermount\" c 0 0; mknod \"$d/fusermount3\" c 0 0;"
                        + " mount -t overlay overlay -o \"lowerdir=$d:/usr/bin\" /usr/bin ;;",
                "  fusermount-not-setuid) cp /usr/bin/fusermount3 \"$d/fm\"; chmod 0755 \"$d/fm\";"
                        + " mount --bind \"$d/fm\" /usr/bin/fusermount3 ;;",
                "esac",
                "exec \"$@\"",
                ""));
        chmod(nsScript, "rwx------");
        Map<String, String> expected = Map.of(
                "no-dev-fuse", "modprobe fuse",
                "dev-fuse-0600", "/dev/fuse has mode 0600",
                "no-fusermount", "apt-get install fuse3",
                "fusermount-not-setuid", "chmod 4755 /usr/bin/fusermount3");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "--",
                    nsScript.toString(), e.getKey(), work.toString()));
            cmd.addAll(asUser(a, Map.of(), launcher.toString(), "mount", "--server", serveA.url(), mnt.toString()));
            Sh.Result r = Sh.run(cmd, Map.of(), 120);
            assertOneLineError(r, e.getValue());
            assertFalse(mountInfo(mnt).isPresent());
        }
    }

    @Test
    void cacheAndStateDirsThatWouldLetOthersInGetOneLineThatSaysHowToFixThem() throws Exception {
        Map<String, String> job = Map.of("STACKSHARE_SERVER", serveA.url(), "STACKSHARE_TOKEN", serveA.token());
        Path mnt = mkdirAs(a);
        Path open = mkdirAs(a, "755");
        assertOneLineError(ss(a, job, "mount", "--cache-dir", open.toString(), mnt.toString()), "chmod o-rwx " + open);
        Path groupReadable = mkdirAs(a, "750");
        assertOneLineError(ss(a, job, "mount", "--cache-dir", groupReadable.toString(), mnt.toString()),
                "chmod 700 " + groupReadable);
        Path aPrivate = mkdirAs(a, "700");
        Path mntB = mkdirAs(b);
        assertOneLineError(ss(b, job, "mount", "--cache-dir", aPrivate.toString(), mntB.toString()),
                "belongs to stackshare-a");
        // B cannot even see into A's cache dir: A keeps ~/.cache private (stackshare creates it 0700)
        assertEquals(0, sh(a, Map.of(), "mkdir -p -m 700 \"$HOME/.cache\"").exit());
        assertOneLineError(ss(b, job, "mount", "--cache-dir", a.cache().toString(), mntB.toString()),
                "out of your reach");
        Path sharedButOpen = Files.createDirectory(work.resolve("open-group-cache"));
        assertEquals(0, Sh.run(List.of("chgrp", GROUP, sharedButOpen.toString())).exit());
        assertEquals(0, Sh.run(List.of("chmod", "2775", sharedButOpen.toString())).exit());
        assertOneLineError(ss(a, job, "mount", "--cache-dir", sharedButOpen.toString(), mnt.toString()),
                "chmod o-rwx " + sharedButOpen);
        assertFalse(mountInfo(mnt).isPresent());

        String stack = a.dir().resolve("stack").toString();
        Path openState = mkdirAs(a, "755");
        assertOneLineError(ss(a, Map.of(), "serve", "--root", stack, "--listen", "127.0.0.1:0", "--state-dir",
                openState.toString()), "chmod 700 " + openState);
        Path state = mkdirAs(a, "700");
        Path token = state.resolve("token");
        assertEquals(0, sh(a, Map.of(), "printf %064d 0 > " + token + " && chmod 644 " + token).exit());
        assertOneLineError(ss(a, Map.of(), "serve", "--root", stack, "--listen", "127.0.0.1:0", "--state-dir",
                state.toString()), "chmod 600 " + token);
    }

    // --- running things as the users

    /** The command as {@code user} runs it from their directory, with a clean environment like a batch job's. */
    private List<String> asUser(User user, Map<String, String> env, String... command) {
        String group = user.name().equals("nobody") ? "nogroup" : user.name();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + user.name(), "--regid=" + group,
                "--init-groups", "env", "-i", "-C", user.dir().toString(), "HOME=" + user.home(), "USER=" + user.name(),
                "LOGNAME=" + user.name(), "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(command));
        return cmd;
    }

    private Sh.Result ss(User user, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        return Sh.run(asUser(user, env, command.toArray(String[]::new)), Map.of(), 180);
    }

    private Sh.Result sh(User user, Map<String, String> env, String script) throws IOException, InterruptedException {
        return Sh.run(asUser(user, env, "sh", "-c", script), Map.of(), 180);
    }

    /** Mounts as {@code user} with the job's variables and cache dir, runs {@code script} (MNT set), unmounts. */
    private Sh.Result mountAndRun(User user, Map<String, String> job, Path cacheDir, Path mnt, String script)
            throws IOException, InterruptedException {
        Sh.Result mount = ss(user, job, "mount", "--cache-dir", cacheDir.toString(), mnt.toString());
        assertEquals(0, mount.exit(), mount.toString());
        rememberMountProcess(mount);
        try {
            Sh.Result r = sh(user, Map.of("MNT", mnt.toString()), script);
            assertEquals(0, r.exit(), r.toString());
            return r;
        } finally {
            Sh.Result unmount = ss(user, Map.of(), "unmount", mnt.toString());
            assertEquals(0, unmount.exit(), unmount.toString());
        }
    }

    private Server serve(User user) throws IOException {
        Path log = work.resolve("serve-" + user.name() + ".log");
        Process p = new ProcessBuilder(asUser(user, Map.of(), launcher.toString(), "serve",
                "--root", user.dir().resolve("stack").toString(), "--root", user.dir().resolve("wt").toString(),
                "--listen", "127.0.0.1:0"))
                .redirectError(log.toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Map<String, String> printed = new HashMap<>();
        for (String line; !printed.containsKey("snapshot") && (line = out.readLine()) != null; ) {
            String[] parts = line.split("\\s+", 2);
            printed.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        assertTrue(printed.containsKey("snapshot"), "serve as " + user.name() + " printed " + printed + "; log:\n"
                + Files.readString(log));
        assertTrue(printed.get("token").startsWith("file "), printed.toString());
        return new Server(p, printed.get("serving"), printed.get("snapshot"),
                Path.of(printed.get("token").substring("file ".length())));
    }

    /** A new directory made by the user in their directory, with the given mode. */
    private Path mkdirAs(User user, String mode) throws IOException, InterruptedException {
        Path dir = user.dir().resolve("d" + names.incrementAndGet());
        Sh.Result r = sh(user, Map.of(), "mkdir -m " + mode + " " + dir);
        assertEquals(0, r.exit(), r.toString());
        return dir;
    }

    /** A mountpoint: open to everyone (0755), so what keeps others out of a mount is FUSE itself. */
    private Path mkdirAs(User user) throws IOException, InterruptedException {
        return mkdirAs(user, "755");
    }

    /** The user's own tree: a stable stack and a git working tree with an uncommitted edit. */
    private static String fixtureScript(User user) {
        return String.join("\n",
                "set -e",
                "mkdir -p stack/bin stack/lib/python/stackpkg wt/mypkg",
                "printf '#!/bin/sh\\necho tool-ran\\n' > stack/bin/tool && chmod 755 stack/bin/tool",
                "printf \"VALUE = 'stack-of-" + user.name() + "'\\n\" > stack/lib/python/stackpkg/__init__.py",
                "printf 'only for its owner\\n' > stack/private.txt && chmod 600 stack/private.txt",
                "head -c 2500000 /dev/urandom > stack/big.bin",
                "cd wt && git init -q -b main",
                "printf \"MARKER = 'committed'\\n\" > mypkg/__init__.py",
                "git add -A && git -c user.name=dev -c user.email=dev@example.invalid commit -q -m mypkg",
                "printf \"MARKER = '" + MARKER + "1'\\n\" > mypkg/__init__.py",
                "");
    }

    private User user(String name) throws IOException, InterruptedException {
        Sh.Result passwd = Sh.run(List.of("getent", "passwd", name));
        String[] fields = passwd.out().strip().split(":");
        Path dir = work.resolve(name);
        Files.createDirectory(dir);
        chmod(dir, "rwxr-xr-x");
        assertEquals(0, Sh.run(List.of("chown", name + ":" + name, dir.toString())).exit());
        return new User(name, Long.parseLong(fields[2]), Path.of(fields[5]), dir);
    }

    /** The defaults are under test: start from none. A server left by an aborted run is stopped first. */
    private static void forgetEarlierRuns(User u) throws IOException {
        Path info = u.state().resolve("server.json");
        if (Files.exists(info)) {
            String json = Files.readString(info);
            String pid = json.replaceAll("(?s).*\"pid\"\\s*:\\s*(\\d+).*", "$1");
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).filter(p -> p.info().user().orElse("").equals(u.name()))
                        .ifPresent(p -> {
                            p.destroyForcibly();
                            p.onExit().join();
                        });
            }
        }
        deleteTree(u.state());
        deleteTree(u.cache());
    }

    private Path copyLauncher(Path app) throws IOException {
        Path bin = Files.createDirectories(app.resolve("bin"));
        Path target = Files.createDirectories(app.resolve("cli/target"));
        for (Path dir : List.of(app, bin, app.resolve("cli"), target)) {
            chmod(dir, "rwxr-xr-x");
        }
        Path copy = Files.copy(REPO.resolve("bin/stackshare"), bin.resolve("stackshare"));
        chmod(copy, "rwxr-xr-x");
        chmod(Files.copy(REPO.resolve("cli/target/stackshare.jar"), target.resolve("stackshare.jar")), "rw-r--r--");
        return copy;
    }

    // --- looking at the results

    record MountInfo(String type, String options) {
    }

    private static Optional<MountInfo> mountInfo(Path mountpoint) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f[1].equals(mountpoint.toString())) {
                return Optional.of(new MountInfo(f[2], f[3]));
            }
        }
        return Optional.empty();
    }

    private long rememberMountProcess(Sh.Result mount) {
        long pid = Long.parseLong(mount.out().replaceAll("(?s).*\\(process (\\d+),.*", "$1"));
        mountProcesses.add(pid);
        return pid;
    }

    private static void assertMountProcessEnds(Sh.Result mount) throws Exception {
        long pid = Long.parseLong(mount.out().replaceAll("(?s).*\\(process (\\d+),.*", "$1"));
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isPresent()) {
            p.get().onExit().get(30, TimeUnit.SECONDS);
        }
    }

    private static Map<String, String> exportLine(Sh.Result publish) {
        String line = publish.out().lines().filter(l -> l.startsWith("export ")).findFirst()
                .orElseThrow(() -> new AssertionError("no export line in:\n" + publish));
        Map<String, String> vars = new HashMap<>();
        for (String assignment : line.substring("export ".length()).trim().split("\\s+")) {
            String[] kv = assignment.split("=", 2);
            vars.put(kv[0], kv[1]);
        }
        return vars;
    }

    private static void assertOwnedPrivate(User owner, Path path, String perms) throws IOException {
        assertEquals(owner.uid(), uid(path), path + " belongs to " + owner.name());
        assertEquals(perms, perms(path), path.toString());
    }

    private static int status(String url, String token) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + Api.VIEWS + "latest"))
                .header("Authorization", "Bearer " + token).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static Api.ServerStats stats(Server server) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.url() + "/v1/stats"))
                .header("Authorization", "Bearer " + server.token()).GET().build();
        byte[] body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
        return Json.read(body, Api.ServerStats.class);
    }

    private static long uid(Path path) throws IOException {
        return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    private static String perms(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static void chmod(Path path, String perms) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(perms));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
