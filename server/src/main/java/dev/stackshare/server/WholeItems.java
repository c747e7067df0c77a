package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import java.io.IOException;

/**
 * Items of an answer marked immutable: one the server cannot give (a stable file changed, an
 * object collected) cuts the answer off instead of becoming a MISSING frame, because a truncated
 * body is one no HTTP cache keeps, while a whole one with a hole would be handed out for a year.
 * The client then fetches the objects alone and learns why (404 or 409).
 */
final class WholeItems implements ItemSource {
    private final ItemSource items;
    private final String what;

    WholeItems(ItemSource items, String what) {
        this.items = items;
        this.what = what;
    }

    @Override
    public BatchStream.Item next() throws IOException {
        BatchStream.Item item = items.next();
        if (item != null && item.missing()) {
            throw new IOException("object " + item.digest().hex() + " of the answer for " + what
                    + " cannot be served; answer cut off so no cache keeps it");
        }
        return item;
    }
}
