package dev.stackshare.cli;

import java.util.Locale;

/** Byte sizes as people write and read them. */
final class Sizes {
    private Sizes() {
    }

    /** Bytes in binary units with one decimal, as people read them. */
    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format("%.1f %s", value, units[unit]);
    }

    /** Parses {@code 512M}, {@code 10G}, {@code 1.5T} (binary units, optional {@code B}/{@code iB}) or plain bytes. */
    static long parse(String option, String text) {
        String s = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'K' -> unit = 1L << 10;
                case 'M' -> unit = 1L << 20;
                case 'G' -> unit = 1L << 30;
                case 'T' -> unit = 1L << 40;
                default -> unit = 1;
            }
            if (unit > 1) {
                s = s.substring(0, s.length() - 1);
            }
        }
        double value;
        try {
            value = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new UserError(option + " must be a size such as 500M or 10G, got '" + text + "'");
        }
        if (!(value > 0) || value * unit >= Long.MAX_VALUE) {
            throw new UserError(option + " must be a positive size such as 500M or 10G, got '" + text + "'");
        }
        return (long) (value * unit);
    }
}
