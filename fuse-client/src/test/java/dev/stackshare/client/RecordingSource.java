package dev.stackshare.client;

import dev.stackshare.protocol.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** An object source that records what each call asked for (a get as a list of one) and answers from another. */
final class RecordingSource implements ObjectSource {
    final List<List<Digest>> calls = Collections.synchronizedList(new ArrayList<>());
    private final ObjectSource next;

    RecordingSource(ObjectSource next) {
        this.next = next;
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        calls.add(List.of(digest));
        return next.get(digest);
    }

    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        calls.add(List.copyOf(digests));
        for (Digest d : digests) {
            sink.accept(d, next.get(d));
        }
    }
}
