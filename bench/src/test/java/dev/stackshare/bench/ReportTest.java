package dev.stackshare.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static Measurement run(String scenario, double seconds) {
        return run(scenario, 0, seconds);
    }

    private static Measurement run(String scenario, double rttMillis, double seconds) {
        return new Measurement(scenario, rttMillis, 1, seconds, 0, 0, 0, 0, 0);
    }

    private static String markdown(List<Measurement> runs) {
        List<Report.Row> rows = Report.rows(runs);
        return Report.markdown(new Report.Results("bench", "machine", "stack", rows, Report.ratios(rows, 2), runs));
    }

    @Test
    void theFuseFloorIsLocalColdAgainstThePassthrough() {
        String md = markdown(List.of(run("local-cold", 1.0), run("local-cold", 1.2), run("local-cold", 5.0),
                run("fuse-passthrough-cold", 1.3), run("fuse-passthrough-cold", 1.5), run("fuse-passthrough-cold", 1.4)));
        assertTrue(md.contains("fuse-passthrough-cold / local cold = 1.17"), md); // medians 1.4 / 1.2
    }

    @Test
    void noFloorLineWithoutThePassthroughScenario() {
        assertFalse(markdown(List.of(run("local-cold", 1.0))).contains("FUSE floor"));
    }

    @Test
    void aLongRunningMountsLaterJobIsSetAgainstLocalColdAtTheTargetsRtt() {
        String md = markdown(List.of(run("local-cold", 2.0), run("stackshare-long-mount", 0.2, 9.0),
                run("stackshare-long-mount", 2, 2.5), run("stackshare-long-mount", 10, 9.0)));
        assertTrue(md.contains("stackshare-long-mount / local cold = 1.25"), md);
    }

    @Test
    void aLongRunningMountRunOnlyAtOtherRttsIsStillReported() {
        String md = markdown(List.of(run("local-cold", 2.0), run("stackshare-long-mount", 10, 3.0)));
        assertTrue(md.contains("stackshare-long-mount / local cold = 1.50"), md);
    }
}
