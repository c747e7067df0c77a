package dev.stackshare.cli;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a variable's name says it holds a secret. Names are compared in upper case; a
 * "part" is a run of letters and digits between underscores (or other non-alphanumerics).
 * The short words PAT and PWD count only as whole parts, so PATH and PATCH are not PAT; the
 * long ones count anywhere in the name, so glued forms (MYSQLPASSWORD, GITHUBTOKEN) are caught.
 */
final class SecretName {
    /** One word of the rule: its pattern, and how {@code serve --dry-run} names it. */
    private record Word(String label, Pattern pattern) {
    }

    private static final String START = "(?<![A-Z0-9])";
    private static final String END = "(?![A-Z0-9])";

    /** In the order {@code --dry-run} reports the first that matched; docs/exec.md lists them. */
    private static final List<Word> WORDS = List.of(
            new Word("part PAT", Pattern.compile(START + "PAT" + END)),
            new Word("part PWD", Pattern.compile(START + "PWD" + END)),
            // COMPASS, BYPASS, FTP_PASSIVE_MODE and PASSTHROUGH settings are not passwords.
            new Word("PASS", Pattern.compile("(?<!COM|BY)PASS(?!IVE|THROUGH)")),
            new Word("SECRET", Pattern.compile("SECRET")),
            // TOKENIZERS_PARALLELISM (Hugging Face) is a tuning knob.
            new Word("TOKEN", Pattern.compile("TOKEN(?!I[SZ])")),
            // GIT_AUTHOR_NAME names a person; AUTHORIZATION and XAUTHORITY are still AUTH.
            new Word("AUTH", Pattern.compile("AUTH(?!OR(?!I))")),
            new Word("CREDENTIAL", Pattern.compile("CREDENTIAL")),
            // A part ending in KEY(S): API_KEY, APIKEY, ACCESSKEY; not KEYBOARD, KEYTAB (a path),
            // nor the English words that end in "key" without being keys.
            new Word("part ending in KEY", Pattern.compile(
                    "(?<!MON|DON|TUR|HOC|JOC|WHIS|LAC|TURN|HOT)KEYS?" + END)),
            new Word("PRIVATE", Pattern.compile("PRIVATE")),
            new Word("COOKIE", Pattern.compile("COOKIE")),
            new Word("SESSION_ID", Pattern.compile("SESSION_?ID")));

    private SecretName() {
    }

    /** The rule {@code name} matches, as {@code serve --dry-run} prints it; empty for a name that is no secret. */
    static Optional<String> rule(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return WORDS.stream().filter(w -> w.pattern().matcher(upper).find()).findFirst()
                .map(w -> "secret name (" + w.label() + ")");
    }
}
