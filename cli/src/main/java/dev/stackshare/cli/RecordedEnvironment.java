package dev.stackshare.cli;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which of the developer's variables a snapshot records. Secrets are dropped by name, and so
 * are variables that describe the developer's host or session rather than the software set-up:
 * a batch node has its own values for those.
 */
final class RecordedEnvironment {
    /** Names that hold secrets: tokens, keys, passwords, credentials, agent sockets. */
    static final Pattern SECRET = Pattern.compile(
            "(?i).*(TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|COOKIE|SESSION_?ID).*"
                    + "|(?i).*_KEY|(?i)KEY|SSH_AGENT_PID|KRB5CCNAME|STACKSHARE_.*");
    /** Names that belong to the host or the login session, not to the set-up. */
    static final Pattern HOST = Pattern.compile(
            "HOME|USER|LOGNAME|USERNAME|HOSTNAME|HOST|PWD|OLDPWD|SHLVL|_|TERM|TERM_.*|COLORTERM|DISPLAY|WAYLAND_DISPLAY"
                    + "|SSH_.*|XDG_.*|DBUS_.*|TMPDIR|TMP|TEMP|MAIL|LS_COLORS|PS[1-4]|PROMPT_COMMAND|HISTFILE|HIST.*"
                    + "|SLURM_.*|_CONDOR_.*|PBS_.*|LSB_.*|TMUX|TMUX_PANE|STY|WINDOW|OLDPATH|BASH_FUNC_.*|LESSOPEN|LESSCLOSE"
                    + "|MOTD_SHOWN|SSH_AUTH_SOCK|GPG_AGENT_INFO|KRB5.*");

    private RecordedEnvironment() {
    }

    static Map<String, String> of(Map<String, String> env) {
        Map<String, String> kept = new TreeMap<>();
        env.forEach((name, value) -> {
            if (!SECRET.matcher(name).matches() && !HOST.matcher(name).matches()) {
                kept.put(name, value);
            }
        });
        return kept;
    }
}
