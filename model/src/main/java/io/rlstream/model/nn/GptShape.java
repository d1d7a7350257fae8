package io.rlstream.model.nn;

/**
 * The sizes {@link GptNetwork} is built from. An interface, not a record of its own, so that the
 * network does not depend on the policy that uses it: {@code io.rlstream.model.PolicyConfig}
 * (validated, stored in checkpoint metadata) implements it with its record components.
 */
public interface GptShape {

    /** Number of token ids: rows of the token embedding and width of the output head. */
    int vocabSize();

    /** Longest sequence: rows of the position embedding. */
    int contextLength();

    /** Width of the residual stream. */
    int embedDim();

    /** Number of decoder layers. */
    int layers();

    /** Attention heads per layer; divides {@link #embedDim()}. */
    int heads();

    /** Hidden width of each layer's MLP. */
    int mlpHidden();
}
