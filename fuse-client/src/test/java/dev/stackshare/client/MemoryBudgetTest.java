package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    private static final long MB = 1L << 20;

    @Test
    void aBigHeapGivesTheCacheItsUpperBoundOnly() {
        assertEquals(MemoryBudget.MAX_BYTES, MemoryBudget.cacheBytes(4096 * MB, 5 * MB));
    }

    @Test
    void inTheMountsHeapAStacksSmallMetadataLeavesTheCacheHalfTheHeap() {
        assertEquals(125 * MB, MemoryBudget.cacheBytes(256 * MB, 6 * MB));
    }

    @Test
    void bigMetadataLeavesTheCacheHalfOfWhatIsLeft() {
        // Metadata of 128 MB: the cache gets what the old fixed bound gave.
        assertEquals(64 * MB, MemoryBudget.cacheBytes(256 * MB, 128 * MB));
    }

    @Test
    void metadataThatFillsTheHeapStillLeavesTheLowerBound() {
        assertEquals(MemoryBudget.MIN_BYTES, MemoryBudget.cacheBytes(256 * MB, 240 * MB));
        assertEquals(MemoryBudget.MIN_BYTES, MemoryBudget.cacheBytes(256 * MB, 400 * MB));
    }
}
