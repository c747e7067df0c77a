package dev.stackshare.bench;

import dev.stackshare.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** Medians per scenario and RTT, the target ratios, and the three outputs: Markdown, JSON, SVG. */
final class Report {
    /** The median figures of one scenario at one RTT. */
    record Row(String scenario, double rttMillis, int runs, double seconds, double setupSeconds, long networkBytes,
               long requests, long objects, long peakRssKb, double clientCpuSeconds, double serverCpuSeconds) {
    }

    /** A ratio the issue sets a target for, as measured on this run. */
    record Ratio(String name, double value, String target, boolean met) {
    }

    record Results(String command, String machine, String stack, List<Row> rows, List<Ratio> ratios, List<Measurement> runs) {
    }

    private Report() {
    }

    static List<Row> rows(List<Measurement> runs) {
        Map<String, List<Measurement>> groups = runs.stream().collect(Collectors.groupingBy(
                m -> m.scenario() + "@" + m.rttMillis(), LinkedHashMap::new, Collectors.toList()));
        List<Row> rows = new ArrayList<>();
        for (List<Measurement> g : groups.values()) {
            Measurement first = g.get(0);
            rows.add(new Row(first.scenario(), first.rttMillis(), g.size(), median(g, Measurement::seconds),
                    median(g, Measurement::setupSeconds), (long) median(g, m -> m.networkBytes()),
                    (long) median(g, m -> m.requests()), (long) median(g, m -> m.objects()),
                    (long) median(g, m -> m.peakRssKb()), median(g, Measurement::clientCpuSeconds),
                    median(g, Measurement::serverCpuSeconds)));
        }
        return rows;
    }

