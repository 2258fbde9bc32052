package org.streamlab.pipelines.sentiment;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.streamlab.sentiment.SentimentHead;
import org.streamlab.sentiment.registry.ChampionScorer;
import org.streamlab.sentiment.registry.ModelRegistry;

/**
 * Where the scoring operator takes its head from: a fixed head (Phase 5 / 02), or the version an MLflow registry alias
 * points to (Phase 5 / 03's {@code champion}), checked again at most every {@code refreshEvery} and reloaded when the
 * alias has moved, so a promotion reaches the running job without a redeploy.
 */
public interface HeadSource extends Serializable {

    /** Opened once per parallel instance, in the operator's {@code open()}. */
    Handle open();

    /** The head in use, and what scored a review. */
    interface Handle extends AutoCloseable {
        SentimentHead head();

        /** The registry version in use ({@code models:/NAME/VERSION}), or null for a fixed head. */
        String model();

        /** Reloads the head when the source says it changed (and a check is due); true when it changed. */
        boolean refresh();

        @Override
        void close();
    }

    /** Always {@code head}. */
    static HeadSource fixed(SentimentHead head) {
        Objects.requireNonNull(head, "head");
        return () -> new Handle() {
            public SentimentHead head() { return head; }
            public String model() { return null; }
            public boolean refresh() { return false; }
            public void close() {}
        };
    }

    /**
     * The head of the version {@code alias} points to in the registry at {@code trackingUri}, looked up again at most
     * every {@code refreshEvery} (before a batch is scored). When the registry cannot be reached, the head in use
     * stays and the next check tries again.
     */
    static HeadSource champion(String trackingUri, String model, String alias, Duration refreshEvery) {
        Objects.requireNonNull(trackingUri, "trackingUri");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(alias, "alias");
        long everyNanos = refreshEvery.toNanos();
        return new HeadSource() {
            private static final long serialVersionUID = 1L;

            @Override
            public Handle open() {
                ModelRegistry registry = new ModelRegistry(trackingUri);
                ChampionScorer scorer;
                try {
                    scorer = new ChampionScorer(registry, model, alias);
                } catch (RuntimeException e) {
                    registry.close();
                    throw e;
                }
                Logger log = LoggerFactory.getLogger(HeadSource.class);
                log.info("scoring with {}@{} = version {}", model, alias, scorer.version());
                return new Handle() {
                    private long lastCheck = System.nanoTime();

                    public SentimentHead head() { return scorer.head(); }

                    public String model() { return "models:/" + model + "/" + scorer.version(); }

                    public boolean refresh() {
                        long now = System.nanoTime();
                        if (now - lastCheck < everyNanos) {
                            return false;
                        }
                        lastCheck = now;
                        try {
                            boolean changed = scorer.refresh();
                            if (changed) {
                                log.info("{}@{} moved: scoring with version {}", model, alias, scorer.version());
                            }
                            return changed;
                        } catch (RuntimeException e) {
                            log.warn("cannot look up {}@{} at {} ({}): still scoring with version {}", model, alias, trackingUri,
                                    e.getMessage(), scorer.version());
                            return false;
                        }
                    }

                    public void close() { registry.close(); }
                };
            }

            @Override
            public String toString() {
                return model + "@" + alias + " from " + trackingUri + " (checked every " + refreshEvery.toMillis() + " ms)";
            }
        };
    }
}
