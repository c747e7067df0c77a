package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.protocol.Api;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class PublishProgressBarTest {
    private static Api.PublishProgress progress(boolean walked, long millis) {
        return new Api.PublishProgress(walked, 30_000, 700L << 20, 1_000, 100L << 20, 500, 50L << 20, 12, 4096, millis,
                java.util.List.of());
    }

    @Test
    void notATerminalGetsNoBarOnlyOneSummaryLine() {
        StringWriter out = new StringWriter();
        PublishProgressBar bar = new PublishProgressBar(new PrintWriter(out), false, 80);
        bar.accept(progress(false, 600));
        bar.accept(progress(true, 1200));
        bar.finish(true, 1234);
        String text = out.toString();
        assertFalse(text.contains("\r"), text);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("publish: 30,000 files (700.0 MiB); read 500 (50.0 MiB), 29,000 unchanged per the index; "
                + "froze 12 new objects (4.0 KiB); 1.23 s"), text);
    }

    @Test
    void aTerminalGetsABarRedrawnInPlaceOnceThePublishTakesAMoment() {
        StringWriter out = new StringWriter();
        PublishProgressBar bar = new PublishProgressBar(new PrintWriter(out), true, 100);
        bar.accept(progress(true, 100));
        assertEquals("", out.toString(), "no bar for a quick publish");
        bar.accept(progress(true, 1000));
        String drawn = out.toString();
        assertTrue(drawn.startsWith("\r[##########..........] read 500/1,000 files, 50.0 MiB/100.0 MiB (50%)"), drawn);
        assertTrue(drawn.contains("ETA 0:01"), drawn);
        assertTrue(drawn.length() < 100 + 10, "cut to the terminal's width");
        bar.finish(true, 2000);
        assertTrue(out.toString().endsWith("2.00 s" + System.lineSeparator()), out.toString());
    }

    @Test
    void whileTheWalkGoesOnTheBarShowsNoPercentAndNoEta() {
        String bar = PublishProgressBar.bar(progress(false, 1000));
        assertEquals("[????????????????????]", bar);
    }

    @Test
    void aFailedPublishClearsTheBarAndPrintsNoSummary() {
        StringWriter out = new StringWriter();
        PublishProgressBar bar = new PublishProgressBar(new PrintWriter(out), true, 80);
        bar.accept(progress(true, 1000));
        bar.finish(false, 0);
        assertTrue(out.toString().endsWith("\r\033[K"), out.toString());
    }
}