    static double median(List<Measurement> g, ToDoubleFunction<Measurement> f) {
        double[] v = g.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The targets of issue 4, computed where both sides were measured on this run. */
    static List<Ratio> ratios(List<Row> rows, double mainRtt) {
        List<Ratio> out = new ArrayList<>();
        ratio(out, rows, "stackshare cold / local cold", "stackshare-cold", mainRtt, "local-cold", 0, "<= 1.5", true, 1.5);
        ratio(out, rows, "sshfs cold / stackshare cold", "sshfs-cold", mainRtt, "stackshare-cold", mainRtt, ">= 7", false, 7);
        ratio(out, rows, "copy (tar|zstd) / stackshare cold", "copy-tar-zstd", mainRtt, "stackshare-cold", mainRtt, ">= 4", false, 4);
        ratio(out, rows, "copy (rsync) / stackshare cold", "copy-rsync", mainRtt, "stackshare-cold", mainRtt, ">= 4", false, 4);
        ratio(out, rows, "stackshare warm / local warm", "stackshare-warm", mainRtt, "local-warm", 0, "<= 1.15", true, 1.15);
        ratio(out, rows, "stackshare trace-prefetched / local cold", "stackshare-trace", mainRtt, "local-cold", 0, "<= 1.2",
                true, 1.2);
        double maxRtt = rows.stream().mapToDouble(Row::rttMillis).max().orElse(mainRtt);
        double minRtt = rows.stream().filter(r -> r.rttMillis() > 0).mapToDouble(Row::rttMillis).min().orElse(mainRtt);
        if (maxRtt > minRtt) {
            ratio(out, rows, "stackshare cold at RTT " + fmt(maxRtt) + " ms / at " + fmt(minRtt) + " ms",
                    "stackshare-cold", maxRtt, "stackshare-cold", minRtt, "<= 1.5", true, 1.5);
        }
        return out;
    }

    private static void ratio(List<Ratio> out, List<Row> rows, String name, String a, double rttA, String b, double rttB,
                              String target, boolean atMost, double bound) {
        Row ra = find(rows, a, rttA);
        Row rb = find(rows, b, rttB);
        if (ra != null && rb != null && rb.seconds() > 0) {
            double v = ra.seconds() / rb.seconds();
            out.add(new Ratio(name, v, target, atMost ? v <= bound : v >= bound));
        }
    }

    private static Row find(List<Row> rows, String scenario, double rtt) {
        return rows.stream().filter(r -> r.scenario().equals(scenario)
                && (r.rttMillis() == rtt || r.rttMillis() == 0 && rtt == 0)).findFirst().orElse(null);
    }

    /** The scenario's row at the RTT the targets are stated at, or at the first RTT it ran at. */
    private static Row atMainRtt(List<Row> rows, String scenario) {
        Row main = find(rows, scenario, BenchSuite.MAIN_RTT);
        return main != null ? main : rows.stream().filter(r -> r.scenario().equals(scenario)).findFirst().orElse(null);
    }

    static String markdown(Results results) {
        StringBuilder s = new StringBuilder();
        s.append("Command: `").append(results.command()).append("`\n\n");
        s.append("Machine: ").append(results.machine()).append("\n\n");
        s.append(results.stack()).append("\n\n");
        s.append("| scenario | RTT ms | runs | job s (median) | set-up s | network MB | requests | objects | client peak RSS MB"
                + " | mount CPU s in job | server CPU s in job |\n");
        s.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Row r : results.rows()) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %d | %.3f | %.3f | %.2f | %d | %d | %.1f | %s | %s |%n",
                    r.scenario(), r.rttMillis() == 0 ? "-" : fmt(r.rttMillis()), r.runs(), r.seconds(), r.setupSeconds(),
                    r.networkBytes() / 1e6, r.requests(), r.objects(), r.peakRssKb() / 1024.0,
                    cpu(r.clientCpuSeconds()), cpu(r.serverCpuSeconds())));
        }
        if (!results.ratios().isEmpty()) {
            s.append("\n| ratio (medians, same run) | measured | target | met |\n| --- | ---: | --- | --- |\n");
            for (Ratio r : results.ratios()) {
                s.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s |%n", r.name(), r.value(), r.target(),
                        r.met() ? "yes" : "**no**"));
            }
        }
        Row floor = find(results.rows(), "fuse-passthrough-cold", 0);
        Row local = find(results.rows(), "local-cold", 0);
        if (floor != null && local != null && local.seconds() > 0) {
            s.append(String.format(Locale.ROOT, "%nThe FUSE floor: fuse-passthrough-cold / local cold = %.2f (bindfs, a libfuse 2 "
                    + "passthrough in C, over the same disk: what any libfuse 2 filesystem adds on this machine before it "
                    + "fetches anything).%n", floor.seconds() / local.seconds()));
        }
        Row longMount = atMainRtt(results.rows(), "stackshare-long-mount");
        if (longMount != null && local != null && local.seconds() > 0) {
            s.append(String.format(Locale.ROOT, "%nA later job through a long-running mount: stackshare-long-mount / local cold = "
                    + "%.2f (the mount has served one job; page cache dropped: what a node that keeps its mount gives "
                    + "every job after the first).%n", longMount.seconds() / local.seconds()));
        }
        return s.toString();
    }

    private static String cpu(double seconds) {
        return seconds == 0 ? "" : String.format(Locale.ROOT, "%.2f", seconds);
    }

    /** A horizontal bar chart of the median job times, one bar per scenario and RTT. */
    static String svg(List<Row> rows) {
        int barHeight = 22;
        int left = 260;
        int width = 900;
        double max = rows.stream().mapToDouble(r -> r.seconds()).max().orElse(1);
        StringBuilder s = new StringBuilder();
        int height = 40 + rows.size() * (barHeight + 6);
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"13\">%n", width, height));
        s.append("<text x=\"10\" y=\"20\" font-weight=\"bold\">median job wall time (s), lower is better</text>\n");
        int y = 34;
        for (Row r : rows.stream().sorted(Comparator.comparing(Row::scenario)).toList()) {
            double w = (width - left - 80) * r.seconds() / max;
            String label = r.scenario() + (r.rttMillis() > 0 ? " @" + fmt(r.rttMillis()) + "ms" : "");
            String color = r.scenario().startsWith("stackshare") ? "#2b7bb9" : r.scenario().startsWith("local") ? "#7a7a7a" : "#d0743c";
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", left - 8, y + 15, label));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                    left, y, Math.max(1, w), barHeight, color));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.2f</text>%n", left + w + 6, y + 15, r.seconds()));
            y += barHeight + 6;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    static void write(Path dir, Results results) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.md"), markdown(results));
        Files.writeString(dir.resolve("results.json"), Json.writePretty(results));
        Files.writeString(dir.resolve("chart.svg"), svg(results.rows()));
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
