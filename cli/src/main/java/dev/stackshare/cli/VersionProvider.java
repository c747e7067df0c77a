package dev.stackshare.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Version of the build, the commit it was built from, and the Java runtime running it. */
final class VersionProvider implements CommandLine.IVersionProvider {
    /** Written at build time by git-commit-id-maven-plugin (cli/pom.xml). */
    static final String BUILD_PROPERTIES = "/stackshare-build.properties";

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {
            "stackshare " + (version == null ? "(development build)" : version) + " (" + commit() + ")",
            "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.home") + ")",
        };
    }

    /** "commit abc1234 of 2026-11-25T20:00:00Z", with "+ local changes" for a build of a dirty tree. */
    static String commit() {
        Properties build = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(BUILD_PROPERTIES)) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            // as if absent
        }
        String id = build.getProperty("git.commit.id.abbrev");
        if (id == null || id.isBlank()) {
            return "commit unknown: not built from a git clone";
        }
        return "commit " + id + " of " + build.getProperty("git.commit.time", "?")
                + ("true".equals(build.getProperty("git.dirty")) ? " + local changes" : "");
    }
}
