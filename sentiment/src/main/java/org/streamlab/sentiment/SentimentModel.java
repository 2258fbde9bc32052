package org.streamlab.sentiment;

import java.util.List;

/**
 * A sentence encoder and a sentiment head: texts in, sentiment in [-1, 1] out ({@code 2p - 1}, p the head's
 * positive probability; -1 very negative, +1 very positive). Closing it closes the encoder. Thread safety and bad
 * input as in {@link SentenceEncoder}.
 */
public final class SentimentModel implements AutoCloseable {

    private final SentenceEncoder encoder;
    private final SentimentHead head;

    private SentimentModel(SentenceEncoder encoder, SentimentHead head) {
        this.encoder = encoder;
        this.head = head;
    }

    /** The head on all-MiniLM-L6-v2 with {@link EncoderOptions#defaults()}. */
    public static SentimentModel open(SentimentHead head) {
        return open(head, EncoderOptions.defaults());
    }

    /** The head on all-MiniLM-L6-v2; a {@link org.streamlab.kernel.UserError} if the head was trained on another encoder. */
    public static SentimentModel open(SentimentHead head, EncoderOptions options) {
        if (head == null) {
            throw new IllegalArgumentException("head must not be null");
        }
        head.requireCompatibleWith(EncoderModel.ALL_MINILM_L6_V2_Q); // before loading 23 MB of model
        return new SentimentModel(SentenceEncoder.open(options), head);
    }

    /** Sentiment of each text, in input order. */
    public double[] sentiment(List<String> texts) {
        float[][] embeddings = encoder.embed(texts);
        double[] out = new double[embeddings.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = 2 * head.positiveProbability(embeddings[i]) - 1;
        }
        return out;
    }

    /** Sentiment of one text. */
    public double sentiment(String text) {
        return 2 * head.positiveProbability(encoder.embed(text)) - 1;
    }

    public SentenceEncoder encoder() {
        return encoder;
    }

    public SentimentHead head() {
        return head;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
