package org.streamlab.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A head trained on real embeddings of the course's data set, measured on sentences it never saw. */
class SentimentModelTest {

    @Test
    void heldOutAccuracyOnTheCourseDataSet(@TempDir Path dir) {
        List<LabelledSentence> all = SentimentData.load(SentimentDataTest.SENTENCES);
        SentimentData.Split split = SentimentData.split(all, 0.2, 42);
        SentimentHead head;
        try (SentenceEncoder encoder = SentenceEncoder.open()) {
            float[][] train = encoder.embed(SentimentData.texts(split.train()));
            head = SentimentHead.train(train, SentimentData.labels(split.train()), TrainingOptions.defaults());
        }
        head.save(dir.resolve("head.json"));
        try (SentimentModel model = SentimentModel.open(SentimentHead.load(dir.resolve("head.json")))) {
            double[] sentiment = model.sentiment(SentimentData.texts(split.test()));
            assertEquals(split.test().size(), sentiment.length);
            int[] predicted = new int[sentiment.length];
            for (int i = 0; i < sentiment.length; i++) {
                assertTrue(sentiment[i] >= -1 && sentiment[i] <= 1, "sentiment " + sentiment[i]);
                predicted[i] = sentiment[i] >= 0 ? 1 : 0;
            }
            Evaluation heldOut = Evaluation.of(SentimentData.labels(split.test()), predicted);
            System.out.printf("held-out accuracy %.3f (%s)%n", heldOut.accuracy(), heldOut);
            assertTrue(heldOut.accuracy() >= 0.85, "held-out accuracy " + heldOut.accuracy());
            assertTrue(model.sentiment("Absolutely wonderful, I loved every minute.") > 0.5);
            assertTrue(model.sentiment("Horrible. It broke on day one and nobody helped.") < -0.5);
        }
    }
}
