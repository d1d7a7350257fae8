package io.rlstream.testkit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a use-after-free of Java direct memory visible: collects garbage so that direct buffers no
 * longer referenced are freed, then allocates many small direct buffers filled with NaN, which the
 * allocator places in the freed memory. Native code still reading a freed buffer (a PyTorch tensor
 * made with {@code from_blob} over it, say) then reads NaN instead of the value it had.
 */
public final class FreedDirectMemory {

    private FreedDirectMemory() {}

    /**
     * Frees unreferenced direct buffers and overwrites their memory with NaN.
     *
     * @return the filler buffers: keep them referenced until the check is done
     */
    public static List<ByteBuffer> freeAndOverwrite() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50); // the cleaner frees the buffers on its own thread after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<ByteBuffer> filler = new ArrayList<>();
        for (int size : new int[] {4, 8, 16, 64, 256}) {
            for (int i = 0; i < 4000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
                while (b.remaining() >= 4) {
                    b.putFloat(Float.NaN);
                }
                filler.add(b);
            }
        }
        return filler;
    }
}
