package org.streamlab.sentiment.registry;

import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.streamlab.sentiment.SentimentHead;

/**
 * Promote-if-better: a candidate version takes the alias (e.g. {@code champion}) only when it scores strictly higher
 * than the version holding it, both measured by the same function on the same held-out data, at decision time. With
 * no champion yet the candidate is promoted.
 */
public final class Promotion {
    private Promotion() {}

    /** What was decided, and on which figures. {@code champion} is 0 when there was none. */
    public record Decision(int candidate, double candidateScore, int champion, double championScore, boolean promoted) {
        @Override
        public String toString() {
            String vs = champion == 0 ? "no champion yet" : String.format(Locale.ROOT, "champion v%d %.4f", champion, championScore);
            return String.format(Locale.ROOT, "candidate v%d %.4f vs %s: %s", candidate, candidateScore, vs, promoted ? "PROMOTED" : "kept the champion");
        }
    }

    /**
     * Evaluates the candidate and the alias's current version with {@code heldOutScore} (higher is better) and moves
     * the alias to the candidate only if it is strictly better.
     */
    public static Decision promoteIfBetter(ModelRegistry registry, String model, String alias, ModelRegistry.ModelVersion candidate,
                                           ToDoubleFunction<SentimentHead> heldOutScore) {
        double candidateScore = heldOutScore.applyAsDouble(registry.loadHead(candidate));
        Optional<ModelRegistry.ModelVersion> champion = registry.byAlias(model, alias);
        if (champion.isEmpty()) {
            registry.setAlias(model, alias, candidate.version());
            return new Decision(candidate.version(), candidateScore, 0, Double.NaN, true);
        }
        double championScore = heldOutScore.applyAsDouble(registry.loadHead(champion.get()));
        boolean better = candidateScore > championScore;
        if (better) {
            registry.setAlias(model, alias, candidate.version());
        }
        return new Decision(candidate.version(), candidateScore, champion.get().version(), championScore, better);
    }
}
