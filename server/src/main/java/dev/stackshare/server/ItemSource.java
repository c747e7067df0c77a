package dev.stackshare.server;

import dev.stackshare.protocol.BatchStream;
import java.io.IOException;

/** The objects of a streamed answer, produced one at a time on a blocking thread. */
interface ItemSource {
    /** The next item, or null at the end. May block on disk. */
    BatchStream.Item next() throws IOException;
}
