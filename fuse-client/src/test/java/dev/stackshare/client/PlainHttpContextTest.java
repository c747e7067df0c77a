package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyManagementException;
import org.junit.jupiter.api.Test;

/** The context an http-only client is given: what the HTTP client asks of it works, any TLS use is refused by name. */
class PlainHttpContextTest {
    @Test
    void givesParametersButRefusesEveryTlsUse() {
        PlainHttpContext context = new PlainHttpContext();
        assertNotNull(context.getDefaultSSLParameters());
        assertNotNull(context.getSupportedSSLParameters());
        for (Runnable use : new Runnable[] {context::createSSLEngine, () -> context.createSSLEngine("h", 1),
            context::getSocketFactory, context::getServerSocketFactory, context::getClientSessionContext}) {
            UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class, use::run);
            assertEquals("this client speaks plain http:// only", refused.getMessage());
        }
        assertThrows(KeyManagementException.class, () -> context.init(null, null, null));
    }
}
