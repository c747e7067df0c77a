package dev.stackshare.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack: the developer's shell holds the usual secrets when `serve` starts, under names and
 * in values the old name rule let through. The snapshot record, which every holder of the token
 * and every job reads, must hold none of them; `--keep-env` must keep the one asked for.
 */
class EnvironmentSecretsIT {
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path base;

    /** A secret no other text of the run can hold by chance. */
    private static String secret() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return "s3cr3t" + HexFormat.of().formatHex(bytes);
    }

    @Test
    void theUsualSecretsInTheDevelopersShellNeverReachTheSnapshot() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>(); // name -> the secret part of its value
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("GITHUB_PAT", "DB_PWD", "PASS", "DATABASE_URL", "HTTP_PROXY", "SQL_CONNECTION")) {
            secrets.put(name, secret());
        }
        env.put("GITHUB_PAT", "ghp_" + secrets.get("GITHUB_PAT"));
        env.put("DB_PWD", secrets.get("DB_PWD"));
        env.put("PASS", secrets.get("PASS"));
        env.put("DATABASE_URL", "postgres://u:" + secrets.get("DATABASE_URL") + "@h/db");
        env.put("HTTP_PROXY", "http://u:" + secrets.get("HTTP_PROXY") + "@proxy:3128");
        env.put("SQL_CONNECTION", "Server=db;Database=d;Password=" + secrets.get("SQL_CONNECTION") + ";");
        String kept = secret();
        env.put("NPM_TOKEN", kept);
        env.put("STACKSHARE_JAVA_OPTS", "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug");

        Path stack = Files.createDirectories(base.resolve("stack/bin"));
        Files.writeString(stack.resolve("tool"), "echo tool\n");
        Path state = base.resolve("state");
        List<String> serveArgs = List.of("--root", stack.toString(), "--listen", "127.0.0.1:0", "--state-dir",
                state.toString(), "--keep-env", "NPM_TOKEN", "--verbose");

        List<String> dryRunCommand = new ArrayList<>(List.of(CliIT.LAUNCHER.toString(), "serve", "--dry-run"));
        dryRunCommand.addAll(serveArgs);
        Sh.Result dryRun = Sh.run(dryRunCommand, env, 120);
        assertEquals(0, dryRun.exit(), dryRun.toString());
        Map<String, String> rules = Map.of("GITHUB_PAT", "dropped +GITHUB_PAT +secret name \\(part PAT\\)",
                "DB_PWD", "dropped +DB_PWD +secret name \\(part PWD\\)", "PASS", "dropped +PASS +secret name \\(PASS\\)",
                "DATABASE_URL", "changed +DATABASE_URL +user:password@ removed from a URL",
                "HTTP_PROXY", "changed +HTTP_PROXY +user:password@ removed from a URL",
                "SQL_CONNECTION", "dropped +SQL_CONNECTION +value holds password= or pwd=",
                "NPM_TOKEN", "kept +NPM_TOKEN +--keep-env \\(else secret name \\(TOKEN\\)\\)");
        rules.forEach((name, line) -> assertTrue(dryRun.out().matches("(?s).*\\n" + line + "\\n.*"),
                "dry-run names " + name + " and its rule:\n" + dryRun.out()));

        Map<String, String> searched = new LinkedHashMap<>(); // where -> what it holds
        searched.put("dry-run's output", dryRun.out() + dryRun.err());
        Path log = base.resolve("serve.log");
        String record;
        Sh.Result printed;
        try (ServeProcess serve = ServeProcess.start(serveArgs, env, log)) {
            String token = Files.readString(state.resolve("token")).strip();
            HttpRequest get = HttpRequest.newBuilder(URI.create(serve.url() + "/v1/snapshots/" + serve.firstSnapshot()))
                    .header("Authorization", "Bearer " + token).build();
            HttpResponse<String> answer = HttpClient.newHttpClient().send(get, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            record = answer.body();
            printed = CliIT.ss(Map.of("STACKSHARE_TOKEN", token), "env", "--server", serve.url(), "--snapshot",
                    serve.firstSnapshot(), "--same-paths");
            assertEquals(0, printed.exit(), printed.toString());
        }
        searched.put("the record over the API", record);
        searched.put("env's output", printed.out() + printed.err());
        String serveLog = Files.readString(log);
        assertTrue(serveLog.contains("DEBUG"), "serve logged at debug level:\n" + serveLog);
        searched.put("serve's debug log", serveLog);
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                searched.put("state file " + state.relativize(f), text);
            }
        }
        searched.forEach((where, text) -> secrets.forEach((name, value) ->
                assertFalse(text.contains(value), where + " holds the secret of " + name)));
        assertTrue(printed.out().contains("export DATABASE_URL='postgres://h/db'\n"), printed.out());
        assertTrue(printed.out().contains("export HTTP_PROXY='http://proxy:3128'\n"), printed.out());
        assertTrue(printed.out().contains("export NPM_TOKEN='" + kept + "'\n"), "--keep-env keeps it:\n" + printed.out());
        assertTrue(record.contains(kept), record);
        System.out.printf("EnvironmentSecretsIT: %d secrets in serve's environment (%s), 1 kept by --keep-env; "
                + "searched %d places (dry-run's output, the record over the API, env's output, serve's debug log, "
                + "%d state files): 0 found; dry-run named all %d with their rules%n", secrets.size(),
                String.join(", ", secrets.keySet()), searched.size(), searched.size() - 4, rules.size());
    }
}
