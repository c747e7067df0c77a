package dev.stackshare.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stackshare.protocol.Snapshot;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in Debian's headless Chromium: the login form, the token typed once, then the
 * page filled by its script from the API with the cookie; a screenshot is kept in target/.
 */
class StatusPageBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path tmp;

    @Test
    void aBrowserLogsInOnceAndSeesSnapshotsViewsAndTraffic() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (scripts/setup.sh installs them)");
        Path root = tmp.resolve("stack");
        Trees.sampleTree(root);
        try (StackshareServer server = StackshareServer.start(new ServerConfig(List.of(root),
                new InetSocketAddress("127.0.0.1", 0), tmp.resolve("state"), null))) {
            Snapshot second = server.publish("nightly");
            String token = Files.readString(server.tokenFile()).strip();
            try (WebDriver browser = WebDriver.start(CHROMEDRIVER, CHROMIUM, tmp.resolve("chromedriver.log"))) {
                browser.open(server.url().resolve("/"));
                browser.type(browser.find("input#token"), token);
                browser.click(browser.find("button[type=submit]"));
                String rows = "";
                for (int i = 0; i < 100 && !rows.contains(second.id()); i++) {
                    Thread.sleep(100);
                    rows = browser.script("const t = document.getElementById('snapshots'); return t ? t.innerText : '';")
                            .asText();
                }
                assertTrue(rows.contains(second.id()) && rows.contains(server.firstSnapshot().id()), rows);
                assertTrue(rows.contains("nightly"), rows);
                String views = browser.text(browser.find("#views"));
                assertTrue(views.contains("nightly") && views.contains(second.id()), views);
                Thread.sleep(2500); // one more poll, so the rates and the last publish show
                String tiles = browser.text(browser.find("#tiles"));
                assertTrue(tiles.contains("requests") && tiles.contains("last publish took"), tiles);
                assertEquals("", browser.script("return document.cookie;").asText(), "the session cookie is HttpOnly");
                Path shot = Path.of("target", "status-page.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, browser.screenshot());
                assertTrue(Files.size(shot) > 10_000, "a real screenshot: " + Files.size(shot) + " bytes");
                System.out.println("status page screenshot: " + shot.toAbsolutePath());
            }
        }
    }
}
