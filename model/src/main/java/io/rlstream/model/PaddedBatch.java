package io.rlstream.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.rlstream.model.nn.GptNetwork;
import java.util.List;

/**
 * Turns rows of token ids (PAD = 0 where a row has no token) into the three inputs of
 * {@link GptNetwork}: tokens, positions and the additive attention mask.
 *
 * <p>Rows are laid out as {@code [left padding][prompt][response][right padding]}. A query at
 * column i may attend key j when j ≤ i (causal) and j holds a real token; every query may attend
 * itself so that no softmax row is empty. Positions count real tokens from the row's start, so a
 * prompt gets the same positions whatever its padding.
 */
final class PaddedBatch {

    private PaddedBatch() {}

    /** Network inputs for the first {@code width} columns of {@code rows}, created in {@code scope}. */
    static NDList inputs(NDManager scope, int[][] rows, int width) {
        int batch = rows.length;
        long[] tokens = new long[batch * width];
        long[] positions = new long[batch * width];
        float[] mask = new float[batch * width * width];
        for (int b = 0; b < batch; b++) {
            int[] row = rows[b];
            int realSoFar = 0;
            for (int i = 0; i < width; i++) {
                boolean real = row[i] != CharTokenizer.PAD;
                tokens[b * width + i] = row[i];
                if (real) {
                    realSoFar++;
                }
                positions[b * width + i] = Math.max(realSoFar - 1, 0);
                int maskRow = (b * width + i) * width;
                for (int j = 0; j < width; j++) {
                    boolean allowed = j == i || (j < i && row[j] != CharTokenizer.PAD);
                    mask[maskRow + j] = allowed ? 0f : GptNetwork.NEG_INF;
                }
            }
        }
        return new NDList(
                scope.create(tokens, new Shape(batch, width)),
                scope.create(positions, new Shape(batch, width)),
                scope.create(mask, new Shape(batch, 1, width, width)));
    }

    /**
     * Left-pads each prompt to the longest prompt length and reserves {@code extra} columns after
     * it, all PAD.
     */
    static int[][] leftPadded(List<int[]> prompts, int promptWidth, int extra) {
        int[][] rows = new int[prompts.size()][promptWidth + extra];
        for (int b = 0; b < rows.length; b++) {
            int[] prompt = prompts.get(b);
            System.arraycopy(prompt, 0, rows[b], promptWidth - prompt.length, prompt.length);
        }
        return rows;
    }
}
