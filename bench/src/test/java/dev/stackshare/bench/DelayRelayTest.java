package dev.stackshare.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DelayRelayTest {
    private ServerSocket echo;

    @BeforeEach
    void startEchoServer() throws Exception {
        echo = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (Exception ignored) {
                            // client went away
                        }
                    }).start();
                } catch (Exception e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws Exception {
        echo.close();
    }

    private InetSocketAddress target() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
    }

    @Test
    void bytesArriveIntactAndEachRoundTripTakesAtLeastTheRtt() throws Exception {
        try (DelayRelay relay = DelayRelay.start(target(), Duration.ofMillis(20), 0);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            byte[] sent = new byte[300_000];
            new Random(7).nextBytes(sent);
            long start = System.nanoTime();
            s.getOutputStream().write(sent);
            byte[] back = new byte[sent.length];
            new DataInputStream(s.getInputStream()).readFully(back);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertArrayEquals(sent, back);
            assertTrue(millis >= 20, "a round trip through a 20 ms relay took " + millis + " ms");
            assertEquals(sent.length, relay.stats().upstreamBytes());
            assertEquals(sent.length, relay.stats().downstreamBytes());
            assertEquals(1, relay.stats().connections());
        }
    }

    @Test
    void aBandwidthCapSpreadsTheBytesOverTime() throws Exception {
        try (DelayRelay relay = DelayRelay.start(target(), Duration.ZERO, 4_000_000);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            byte[] sent = new byte[1_000_000];
            long start = System.nanoTime();
            s.getOutputStream().write(sent);
            new DataInputStream(s.getInputStream()).readFully(new byte[sent.length]);
            long millis = (System.nanoTime() - start) / 1_000_000;
            // 1 MB at 4 MB/s takes 250 ms each way; the two directions overlap.
            assertTrue(millis >= 250, "1 MB through a 4 MB/s relay took " + millis + " ms");
        }
    }
}
