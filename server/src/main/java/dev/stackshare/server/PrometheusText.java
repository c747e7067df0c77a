package dev.stackshare.server;

import java.util.Locale;
import java.util.Map;

/**
 * Metrics in Prometheus' text exposition format (version 0.0.4): a {@code # HELP} and
 * {@code # TYPE} line for each metric, then its samples. Names follow Prometheus' conventions
 * ({@code stackshare_..._total} for counters, base units: bytes and seconds).
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(4096);

    PrometheusText counter(String name, String help, long value) {
        head(name, help, "counter");
        sample(name, "", value);
        return this;
    }

    /** One counter with a label, a sample for each value of it. */
    PrometheusText counter(String name, String help, String label, Map<String, Long> values) {
        head(name, help, "counter");
        values.forEach((value, count) -> sample(name, "{" + label + "=\"" + escape(value) + "\"}", count));
        return this;
    }

    PrometheusText gauge(String name, String help, double value) {
        head(name, help, "gauge");
        sample(name, "", value);
        return this;
    }

    PrometheusText histogram(String name, String help, LatencyHistogram.Snapshot h) {
        head(name, help, "histogram");
        for (int i = 0; i < LatencyHistogram.BOUNDS.length; i++) {
            sample(name + "_bucket", "{le=\"" + number(LatencyHistogram.BOUNDS[i]) + "\"}", h.cumulative()[i]);
        }
        sample(name + "_bucket", "{le=\"+Inf\"}", h.count());
        sample(name + "_sum", "", h.sumSeconds());
        sample(name + "_count", "", h.count());
        return this;
    }

    String text() {
        return out.toString();
    }

    private void head(String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, String labels, double value) {
        out.append(name).append(labels).append(' ').append(number(value)).append('\n');
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return String.format(Locale.ROOT, "%s", value);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
