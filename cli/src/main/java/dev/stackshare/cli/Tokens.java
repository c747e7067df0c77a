package dev.stackshare.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Where a client finds the server's token: a file named on the command line, the environment, or the local state dir. */
final class Tokens {
    static final String ENV = "STACKSHARE_TOKEN";

    private Tokens() {
    }

    static String resolve(Path tokenFile) throws IOException {
        if (tokenFile != null) {
            return read(tokenFile);
        }
        String fromEnv = System.getenv(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.strip();
        }
        Path local = Paths.defaultStateDir().resolve("token");
        if (Files.isReadable(local)) {
            return read(local);
        }
        throw new UserError("no token: give --token-file FILE (the server's state dir token) or set " + ENV);
    }

    /** The first line of standard input: how a background mount process gets the token from its parent. */
    static String fromStdin() throws IOException {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.US_ASCII))
                .readLine();
        if (line == null || line.isBlank()) {
            throw new UserError("no token on standard input");
        }
        return line.strip();
    }

    private static String read(Path file) throws IOException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new UserError("token file " + file + " does not exist; copy the server's STATE/token or set " + ENV);
        }
        if (token.isEmpty()) {
            throw new UserError("token file " + file + " is empty; copy the server's STATE/token there");
        }
        return token;
    }
}
