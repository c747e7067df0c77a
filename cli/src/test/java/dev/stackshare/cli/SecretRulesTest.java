package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stackshare.cli.RecordedEnvironment.Action;
import dev.stackshare.cli.RecordedEnvironment.Capture;
import dev.stackshare.cli.RecordedEnvironment.Change;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The three rules that keep secrets out of a snapshot's recorded environment, and --keep-env. */
class SecretRulesTest {
    private static void assertDroppedBy(String word, String... names) {
        for (String name : names) {
            assertEquals(Optional.of("secret name (" + word + ")"), SecretName.rule(name), name);
        }
    }

    @Test
    void namesThatLookLikeSecretsAreDropped() {
        assertDroppedBy("part PAT", "GITHUB_PAT", "MY_PAT_X", "PAT", "github_pat");
        assertDroppedBy("part PWD", "DB_PWD", "MYSQL_PWD");
        assertDroppedBy("PASS", "PASS", "PASSWORD", "DB_PASSWD", "MYSQLPASSWORD", "PGPASSFILE", "SSH_PASSPHRASE",
                "COMPASS_PASSWORD");
        assertDroppedBy("SECRET", "AWS_SECRET_ACCESS_KEY", "CLIENTSECRET");
        assertDroppedBy("TOKEN", "GH_TOKEN", "GITHUBTOKEN");
        assertDroppedBy("AUTH", "NPM_AUTH", "OAUTH2_CLIENT", "HTTP_AUTHORIZATION", "XAUTHORITY");
        assertDroppedBy("CREDENTIAL", "GOOGLE_APPLICATION_CREDENTIALS");
        assertDroppedBy("part ending in KEY", "API_KEY", "APIKEY", "KEY", "AWS_ACCESS_KEY_ID", "SSH_KEYS", "signingkey",
                "KEY_FILE");
        assertDroppedBy("PRIVATE", "GPG_PRIVATE");
        assertDroppedBy("COOKIE", "BROWSER_COOKIE");
        assertDroppedBy("SESSION_ID", "SESSIONID");
    }

    /** Words that contain a rule's letters without being secrets, which users would hate to lose. */
    @Test
    void namesThatOnlyResembleSecretsAreKept() {
        for (String name : List.of("PATH", "PYTHONPATH", "LD_LIBRARY_PATH", "MANPATH", "PKG_CONFIG_PATH", "CLASSPATH",
                "CMAKE_PREFIX_PATH", "PATCH_LEVEL", "PATTERN", "SPATIAL_INDEX", "OLDPWD", "PWDX", "COMPASS_HOME",
                "BYPASS_CACHE", "FTP_PASSIVE_MODE", "AUDIO_PASSTHROUGH", "TOKENIZERS_PARALLELISM", "GIT_AUTHOR_NAME",
                "GIT_AUTHOR_EMAIL", "AUTHORS", "KEYBOARD", "XKB_KEYMAP", "KRB_KEYTAB", "KEYTAB", "SSHKEYFILE",
                "JAVA_KEYSTORE", "MONKEY", "GEVENT_MONKEY_PATCH", "HOTKEY", "TURNKEY", "DONKEYS", "KEYRING_BACKEND", "LANG",
                "OMP_NUM_THREADS", "SETUP_AFW", "AFW_DIR", "CONDA_PREFIX", "EUPS_PATH")) {
            assertEquals(Optional.empty(), SecretName.rule(name), name);
        }
    }

    @Test
    void urlPasswordsAreRemovedWhereverTheyStand() {
        Map<String, String> cases = Map.of(
                "http://u:pw@proxy:3128", "http://proxy:3128",
                "postgres://u:pw@h/db", "postgres://h/db",
                "mongodb+srv://admin:p@ss:w0rd@cluster0.example/x?retryWrites=true",
                "mongodb+srv://cluster0.example/x?retryWrites=true",
                "http://a:1@h1,https://b:2@h2;socks5://c:3@h3 ftp://d:4@h4:/x",
                "http://h1,https://h2;socks5://h3 ftp://h4:/x",
                "git+ssh://git@github.com/a/b.git", "git+ssh://git@github.com/a/b.git",
                "http://alice@h1,http://u:pw@h2/p", "http://alice@h1,http://h2/p",
                "/opt/stack/bin:/usr/bin", "/opt/stack/bin:/usr/bin",
                "user:pw@host without a scheme", "user:pw@host without a scheme");
        cases.forEach((value, expected) -> assertEquals(expected, SecretValue.withoutUrlPasswords(value), value));
    }

    @Test
    void passwordSettingsInValuesAreFound() {
        for (String value : List.of("Server=x;Database=d;Password=y", "DRIVER={ODBC};UID=u;PWD=p", "host=h password = p",
                "jdbc:mysql://h/db?user=u&password=p", "passwd=x", "PASSWORD=")) {
            assertTrue(SecretValue.holdsPasswordSetting(value), value);
        }
        for (String value : List.of("Server=x;Database=d;Trusted_Connection=yes", "password", "/home/a/pwd/bin",
                "--pwd", "Passwords.txt")) {
            assertFalse(SecretValue.holdsPasswordSetting(value), value);
        }
    }

