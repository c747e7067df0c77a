package dev.stackshare.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which of the developer's variables a snapshot records. Variables that describe the
 * developer's host or session, and stackshare's own, are never recorded: a batch node has its
 * own values for those. Secrets are left out by three rules (docs/exec.md): a name that looks
 * like a secret drops the variable, a value holding a password setting drops it, and
 * {@code user:password@} is taken out of URLs. {@code serve --keep-env NAME} exempts a name
 * from those three.
 */
final class RecordedEnvironment {
    /** Names that belong to the host or the login session, not to the set-up. */
    static final Pattern HOST = Pattern.compile(
            "HOME|USER|LOGNAME|USERNAME|HOSTNAME|HOST|PWD|OLDPWD|SHLVL|_|TERM|TERM_.*|COLORTERM|DISPLAY|WAYLAND_DISPLAY"
                    + "|SSH_.*|XDG_.*|DBUS_.*|TMPDIR|TMP|TEMP|MAIL|LS_COLORS|PS[1-4]|PROMPT_COMMAND|HISTFILE|HIST.*"
                    + "|SLURM_.*|_CONDOR_.*|PBS_.*|LSB_.*|TMUX|TMUX_PANE|STY|WINDOW|OLDPATH|BASH_FUNC_.*|LESSOPEN|LESSCLOSE"
                    + "|MOTD_SHOWN|GPG_AGENT_INFO|KRB5.*");
    /** stackshare's own settings: the token, the server and snapshot a node command was given. */
    static final Pattern OWN = Pattern.compile("STACKSHARE_.*");

    enum Action { DROPPED, CHANGED, KEPT }

    /** What capture did to one variable and by which rule; never its value. */
    record Change(String name, Action action, String rule) {
    }

    /** The variables a snapshot records, and every one capture dropped, changed or kept by request. */
    record Capture(Map<String, String> recorded, List<Change> changes) {
    }

    /** A secret rule's verdict: the value to record instead ({@code null}: drop it) and the rule's name. */
    private record Verdict(String value, String rule) {
    }

    private RecordedEnvironment() {
    }

    /**
     * Applies every rule to {@code env}; a name in {@code keep} bypasses the secret rules. A
     * host, session or stackshare variable in {@code keep} is an error: it is never recorded.
     */
    static Capture capture(Map<String, String> env, Set<String> keep) {
        keep.forEach(RecordedEnvironment::checkKeepable);
        Map<String, String> recorded = new TreeMap<>();
        List<Change> changes = new ArrayList<>();
        new TreeMap<>(env).forEach((name, value) -> {
            Optional<String> notOurs = notRecorded(name);
            if (notOurs.isPresent()) {
                changes.add(new Change(name, Action.DROPPED, notOurs.get()));
                return;
            }
            Optional<Verdict> secret = secretRules(name, value);
            if (secret.isEmpty()) {
                recorded.put(name, value);
            } else if (keep.contains(name)) {
                recorded.put(name, value);
                changes.add(new Change(name, Action.KEPT, secret.get().rule()));
            } else if (secret.get().value() == null) {
                changes.add(new Change(name, Action.DROPPED, secret.get().rule()));
            } else {
                recorded.put(name, secret.get().value());
                changes.add(new Change(name, Action.CHANGED, secret.get().rule()));
            }
        });
        return new Capture(recorded, changes);
    }

    /**
     * What a job gets of a record: all but host, session and stackshare variables (an old record
     * may hold some). The secret rules were applied when the record was taken, with the
     * developer's --keep-env, so they are not applied again here.
     */
    static Map<String, String> applied(Map<String, String> recorded) {
        Map<String, String> kept = new TreeMap<>(recorded);
        kept.keySet().removeIf(name -> notRecorded(name).isPresent());
        return kept;
    }

    private static Optional<String> notRecorded(String name) {
        if (HOST.matcher(name).matches()) {
            return Optional.of("host or session variable");
        }
        return OWN.matcher(name).matches() ? Optional.of("stackshare variable") : Optional.empty();
    }

    private static Optional<Verdict> secretRules(String name, String value) {
        Optional<String> byName = SecretName.rule(name);
        if (byName.isPresent()) {
            return Optional.of(new Verdict(null, byName.get()));
        }
        if (SecretValue.holdsPasswordSetting(value)) {
            return Optional.of(new Verdict(null, "value holds password= or pwd="));
        }
        String stripped = SecretValue.withoutUrlPasswords(value);
        return stripped.equals(value) ? Optional.empty()
                : Optional.of(new Verdict(stripped, "user:password@ removed from a URL"));
    }

    private static void checkKeepable(String name) {
        if (name.isEmpty() || name.contains("=")) {
            // Never echo it: NAME=VALUE may hold the very secret.
            throw new UserError("--keep-env takes a variable's name only, like --keep-env GITHUB_PAT, not NAME=VALUE");
        }
        notRecorded(name).ifPresent(why -> {
            throw new UserError("--keep-env " + name + ": " + name + " is a " + why + ", which is never recorded"
                    + " (a node has its own)");
        });
    }
}
