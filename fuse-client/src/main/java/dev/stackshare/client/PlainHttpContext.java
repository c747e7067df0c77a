package dev.stackshare.client;

import java.security.KeyManagementException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The TLS context of a client that only ever speaks plain {@code http://}: one that refuses any
 * TLS use.
 *
 * <p>Why: {@code java.net.http} builds the JVM's default TLS context when it is given none, even
 * for a client that never opens a TLS connection; that loads the JSSE provider and the CA store,
 * about 0.1 s of every short command's start here (a class-loading log of {@code stackshare
 * publish}). A client with an https URL gets a real context (the pinned one, or the default).
 */
final class PlainHttpContext extends SSLContext {
    private static final String REFUSED = "this client speaks plain http:// only";

    PlainHttpContext() {
        super(new Refusing(), new Provider("stackshare-plain-http", "1", "no TLS") {
        }, "none");
    }

    private static final class Refusing extends SSLContextSpi {
        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random) throws KeyManagementException {
            throw new KeyManagementException(REFUSED);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw new UnsupportedOperationException(REFUSED);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException(REFUSED);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw new UnsupportedOperationException(REFUSED);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw new UnsupportedOperationException(REFUSED);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw new UnsupportedOperationException(REFUSED);
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw new UnsupportedOperationException(REFUSED);
        }

        /** Asked for by the HTTP client when it is built; empty parameters cost nothing. */
        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return new SSLParameters();
        }
    }
}
