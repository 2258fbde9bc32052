package org.streamlab.sentiment.drift;

import java.util.List;
import org.streamlab.sentiment.SentimentModel;

/**
 * A window of scored texts: the texts, their sentence embeddings and the model's scores (sentiment in [-1, 1] or
 * p(positive): whatever the monitored model outputs), row i for text i.
 */
public record DriftWindow(List<String> texts, float[][] embeddings, double[] scores) {

    public DriftWindow {
        if (texts == null || embeddings == null || scores == null) {
            throw new IllegalArgumentException("texts, embeddings and scores must not be null");
        }
        texts = List.copyOf(texts);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("a window must hold at least one text");
        }
        if (embeddings.length != texts.size() || scores.length != texts.size()) {
            throw new IllegalArgumentException("a window needs one embedding and one score per text: " + texts.size()
                    + " texts, " + embeddings.length + " embeddings, " + scores.length + " scores");
        }
    }

    /** Embeds and scores {@code texts} with {@code model} (one batched call): the scores are its sentiment, 2p - 1. */
    public static DriftWindow score(SentimentModel model, List<String> texts) {
        float[][] embeddings = model.encoder().embed(texts);
        double[] scores = new double[embeddings.length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = 2 * model.head().positiveProbability(embeddings[i]) - 1;
        }
        return new DriftWindow(texts, embeddings, scores);
    }

    public int size() {
        return texts.size();
    }
}
