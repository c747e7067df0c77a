package dev.stackshare.protocol;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The entries of one directory, sorted by the bytes of their UTF-8 names so that equal
 * directories encode to equal bytes and so have equal digests.
 */
public record Directory(List<Entry> entries) {
    /** Most entries one directory object may hold; a bigger listing is refused, not truncated. */
    public static final int MAX_ENTRIES = 1_000_000;

    /** The order of the names' UTF-8 bytes, which is the order of their code points. */
    public static final Comparator<String> NAME_ORDER = Directory::compareUtf8;

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

    /**
     * As comparing the names' UTF-8 bytes, without encoding them (a publish sorts every directory
     * it walks). UTF-16 order is code point order except where a surrogate, which only a code point
     * above U+FFFF has, meets a char of U+E000 to U+FFFF; only there are code points compared.
     */
    static int compareUtf8(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                if (Character.isSurrogate(x) || Character.isSurrogate(y)) {
                    return Integer.compare(a.codePointAt(i), b.codePointAt(i));
                }
                return Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    public static Directory empty() {
        return new Directory(List.of());
    }
}
