package org.streamlab.sentiment;

import java.io.Serializable;

/**
 * How a {@link SentenceEncoder} runs.
 *
 * @param batchSize      texts per ONNX Runtime call; {@link SentenceEncoder#embed(java.util.List)} sorts texts by
 *                       token count first, so a batch pads to similar lengths (1 = one call per text)
 * @param maxTokens      longer texts are truncated to this many tokens, [CLS] and [SEP] included (the model was
 *                       trained on at most 128; its position table allows 512)
 * @param intraOpThreads ONNX Runtime threads inside one call; 1 on a shared or loaded machine, and with one
 *                       encoder per Flink subtask (the subtasks are the parallelism)
 */
public record EncoderOptions(int batchSize, int maxTokens, int intraOpThreads) implements Serializable {

    /** The model's position table: no input can be longer. */
    public static final int MODEL_MAX_TOKENS = 512;

    public EncoderOptions {
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("batchSize must be between 1 and 4096, was " + batchSize);
        }
        if (maxTokens < 3 || maxTokens > MODEL_MAX_TOKENS) {
            throw new IllegalArgumentException("maxTokens must be between 3 and " + MODEL_MAX_TOKENS + ", was " + maxTokens);
        }
        if (intraOpThreads < 1 || intraOpThreads > 256) {
            throw new IllegalArgumentException("intraOpThreads must be between 1 and 256, was " + intraOpThreads);
        }
    }

    /** Batches of 32, 128 tokens (the model's training length), 1 ONNX Runtime thread. */
    public static EncoderOptions defaults() {
        return new EncoderOptions(32, 128, 1);
    }

    public EncoderOptions withBatchSize(int batchSize) {
        return new EncoderOptions(batchSize, maxTokens, intraOpThreads);
    }

    public EncoderOptions withMaxTokens(int maxTokens) {
        return new EncoderOptions(batchSize, maxTokens, intraOpThreads);
    }

    public EncoderOptions withIntraOpThreads(int intraOpThreads) {
        return new EncoderOptions(batchSize, maxTokens, intraOpThreads);
    }
}
