/**
 * The FUSE kernel protocol as it crosses {@code /dev/fuse}: decoding the kernel's requests,
 * encoding replies and notifications, and negotiating capabilities at INIT. Pure Java over
 * {@link java.nio.ByteBuffer}s in native byte order; no native calls, no device, no mounting.
 *
 * <p>This package knows nothing of files, snapshots or caches: node ids, file handles and names
 * are numbers and bytes to it. {@code /usr/include/linux/fuse.h} (protocol 7.38) is the
 * authority for every layout here; kernels from protocol 7.27 (Linux 4.18) on are supported.
 */
package dev.stackshare.client.fuse;
