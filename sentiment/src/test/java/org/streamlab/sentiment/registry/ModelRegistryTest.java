package org.streamlab.sentiment.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.sentiment.SentimentHead;

/**
 * Against a real MLflow server (the venv ./streamlab setup makes, .venv-mlflow at the repository root, or
 * STREAMLAB_MLFLOW_VENV): heads logged and registered as versions, promote-if-better with the champion alias, the
 * scorer following the alias, and the registry surviving a server restart on the same folder.
 */
class ModelRegistryTest {
    static final String MODEL = "sentiment-test";

    /** 400 points in 3-D, positive when x0 > 0: a head's accuracy is known from its weights. */
    static final float[][] X = new float[400][];
    static final int[] Y = new int[400];

    static {
        Random r = new Random(7);
        for (int i = 0; i < X.length; i++) {
            X[i] = new float[] {(float) r.nextGaussian(), (float) r.nextGaussian(), (float) r.nextGaussian()};
            Y[i] = X[i][0] > 0 ? 1 : 0;
        }
    }

    static double accuracy(SentimentHead head) {
        int ok = 0;
        for (int i = 0; i < X.length; i++) {
            if ((head.positiveProbability(X[i]) >= 0.5 ? 1 : 0) == Y[i]) ok++;
        }
        return (double) ok / X.length;
    }

    static ModelRegistry.ModelVersion registerHead(ModelRegistry registry, String name, double... weights) {
        SentimentHead head = SentimentHead.of("test-encoder", weights, 0);
        String runId = registry.logHead("registry-test", name, head, Map.of("night", name), Map.of("heldout_accuracy", accuracy(head)));
        return registry.register(MODEL, runId);
    }

    @Test
    void promotesOnlyBetterVersionsAndTheScorerFollows(@TempDir Path dir) {
        ModelRegistry.ModelVersion good, worse, same, best;
        ChampionScorer scorer;
        MlflowServer firstServer;
        try (MlflowServer server = MlflowServer.start(dir); ModelRegistry registry = new ModelRegistry(server)) {
            firstServer = server;
            assertTrue(server.uri().startsWith("http://127.0.0.1:"), server.uri());
            assertTrue(server == MlflowServer.start(dir), "a second start on the same folder returns the running server");
            assertTrue(registry.byAlias(MODEL, "champion").isEmpty(), "no champion before the first version");

            good = registerHead(registry, "good", 1, 0.8, 0);
            assertEquals(1, good.version());
            assertEquals(accuracy(SentimentHead.of("x", new double[] {1, 0.8, 0}, 0)), good.metric("heldout_accuracy"), 1e-12);
            SentimentHead loaded = registry.loadHead(good);
            assertArrayEquals(new double[] {1, 0.8, 0}, loaded.weights(), 1e-12);

            Promotion.Decision first = Promotion.promoteIfBetter(registry, MODEL, "champion", good, ModelRegistryTest::accuracy);
            assertTrue(first.promoted(), first.toString());
            assertEquals(0, first.champion());
            scorer = new ChampionScorer(registry, MODEL, "champion");
            assertEquals(1, scorer.version());

            worse = registerHead(registry, "worse", -1, 0, 0);
            Promotion.Decision second = Promotion.promoteIfBetter(registry, MODEL, "champion", worse, ModelRegistryTest::accuracy);
            assertFalse(second.promoted(), second.toString());
            assertEquals(1, second.champion());
            assertEquals(1, registry.byAlias(MODEL, "champion").orElseThrow().version());

            same = registerHead(registry, "same", 1, 0.8, 0);
            assertFalse(Promotion.promoteIfBetter(registry, MODEL, "champion", same, ModelRegistryTest::accuracy).promoted(),
                    "an equally good version must not replace the champion");
            assertFalse(scorer.refresh(), "the alias did not move");

            best = registerHead(registry, "best", 1, 0, 0);
            Promotion.Decision fourth = Promotion.promoteIfBetter(registry, MODEL, "champion", best, ModelRegistryTest::accuracy);
            assertTrue(fourth.promoted(), fourth.toString());
            assertEquals(1.0, fourth.candidateScore(), 1e-12);
            assertTrue(scorer.refresh(), "the scorer should load the promoted version");
            assertEquals(best.version(), scorer.version());
            double[] s = scorer.sentiment(new float[][] {{2, 5, 5}, {-2, 5, 5}});
            assertTrue(s[0] > 0 && s[1] < 0, "the champion (weights 1,0,0) scores by x0 only: " + s[0] + ", " + s[1]);
            assertEquals(List.of(1, 2, 3, 4), registry.versions(MODEL).stream().map(ModelRegistry.ModelVersion::version).toList());
        }
        assertFalse(firstServer.isRunning(), "closed, the server's process is gone");
        // the registry lives in the folder: a new server on it sees the versions and the alias, and numbers on
        try (MlflowServer server = MlflowServer.start(dir); ModelRegistry registry = new ModelRegistry(server)) {
            assertTrue(server != firstServer);
            assertEquals(best.version(), registry.byAlias(MODEL, "champion").orElseThrow().version());
            ModelRegistry.ModelVersion next = registerHead(registry, "again", 1, 0, 0);
            assertEquals(5, next.version());
            assertFalse(Promotion.promoteIfBetter(registry, MODEL, "champion", next, ModelRegistryTest::accuracy).promoted());
        }
    }
}
