package org.streamlab.sentiment.registry;

import org.streamlab.kernel.UserError;
import org.streamlab.sentiment.SentimentHead;

/**
 * The scorer's side of promotion: the head of the version an alias points to, reloaded from the registry when the
 * alias moves ({@link #refresh()}, e.g. before each micro-batch or once a minute). Scores are sentiments in [-1, 1].
 */
public final class ChampionScorer {
    private final ModelRegistry registry;
    private final String model;
    private final String alias;
    private volatile int version;
    private volatile SentimentHead head;

    public ChampionScorer(ModelRegistry registry, String model, String alias) {
        this.registry = registry;
        this.model = model;
        this.alias = alias;
        if (!refresh()) {
            throw new UserError("'" + model + "' has no version with the alias '" + alias + "' in " + registry.trackingUri(),
                    "register a version and promote it first");
        }
    }

    /** Loads the alias's version when it is not the one in use; true when the head changed. */
    public synchronized boolean refresh() {
        var current = registry.byAlias(model, alias);
        if (current.isEmpty() || current.get().version() == version) {
            return false;
        }
        head = registry.loadHead(current.get());
        version = current.get().version();
        return true;
    }

    /** The version in use. */
    public int version() {
        return version;
    }

    public SentimentHead head() {
        return head;
    }

    /** Sentiment in [-1, 1] of each embedding, with the head in use. */
    public double[] sentiment(float[][] embeddings) {
        SentimentHead h = head;
        double[] out = new double[embeddings.length];
        for (int i = 0; i < embeddings.length; i++) {
            out[i] = 2 * h.positiveProbability(embeddings[i]) - 1;
        }
        return out;
    }
}
