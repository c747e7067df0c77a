package dev.stackshare.client;

import dev.stackshare.protocol.BatchStream;
import dev.stackshare.protocol.Compression;
import dev.stackshare.protocol.Digest;
import dev.stackshare.protocol.ProtocolException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The bottom layer: objects from the server, inflated but not yet verified. */
final class HttpObjectSource implements ObjectSource {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(HttpObjectSource.class);
    private final ServerClient client;
    private final int maxBatch;
    /** A pack offered for the next fetch of (most of) its objects: the trace prefetch's. */
    private final java.util.concurrent.atomic.AtomicReference<Pack> offered = new java.util.concurrent.atomic.AtomicReference<>();

    /** Directories offered for the next fetch of their small files; few, each used once. */
    private final java.util.concurrent.ConcurrentLinkedDeque<DirectoryOffer> directories =
            new java.util.concurrent.ConcurrentLinkedDeque<>();
    /** Offers kept at most: one a directory being batched, bounded so unused ones cannot pile up. */
    static final int MAX_DIRECTORY_OFFERS = 64;

    /** A stored list of digests on the server (its digest names it) and its objects in order. */
    record Pack(Digest name, List<Digest> members) {
    }

    /** A directory's GET form: its digest, the chunk size that picks its small files, and those files. */
    record DirectoryOffer(Digest directory, int chunkSize, Set<Digest> members) {
    }

    HttpObjectSource(ServerClient client) {
        this(client, BatchStream.MAX_BATCH_DIGESTS);
    }

    HttpObjectSource(ServerClient client, int maxBatch) {
        this.client = client;
        this.maxBatch = maxBatch;
    }

    @Override
    public byte[] get(Digest digest) throws IOException {
        return inflate(digest, client.object(digest));
    }

    /**
     * Offers a pack for the next {@link #getEach} that asks for at least 90 % of its objects and
     * nothing else: that fetch is then one {@code GET /v1/packs/...} (a sequential read on the
     * server, cacheable by HTTP caches) instead of a POST batch. Used once.
     */
    void offerPack(Digest name, List<Digest> members) {
        offered.set(new Pack(name, List.copyOf(members)));
    }

    /**
     * Offers a directory's small files ({@link dev.stackshare.protocol.SmallFiles}) for the next
     * {@link #getEach} that asks for some of them and nothing else: that fetch is then one
     * {@code GET /v1/dirs/...}, which HTTP caches keep, instead of a POST batch. Used once.
     */
    void offerDirectory(Digest directory, int chunkSize, List<Digest> members) {
        directories.addFirst(new DirectoryOffer(directory, chunkSize, Set.copyOf(members)));
        while (directories.size() > MAX_DIRECTORY_OFFERS) {
            directories.pollLast();
        }
    }

    /** Streams the objects in batches of at most {@code maxBatch}, each handed on as its frame arrives. */
    @Override
    public void getEach(Collection<Digest> digests, Sink sink) throws IOException {
        List<Digest> unique = new ArrayList<>(new LinkedHashSet<>(digests));
        Set<Digest> arrived = new HashSet<>();
        List<Digest> missing = new ArrayList<>();
        DirectoryOffer directory = takeDirectory(unique);
        if (directory != null) {
            Set<Digest> wanted = new HashSet<>(unique);
            boolean answered;
            try {
                answered = client.dirFiles(directory.directory(), directory.chunkSize(), item -> {
                    if (wanted.contains(item.digest()) && !item.missing() && arrived.add(item.digest())) {
                        sink.accept(item.digest(), inflate(item.digest(), item.frame()));
                    }
                });
            } catch (IOException e) {
                // A cut answer (a file changed since publish) or a failed server: what did not
                // arrive is asked for by POST below, which says what is missing.
                log.debug("directory {}: {}; asking for the rest by batch", directory.directory().shortHex(), e.getMessage());
                answered = true;
            }
            if (answered) {
                unique = unique.stream().filter(d -> !arrived.contains(d)).toList();
            }
        }
        Pack pack = offered.get();
        if (pack != null && unique.size() * 10L >= pack.members().size() * 9L
                && new HashSet<>(pack.members()).containsAll(unique) && offered.compareAndSet(pack, null)) {
            Set<Digest> wanted = new HashSet<>(unique);
            boolean answered = client.pack(pack.name(), item -> {
                if (!wanted.contains(item.digest())) {
                    return; // a member this fetch did not ask for (already held)
                }
                if (item.missing()) {
                    missing.add(item.digest());
                } else if (arrived.add(item.digest())) {
                    sink.accept(item.digest(), inflate(item.digest(), item.frame()));
                }
            });
            if (answered) {
                unique = unique.stream().filter(d -> !arrived.contains(d) && !missing.contains(d)).toList();
            }
        }
        for (int from = 0; from < unique.size(); from += maxBatch) {
            List<Digest> part = unique.subList(from, Math.min(unique.size(), from + maxBatch));
            client.batch(part, item -> {
                if (item.missing()) {
                    missing.add(item.digest());
                } else if (arrived.add(item.digest())) {
                    sink.accept(item.digest(), inflate(item.digest(), item.frame()));
                }
            });
        }
        for (Digest d : unique) {
            if (!arrived.contains(d) && !missing.contains(d)) {
                missing.add(d);
            }
        }
        if (!missing.isEmpty()) {
            throw new ClientException(ClientException.UNKNOWN_OBJECT, "server " + client.server() + " does not have "
                    + missing.size() + " of " + unique.size() + " objects asked for, e.g. " + missing.get(0).hex()
                    + "; was their snapshot garbage-collected?");
        }
    }

    /** The offered directory whose members include every digest asked for, removed from the offers; or null. */
    private DirectoryOffer takeDirectory(List<Digest> unique) {
        if (unique.isEmpty()) {
            return null;
        }
        for (DirectoryOffer offer : directories) {
            if (offer.members().containsAll(unique) && directories.remove(offer)) {
                return offer;
            }
        }
        return null;
    }

    private byte[] inflate(Digest digest, byte[] frame) throws ProtocolException {
        try {
            return Compression.decompress(frame);
        } catch (ProtocolException e) {
            throw new ProtocolException("object " + digest.hex() + " from " + client.server() + ": " + e.getMessage(), e);
        }
    }
}
