package dev.stackshare.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The entries of one directory, sorted by the bytes of their UTF-8 names so that equal
 * directories encode to equal bytes and so have equal digests.
 */
public record Directory(List<Entry> entries) {
    /** Most entries one directory object may hold; a bigger listing is refused, not truncated. */
    public static final int MAX_ENTRIES = 1_000_000;

    public static final Comparator<String> NAME_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    public Directory {
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("directory has " + entries.size() + " entries, limit " + MAX_ENTRIES);
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::name, NAME_ORDER));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException("directory names " + sorted.get(i).name() + " twice");
            }
        }
        entries = List.copyOf(sorted);
    }

    public static Directory empty() {
        return new Directory(List.of());
    }
}
