package dev.stackshare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PycachePairingTest {
    private final PycachePairing pairing = new PycachePairing();

    @Test
    void validCompiledFilesAloneNeverPair() {
        for (String pkg : new String[] {"/a", "/b", "/c"}) {
            assertFalse(pairing.noteRead(pkg + "/__pycache__", "__init__.cpython-311.pyc"));
            assertFalse(pairing.noteRead(pkg + "/__pycache__", "mod.cpython-311.pyc"));
        }
        assertFalse(pairing.paired(), "the interpreter read only compiled files: sources would be wasted bytes");
    }

    @Test
    void sourcesAloneNeverPair() {
        assertFalse(pairing.noteRead("/a", "mod.py"));
        assertFalse(pairing.noteRead("/b", "mod.py"));
        assertFalse(pairing.noteRead("/c", "mod.py"));
    }

    @Test
    void sourcesReadAfterTheirCompiledFormsInTwoDirectoriesPair() {
        pairing.noteRead("/lib/a/__pycache__", "__init__.cpython-311.pyc");
        assertFalse(pairing.noteRead("/lib/a", "__init__.py"), "one directory is not yet evidence");
        assertFalse(pairing.noteRead("/lib/a", "other.py"), "nor is a second source in the same directory");
        pairing.noteRead("/lib/b/__pycache__", "__init__.cpython-311.pyc");
        assertTrue(pairing.noteRead("/lib/b", "__init__.py"));
        assertTrue(pairing.paired());
    }

    @Test
    void dataFilesBesideACompiledModuleAreNoEvidence() {
        pairing.noteRead("/a/__pycache__", "m.cpython-311.pyc");
        pairing.noteRead("/a", "table.json");
        pairing.noteRead("/b/__pycache__", "m.cpython-311.pyc");
        assertFalse(pairing.noteRead("/b", "font.ttf"));
    }

    @Test
    void aPackageAndItsPycacheArePartners() {
        assertEquals("/lib/pkg/__pycache__", PycachePairing.partnerOf("/lib/pkg"));
        assertEquals("/lib/pkg", PycachePairing.partnerOf("/lib/pkg/__pycache__"));
        assertEquals("/__pycache__", PycachePairing.partnerOf("/"));
        assertEquals("/", PycachePairing.partnerOf("/__pycache__"));
    }
}
