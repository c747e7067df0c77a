package dev.stackshare.cli;

import java.util.regex.Pattern;

/** Secrets inside a value whose name looks harmless: URL passwords and connection-string passwords. */
final class SecretValue {
    /**
     * {@code scheme://user:password@}: the user runs to the first ':', the password to the last
     * '@' before a '/', '?', '#' or white space, so an unencoded '@' in it is still removed
     * whole, and a match never runs into the next entry of a list (which starts a new URL).
     */
    private static final Pattern URL_PASSWORD =
            Pattern.compile("([A-Za-z][A-Za-z0-9+.\\-]*://)[^/?#\\s@:]*:[^/?#\\s]*@");
    /** ADO, ODBC, JDBC and libpq settings: {@code Password=}, {@code PWD=}, {@code passwd =}. */
    private static final Pattern PASSWORD_SETTING = Pattern.compile("(?i)(password|passwd|pwd)\\s*=");

    private SecretValue() {
    }

    /** {@code value} with {@code user:password@} taken out of every URL in it; a user without a password stays. */
    static String withoutUrlPasswords(String value) {
        return URL_PASSWORD.matcher(value).replaceAll("$1");
    }

    static boolean holdsPasswordSetting(String value) {
        return PASSWORD_SETTING.matcher(value).find();
    }
}
