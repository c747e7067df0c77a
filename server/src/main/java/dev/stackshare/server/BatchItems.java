package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objects of a batch request in request order; one the server cannot give is a MISSING
 * frame, and the client may ask for it alone to learn why (404 or 409).
 */
final class BatchItems implements ItemSource {
    private static final Logger LOG = LoggerFactory.getLogger(BatchItems.class);

    private final Iterator<Digest> digests;
    private final ObjectLookup lookup;
    private final Counters counters;

    BatchItems(List<Digest> digests, ObjectLookup lookup, Counters counters) {
        this.digests = digests.iterator();
        this.lookup = lookup;
        this.counters = counters;
    }

    @Override
    public BatchStream.Item next() throws IOException {
        if (!digests.hasNext()) {
            return null;
        }
        Digest digest = digests.next();
        byte[] frame;
        try {
            frame = lookup.frame(digest);
        } catch (ContentChangedException e) {
            LOG.warn("batch: {}", e.getMessage());
            frame = null;
        }
        if (frame != null) {
            counters.objectServed(digest, frame.length);
        }
        return new BatchStream.Item(digest, frame);
    }
}
