package org.streamlab.sentiment.drift;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.streamlab.sentiment.LabelledSentence;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentData;
import org.streamlab.sentiment.SentimentHead;
import org.streamlab.sentiment.SentimentModel;
import org.streamlab.sentiment.TrainingOptions;

/** The real encoder and a head trained on half the course's sentences; windows from the other (held-out) half. */
class DriftMonitorModelTest {

    @Test
    void heldOutHalvesAgreeAndShiftedStreamsDrift() {
        List<LabelledSentence> all = SentimentData.load(java.nio.file.Path.of("../datasets/sentiment/sentences.csv"));
        SentimentData.Split split = SentimentData.split(all, 0.5, 42);
        List<LabelledSentence> heldOut = new ArrayList<>(split.test());
        Collections.shuffle(heldOut, new Random(3));
        List<LabelledSentence> referenceSentences = heldOut.subList(0, 750);
        List<LabelledSentence> liveSentences = heldOut.subList(750, heldOut.size());
        SentimentHead head;
        try (SentenceEncoder encoder = SentenceEncoder.open()) {
            head = SentimentHead.train(encoder.embed(SentimentData.texts(split.train())),
                    SentimentData.labels(split.train()), TrainingOptions.defaults());
        }
        try (SentimentModel model = SentimentModel.open(head)) {
            DriftMonitor monitor = DriftMonitor.of(DriftWindow.score(model, SentimentData.texts(referenceSentences)));

            DriftReport same = monitor.check("same", DriftWindow.score(model, SentimentData.texts(liveSentences)));
            System.out.println(same);
            assertFalse(same.drifted(), same.toString());

            List<String> negative = liveSentences.stream().filter(s -> s.label() == 0).map(LabelledSentence::text).toList();
            DriftReport negativeOnly = monitor.check("negative", DriftWindow.score(model, negative));
            System.out.println(negativeOnly);
            assertTrue(negativeOnly.feature(DriftMonitor.SCORE).orElseThrow().drifted(), negativeOnly.toString());

            List<String> longTexts = new ArrayList<>();
            for (int i = 0; i + 4 <= liveSentences.size(); i += 4) {
                longTexts.add(String.join(" ", SentimentData.texts(liveSentences.subList(i, i + 4))));
            }
            DriftReport longer = monitor.check("long", DriftWindow.score(model, longTexts));
            System.out.println(longer);
            assertTrue(longer.feature(DriftMonitor.LENGTH_CHARS).orElseThrow().drifted(), longer.toString());
        }
    }
}
