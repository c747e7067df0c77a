package dev.stackshare.client.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.SpawnFileAction;

/**
 * Mounts a FUSE filesystem without libfuse and hands back the device of the new connection.
 *
 * <ul>
 *   <li>As root: open {@code /dev/fuse} and call {@code mount(2)} with {@code fd=N} in its data.
 *   <li>As anyone else: run the setuid {@code fusermount3 -o OPTIONS -- MOUNTPOINT} with
 *       {@code _FUSE_COMMFD} naming one end of a socket pair; it mounts and sends the device
 *       back over the pair as an {@code SCM_RIGHTS} message.
 * </ul>
 *
 * Either way the kernel's first request on the device is INIT.
 */
public final class KernelMount {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    /** Where the child finds its end of the socket pair. */
    private static final int CHILD_COMM_FD = 3;
    private static final int CHILD_STDERR = 2;
    private static final List<String> FUSERMOUNT = List.of("fusermount3", "fusermount");

    /**
     * What a mount shows and allows.
     *
     * @param fsName  the source in {@code /proc/mounts}
     * @param subtype the type is {@code fuse.SUBTYPE}
     */
    public record Options(String fsName, String subtype, boolean readOnly, boolean defaultPermissions,
                          boolean allowOther) {
        public Options {
            for (String value : new String[] {fsName, subtype}) {
                if (value == null || value.isEmpty() || value.contains(",") || value.contains("\\")) {
                    throw new IllegalArgumentException("a mount's fsname and subtype must be non-empty, without commas"
                            + " or backslashes: " + value);
                }
            }
        }

        /** The options both fusermount3 and mount(2)'s data understand. */
        String common() {
            return (defaultPermissions ? "default_permissions," : "") + (allowOther ? "allow_other," : "");
        }

        long mountFlags() {
            return LibC.MS_NOSUID | LibC.MS_NODEV | (readOnly ? LibC.MS_RDONLY : 0);
        }
    }

    private KernelMount() {
    }

    /** Mounts on {@code mountpoint} (an existing directory) and returns the connection's device. */
    public static FuseDevice mount(Path mountpoint, Options options) throws IOException {
        POSIX posix = POSIXFactory.getNativePOSIX();
        return posix.geteuid() == 0 ? mountAsRoot(posix, mountpoint, options) : mountWithFusermount(posix, mountpoint, options);
    }

    private static FuseDevice mountAsRoot(POSIX posix, Path mountpoint, Options options) throws IOException {
        int fd = LibC.INSTANCE.open("/dev/fuse", LibC.DEVICE_FLAGS);
        if (fd < 0) {
            throw new IOException("cannot open /dev/fuse: errno " + LibC.errno() + "; is the fuse module loaded?");
        }
        String data = options.common() + "fd=" + fd + ",rootmode=40000,user_id=" + posix.geteuid()
                + ",group_id=" + posix.getegid();
        if (LibC.INSTANCE.mount(options.fsName(), mountpoint.toString(), "fuse." + options.subtype(), options.mountFlags(),
                data) != 0) {
            int errno = LibC.errno();
            LibC.INSTANCE.close(fd);
            throw new IOException("cannot mount " + mountpoint + ": mount(2) failed with errno " + errno);
        }
        return new FuseDevice(fd);
    }

    private static FuseDevice mountWithFusermount(POSIX posix, Path mountpoint, Options options) throws IOException {
        int[] pair = new int[2];
        if (posix.socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) {
            throw new IOException("cannot make a socket pair: errno " + posix.errno());
        }
        int[] errors = new int[2];
        if (posix.pipe(errors) != 0) {
            closeAll(posix, pair);
            throw new IOException("cannot make a pipe: errno " + posix.errno());
        }
        try {
            String opts = options.common() + (options.readOnly() ? "ro," : "") + "nosuid,nodev,fsname=" + options.fsName()
                    + ",subtype=" + options.subtype();
            long pid = spawn(posix, pair[1], errors[1], List.of("-o", opts, "--", mountpoint.toString()));
            posix.close(pair[1]);
            posix.close(errors[1]);
            pair[1] = -1;
            errors[1] = -1;
            int fd = receiveDescriptor(posix, pair[0]);
            String said = readAll(posix, errors[0]);
            int[] status = new int[1];
            posix.waitpid(pid, status, 0);
            if (fd < 0) {
                throw new IOException("cannot mount " + mountpoint + ": fusermount3 " + (said.isBlank()
                        ? "exited with status " + (status[0] >> 8) : "said: " + said.strip()));
            }
            return new FuseDevice(fd);
        } finally {
            closeAll(posix, pair);
            closeAll(posix, errors);
        }
    }

    /** Starts the first fusermount found on the PATH with the socket's end as fd 3 and stderr into a pipe. */
    private static long spawn(POSIX posix, int commEnd, int stderrEnd, List<String> arguments) throws IOException {
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!e.getKey().equals("_FUSE_COMMFD")) {
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        env.add("_FUSE_COMMFD=" + CHILD_COMM_FD);
        List<SpawnFileAction> actions = List.of(SpawnFileAction.dup(commEnd, CHILD_COMM_FD),
                SpawnFileAction.dup(stderrEnd, CHILD_STDERR));
        for (String program : FUSERMOUNT) {
            List<String> argv = new ArrayList<>();
            argv.add(program);
            argv.addAll(arguments);
            long pid = posix.posix_spawnp(program, actions, argv, env);
            if (pid > 0) {
                return pid;
            }
        }
        throw new IOException("cannot mount as an ordinary user: no fusermount3 on the PATH; install fuse3 "
                + "(Debian: apt-get install fuse3)");
    }

    /** The descriptor fusermount sends, or -1 when it closed the socket without one (it failed). */
    private static int receiveDescriptor(POSIX posix, int socket) {
        MsgHdr message = posix.allocateMsgHdr();
        message.setIov(new ByteBuffer[] {ByteBuffer.allocateDirect(1)});
        message.allocateControl(Integer.BYTES);
        int n;
        do {
            n = posix.recvmsg(socket, message, 0);
        } while (n < 0 && posix.errno() == Errno.EINTR);
        if (n <= 0) {
            return -1;
        }
        for (CmsgHdr c : message.getControls()) {
            if (c.getLevel() == SOL_SOCKET && c.getType() == SCM_RIGHTS) {
                return c.getData().order(ByteOrder.nativeOrder()).getInt(0);
            }
        }
        return -1;
    }

    private static String readAll(POSIX posix, int fd) {
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        for (int n = posix.read(fd, buffer, buffer.length); n > 0; n = posix.read(fd, buffer, buffer.length)) {
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return text.toString();
    }

    private static void closeAll(POSIX posix, int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] >= 0) {
                posix.close(fds[i]);
                fds[i] = -1;
            }
        }
    }

    /** Detaches the mount at once, as root does ({@code umount2(MNT_DETACH)}); others use fusermount3 -u -z. */
    public static void detach(Path mountpoint) throws IOException {
        if (LibC.INSTANCE.umount2(mountpoint.toString(), LibC.MNT_DETACH) != 0) {
            throw new IOException("cannot detach " + mountpoint + ": errno " + LibC.errno());
        }
    }
}
