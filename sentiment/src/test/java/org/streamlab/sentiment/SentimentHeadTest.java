package org.streamlab.sentiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.UserError;

class SentimentHeadTest {

    /** Two Gaussian clouds either side of a random hyperplane, with a margin: linearly separable. */
    private record Data(float[][] x, int[] y) {}

    private static Data separable(int n, int dim, long seed) {
        Random direction = new Random(7);
        double[] normal = new double[dim];
        for (int d = 0; d < dim; d++) {
            normal[d] = direction.nextGaussian();
        }
        Random random = new Random(seed);
        float[][] x = new float[n][dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            double dot = 0;
            for (int d = 0; d < dim; d++) {
                x[i][d] = (float) (random.nextGaussian() * 0.1);
                dot += x[i][d] * normal[d];
            }
            double norm2 = 0;
            for (double v : normal) {
                norm2 += v * v;
            }
            // move the point so that it sits at distance 0.2 to 0.4 on its label's side of the plane
            double target = (y[i] == 1 ? 1 : -1) * (0.2 + random.nextDouble() * 0.2) * Math.sqrt(norm2);
            for (int d = 0; d < dim; d++) {
                x[i][d] += (float) ((target - dot) * normal[d] / norm2);
            }
        }
        return new Data(x, y);
    }

    private static double accuracy(SentimentHead head, Data data) {
        return Evaluation.of(data.y(), head.positiveProbabilities(data.x()), 0.5).accuracy();
    }

    @Test
    void learnsSeparableDataAndGeneralises() {
        Data train = separable(400, 32, 1);
        Data test = separable(200, 32, 2);
        SentimentHead head = SentimentHead.train(train.x(), train.y(), TrainingOptions.defaults(), "synthetic");
        assertEquals(1.0, accuracy(head, train), "training accuracy on separable data");
        assertTrue(accuracy(head, test) >= 0.98, "held-out accuracy " + accuracy(head, test));
        assertEquals(32, head.dimension());
        assertEquals("synthetic", head.modelId());
    }

