package dev.stackshare.client;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads whose work can wait for an idle core: Linux's {@code SCHED_IDLE} policy. A mount shares
 * a small node with the job it serves; writing fetched objects to the disk cache is a third of
 * the mount's CPU while a job starts, and none of it is on the job's path. Under SCHED_IDLE such
 * a thread runs only when no other thread wants the core, so the job and the threads answering
 * its reads go first, and the writes happen in the job's pauses and after it. Where the policy
 * cannot be set (not Linux, a seccomp filter), the thread runs as any other.
 */
final class IdleScheduling {
    private static final Logger log = LoggerFactory.getLogger(IdleScheduling.class);
    /** From Linux's {@code <linux/sched.h>}. */
    static final int SCHED_IDLE = 5;

    /** The one libc call; {@code pid} 0 is the calling thread. */
    public interface LibC {
        int sched_setscheduler(int pid, int policy, @In int[] param);

        int sched_getscheduler(int pid);
    }

    private static volatile LibC libc;

    private IdleScheduling() {
    }

    /** Daemon threads named {@code name-N} that put themselves under SCHED_IDLE before their first task. */
    static ThreadFactory threads(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(() -> {
                enter();
                task.run();
            }, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Puts the calling thread under SCHED_IDLE; false (logged at debug) where that is refused or unknown. */
    static boolean enter() {
        try {
            // sched_param holds one int, the static priority: 0 for SCHED_IDLE.
            if (libc().sched_setscheduler(0, SCHED_IDLE, new int[] {0}) == 0) {
                return true;
            }
            log.debug("SCHED_IDLE refused for thread {}", Thread.currentThread().getName());
        } catch (RuntimeException | LinkageError e) {
            log.debug("cannot set SCHED_IDLE: {}", e.toString());
        }
        return false;
    }

    /** The calling thread's policy (0 is the default, SCHED_OTHER), or -1 where it cannot be read. */
    static int currentPolicy() {
        try {
            return libc().sched_getscheduler(0);
        } catch (RuntimeException | LinkageError e) {
            return -1;
        }
    }

    private static LibC libc() {
        LibC l = libc;
        if (l == null) {
            l = LibraryLoader.create(LibC.class).failImmediately().load("c");
            libc = l;
        }
        return l;
    }
}
