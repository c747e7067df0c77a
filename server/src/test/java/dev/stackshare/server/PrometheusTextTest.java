package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    @Test
    void countersGaugesAndHistogramsInTheExpositionFormat() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(500_000);        // 0.5 ms
        h.record(3_000_000);      // 3 ms
        h.record(120_000_000_000L); // past the last bound
        TreeMap<String, Long> kinds = new TreeMap<>();
        kinds.put("GetObject", 7L);
        kinds.put("we\"ird", 1L);
        String text = new PrometheusText()
                .counter("stackshare_requests_total", "Requests answered.", 12)
                .counter("stackshare_requests_by_kind_total", "Requests by kind.", "kind", kinds)
                .gauge("stackshare_frozen_bytes", "Bytes in the frozen store.", 1.5)
                .histogram("stackshare_request_seconds", "Time to answer.", h.snapshot())
                .text();
        String[] lines = text.split("\n");
        assertEquals("# HELP stackshare_requests_total Requests answered.", lines[0]);
        assertEquals("# TYPE stackshare_requests_total counter", lines[1]);
        assertEquals("stackshare_requests_total 12", lines[2]);
        assertEquals("stackshare_requests_by_kind_total{kind=\"GetObject\"} 7", lines[5]);
        assertEquals("stackshare_requests_by_kind_total{kind=\"we\\\"ird\"} 1", lines[6]);
        assertEquals("stackshare_frozen_bytes 1.5", lines[9]);
        assertEquals("stackshare_request_seconds_bucket{le=\"0.001\"} 1", lines[12]);
        assertEquals("stackshare_request_seconds_bucket{le=\"0.005\"} 2", lines[14]);
        assertEquals("stackshare_request_seconds_bucket{le=\"60\"} 2", lines[12 + LatencyHistogram.BOUNDS.length - 1]);
        assertEquals("stackshare_request_seconds_bucket{le=\"+Inf\"} 3", lines[12 + LatencyHistogram.BOUNDS.length]);
        assertEquals("stackshare_request_seconds_count 3", lines[lines.length - 1]);
        assertEquals("stackshare_request_seconds_sum 120.0035", lines[lines.length - 2]);
    }
}