    private static Map<String, String> attack() {
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_PAT", "ghp_pat1");
        env.put("DB_PWD", "pwd2");
        env.put("PASS", "pass3");
        env.put("DATABASE_URL", "postgres://u:pw4@h/db");
        env.put("HTTP_PROXY", "http://u:pw5@proxy:3128");
        env.put("SQL_CONN", "Server=x;Database=d;Password=pw6");
        env.put("PATH", "/a/bin:/usr/bin");
        env.put("PYTHONPATH", "/a/py");
        env.put("PWD", "/home/a/work");
        env.put("HOME", "/home/a");
        env.put("STACKSHARE_TOKEN", "tok7");
        return env;
    }

    @Test
    void captureDropsChangesAndReportsByName() {
        Capture c = RecordedEnvironment.capture(attack(), Set.of());
        assertEquals(Map.of("DATABASE_URL", "postgres://h/db", "HTTP_PROXY", "http://proxy:3128", "PATH", "/a/bin:/usr/bin",
                "PYTHONPATH", "/a/py"), c.recorded());
        assertEquals(List.of(
                new Change("DATABASE_URL", Action.CHANGED, "user:password@ removed from a URL"),
                new Change("DB_PWD", Action.DROPPED, "secret name (part PWD)"),
                new Change("GITHUB_PAT", Action.DROPPED, "secret name (part PAT)"),
                new Change("HOME", Action.DROPPED, "host or session variable"),
                new Change("HTTP_PROXY", Action.CHANGED, "user:password@ removed from a URL"),
                new Change("PASS", Action.DROPPED, "secret name (PASS)"),
                new Change("PWD", Action.DROPPED, "host or session variable"),
                new Change("SQL_CONN", Action.DROPPED, "value holds password= or pwd="),
                new Change("STACKSHARE_TOKEN", Action.DROPPED, "stackshare variable")), c.changes());
    }

    @Test
    void keepEnvBypassesEachSecretRuleForItsNameOnly() {
        Capture c = RecordedEnvironment.capture(attack(), Set.of("GITHUB_PAT", "HTTP_PROXY", "SQL_CONN", "NOT_SET"));
        assertEquals("ghp_pat1", c.recorded().get("GITHUB_PAT"));
        assertEquals("http://u:pw5@proxy:3128", c.recorded().get("HTTP_PROXY"));
        assertEquals("Server=x;Database=d;Password=pw6", c.recorded().get("SQL_CONN"));
        assertEquals("postgres://h/db", c.recorded().get("DATABASE_URL"));
        assertFalse(c.recorded().containsKey("DB_PWD"));
        assertTrue(c.changes().contains(new Change("GITHUB_PAT", Action.KEPT, "secret name (part PAT)")), c.changes()
                .toString());
        assertTrue(c.changes().contains(new Change("SQL_CONN", Action.KEPT, "value holds password= or pwd=")));
    }

    @Test
    void keepEnvRefusesWhatIsNeverRecordedWithoutEchoingAValue() {
        UserError host = assertThrows(UserError.class, () -> RecordedEnvironment.capture(attack(), Set.of("HOME")));
        assertEquals("--keep-env HOME: HOME is a host or session variable, which is never recorded (a node has its own)",
                host.getMessage());
        assertThrows(UserError.class, () -> RecordedEnvironment.capture(attack(), Set.of("STACKSHARE_TOKEN")));
        UserError pair = assertThrows(UserError.class,
                () -> RecordedEnvironment.capture(attack(), Set.of("GITHUB_PAT=ghp_x")));
        assertFalse(pair.getMessage().contains("ghp_x"), pair.getMessage());
    }

    @Test
    void aJobGetsKeptSecretsButNeverHostOrStackshareVariables() {
        Map<String, String> record = Map.of("GITHUB_PAT", "kept", "HOME", "/home/a", "STACKSHARE_TOKEN", "old", "PATH", "/a");
        assertEquals(Map.of("GITHUB_PAT", "kept", "PATH", "/a"), RecordedEnvironment.applied(record));
    }

    @Test
    void dryRunNamesEachVariableAndRuleButNoValue() {
        StringWriter text = new StringWriter();
        DryRun.print(RecordedEnvironment.capture(attack(), Set.of("PASS")), new PrintWriter(text));
        String out = text.toString();
        assertTrue(out.matches("(?s).*\\ndropped +GITHUB_PAT +secret name \\(part PAT\\)\\n.*"), out);
        assertTrue(out.matches("(?s).*\\nchanged +HTTP_PROXY +user:password@ removed from a URL\\n.*"), out);
        assertTrue(out.matches("(?s).*\\nkept +PASS +--keep-env \\(else secret name \\(PASS\\)\\)\\n.*"), out);
        assertTrue(out.contains("5 variables recorded: 6 dropped, 2 changed, 1 kept by --keep-env"), out);
        for (String value : List.of("ghp_pat1", "pwd2", "pass3", "pw4", "pw5", "pw6", "tok7", "/home/a")) {
            assertFalse(out.contains(value), value + " in\n" + out);
        }
    }
}