    @Test
    void flippedLabelsGiveTheOppositeHead() {
        Data train = separable(400, 16, 3);
        int[] flipped = new int[train.y().length];
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = 1 - train.y()[i];
        }
        SentimentHead head = SentimentHead.train(train.x(), flipped, TrainingOptions.defaults(), "synthetic");
        assertEquals(0.0, accuracy(head, train), "a head trained on flipped labels is always wrong");
    }

    @Test
    void trainingIsDeterministic() {
        Data train = separable(200, 8, 4);
        SentimentHead a = SentimentHead.train(train.x(), train.y(), TrainingOptions.defaults(), "m");
        SentimentHead b = SentimentHead.train(train.x(), train.y(), TrainingOptions.defaults(), "m");
        assertArrayEquals(a.weights(), b.weights());
        assertEquals(a.bias(), b.bias());
    }

    @Test
    void refusesBadTrainingInput() {
        float[][] x = {{1, 2}, {3, 4}};
        assertThrows(IllegalArgumentException.class, () -> SentimentHead.train(x, new int[] {1, 1}, TrainingOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> SentimentHead.train(x, new int[] {0, 2}, TrainingOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> SentimentHead.train(x, new int[] {0}, TrainingOptions.defaults()));
        assertThrows(IllegalArgumentException.class,
                () -> SentimentHead.train(new float[][] {{1, 2}, {3}}, new int[] {0, 1}, TrainingOptions.defaults()));
        assertThrows(IllegalArgumentException.class, () -> new TrainingOptions(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new TrainingOptions(10, -1, 0));
    }

    @Test
    void saveAndLoadRoundTrip(@TempDir Path dir) {
        Data train = separable(200, 8, 5);
        SentimentHead head = SentimentHead.train(train.x(), train.y(), TrainingOptions.defaults(), "m");
        Path file = dir.resolve("heads/sentiment-head.json");
        head.save(file);
        SentimentHead loaded = SentimentHead.load(file);
        assertArrayEquals(head.weights(), loaded.weights());
        assertEquals(head.bias(), loaded.bias());
        assertEquals("m", loaded.modelId());
        assertEquals(OptionalInt.of(200), loaded.trainingRows());
        for (float[] row : train.x()) {
            assertEquals(head.positiveProbability(row), loaded.positiveProbability(row));
        }
    }

    @Test
    void recordsHowManyRowsItWasTrainedOn() {
        Data train = separable(300, 8, 6);
        SentimentHead onAll = SentimentHead.train(train.x(), train.y(), TrainingOptions.defaults(), "m");
        assertEquals(OptionalInt.of(300), onAll.trainingRows());
        SentimentHead onPart = SentimentHead.train(Arrays.copyOf(train.x(), 120), Arrays.copyOf(train.y(), 120),
                TrainingOptions.defaults(), "m");
        assertEquals(OptionalInt.of(120), onPart.trainingRows());
        assertTrue(onPart.toString().contains("trained on 120 rows"), onPart.toString());
        // a head made from weights cannot know what it was fitted on
        assertFalse(SentimentHead.of("m", onAll.weights(), onAll.bias()).trainingRows().isPresent());
    }

    @Test
    void headsWithoutKnownTrainingRowsSaveAndLoadAsBefore(@TempDir Path dir) throws Exception {
        Path fromWeights = dir.resolve("of.json");
        SentimentHead.of("m", new double[] {0.5, -0.25}, 0.1).save(fromWeights);
        assertFalse(Files.readString(fromWeights).contains("trainingRows"), "an unknown count is not written");
        assertFalse(SentimentHead.load(fromWeights).trainingRows().isPresent());

        // a file written before trainingRows existed
        Path older = Files.writeString(dir.resolve("older.json"), "{\"format\": \"" + SentimentHead.FORMAT
                + "\", \"modelId\": \"m\", \"dimension\": 2, \"bias\": 0.1, \"weights\": [0.5, -0.25]}");
        SentimentHead loaded = SentimentHead.load(older);
        assertFalse(loaded.trainingRows().isPresent());
        assertArrayEquals(new double[] {0.5, -0.25}, loaded.weights());

        Path badRows = Files.writeString(dir.resolve("rows.json"), "{\"format\": \"" + SentimentHead.FORMAT
                + "\", \"modelId\": \"m\", \"dimension\": 2, \"bias\": 0.1, \"trainingRows\": -3, \"weights\": [0.5, -0.25]}");
        UserError rows = assertThrows(UserError.class, () -> SentimentHead.load(badRows));
        assertTrue(rows.getMessage().contains("\"trainingRows\" is -3"), rows.getMessage());
    }

    @Test
    void loadNamesWhatIsWrong(@TempDir Path dir) throws Exception {
        UserError missing = assertThrows(UserError.class, () -> SentimentHead.load(dir.resolve("none.json")));
        assertTrue(missing.getMessage().startsWith("no sentiment head at"), missing.getMessage());

        Path notJson = Files.writeString(dir.resolve("bad.json"), "weights: 1 2 3");
        assertThrows(UserError.class, () -> SentimentHead.load(notJson));

        Path wrongDimension = Files.writeString(dir.resolve("dim.json"), "{\"format\": \"" + SentimentHead.FORMAT
                + "\", \"modelId\": \"m\", \"dimension\": 384, \"bias\": 0.1, \"weights\": [0.1, 0.2, 0.3]}");
        UserError dim = assertThrows(UserError.class, () -> SentimentHead.load(wrongDimension));
        assertTrue(dim.getMessage().contains("\"dimension\" is 384 but \"weights\" holds 3 values"), dim.getMessage());

        Path otherFormat = Files.writeString(dir.resolve("other.json"), "{\"weights\": [1]}");
        UserError format = assertThrows(UserError.class, () -> SentimentHead.load(otherFormat));
        assertTrue(format.getMessage().contains("is not a sentiment head"), format.getMessage());
    }

    @Test
    void refusesEmbeddingsOfAnotherWidthAndAnotherEncoder() {
        SentimentHead head = SentimentHead.of("m", new double[] {1, 2, 3}, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> head.positiveProbability(new float[4]));
        assertTrue(e.getMessage().contains("takes embeddings of 3 values, got 4"), e.getMessage());
        // checked before the encoder is loaded
        assertThrows(UserError.class, () -> SentimentModel.open(head));
    }
}
