package dev.stackshare.client;

import java.lang.ref.WeakReference;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The process's {@code java.net.http} clients, so that a command can stop them before it exits.
 *
 * <p>Why: each client keeps a selector thread blocked in {@code epoll_wait}, and the JVM's exit
 * waits up to 300 ms for every thread in native code to come back before it lets the process go
 * (HotSpot's {@code VM_Exit::wait_for_threads_in_native_to_block}). Measured here: a command that
 * made one request spent 0.3 s of its 0.6 s exiting. Java 17's client has no {@code close()} (it
 * came in Java 21), so this shuts its internal selector manager down, which the launcher opens with
 * {@code --add-opens java.net.http/jdk.internal.net.http=ALL-UNNAMED}; without that it does
 * nothing and the exit is only slower.
 */
public final class HttpClients {
    private static final List<WeakReference<HttpClient>> CLIENTS = new ArrayList<>();

    private HttpClients() {
    }

    static HttpClient build(HttpClient.Builder builder) {
        HttpClient client = builder.build();
        synchronized (CLIENTS) {
            CLIENTS.add(new WeakReference<>(client));
        }
        return client;
    }

    /**
     * Stops every client's selector thread: for the end of a command, just before it exits, since
     * a stopped client fails every later request. Returns how many were stopped.
     */
    public static int stopAll() {
        List<HttpClient> live = new ArrayList<>();
        synchronized (CLIENTS) {
            for (WeakReference<HttpClient> ref : CLIENTS) {
                HttpClient c = ref.get();
                if (c != null) {
                    live.add(c);
                }
            }
            CLIENTS.clear();
        }
        int stopped = 0;
        for (HttpClient client : live) {
            if (stop(client)) {
                stopped++;
            }
        }
        return stopped;
    }

    private static boolean stop(HttpClient facade) {
        try {
            Field impl = facade.getClass().getDeclaredField("impl");
            impl.setAccessible(true);
            Object client = impl.get(facade);
            Field selectorManager = client.getClass().getDeclaredField("selmgr");
            selectorManager.setAccessible(true);
            Object selector = selectorManager.get(client);
            // Closes the selector: its thread leaves epoll_wait, closes the connections and ends.
            Method shutdown = selector.getClass().getDeclaredMethod("shutdown");
            shutdown.setAccessible(true);
            shutdown.invoke(selector);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // not opened to us, or another JDK's client: the exit just takes longer
        }
    }
}
