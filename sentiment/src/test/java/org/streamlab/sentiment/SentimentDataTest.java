package org.streamlab.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.UserError;

class SentimentDataTest {

    static final Path SENTENCES = Path.of("../datasets/sentiment/sentences.csv");

    @Test
    void parsesQuotedFields(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("s.csv"), "text,label,source\r\n"
                + "\"Good case, Excellent value.\",1,amazon\r\n"
                + "\"He said \"\"awful\"\", twice\",0,imdb\n"
                + "Plain sentence.,1,yelp\n"
                + "\"Two\nlines\",0,yelp\n\n");
        List<LabelledSentence> rows = SentimentData.load(csv);
        assertEquals(List.of(
                new LabelledSentence("Good case, Excellent value.", 1, "amazon"),
                new LabelledSentence("He said \"awful\", twice", 0, "imdb"),
                new LabelledSentence("Plain sentence.", 1, "yelp"),
                new LabelledSentence("Two\nlines", 0, "yelp")), rows);
    }

    @Test
    void namesTheRecordOfBadInput(@TempDir Path dir) throws Exception {
        Path unquoted = Files.writeString(dir.resolve("a.csv"), "text,label,source\nGood case, Excellent value.,1,amazon\n");
        UserError fields = assertThrows(UserError.class, () -> SentimentData.load(unquoted));
        assertTrue(fields.getMessage().contains("record 2: expected 3 fields"), fields.getMessage());
        Path badLabel = Files.writeString(dir.resolve("b.csv"), "text,label,source\nfine,positive,x\n");
        assertThrows(UserError.class, () -> SentimentData.load(badLabel));
        Path noHeader = Files.writeString(dir.resolve("c.csv"), "fine,1,x\n");
        assertThrows(UserError.class, () -> SentimentData.load(noHeader));
        Path open = Files.writeString(dir.resolve("d.csv"), "text,label,source\n\"never closed,1,x\n");
        assertThrows(UserError.class, () -> SentimentData.load(open));
        assertThrows(UserError.class, () -> SentimentData.load(dir.resolve("missing.csv")));
    }

    @Test
    void readsTheCourseDataSet() {
        List<LabelledSentence> all = SentimentData.load(SENTENCES);
        assertEquals(3000, all.size());
        assertEquals(1500, all.stream().mapToInt(LabelledSentence::label).sum());
        assertEquals("Good case, Excellent value.", all.get(1).text());
    }

    @Test
    void splitIsStratifiedDisjointAndDeterministic() {
        List<LabelledSentence> all = SentimentData.load(SENTENCES);
        SentimentData.Split split = SentimentData.split(all, 0.2, 42);
        assertEquals(600, split.test().size());
        assertEquals(2400, split.train().size());
        assertEquals(300, split.test().stream().mapToInt(LabelledSentence::label).sum());
        Set<LabelledSentence> test = Collections.newSetFromMap(new IdentityHashMap<>());
        test.addAll(split.test());
        assertTrue(split.train().stream().noneMatch(test::contains), "a sentence is in both parts");
        assertEquals(split, SentimentData.split(all, 0.2, 42));
        assertNotEquals(split.test(), SentimentData.split(all, 0.2, 43).test());
        assertThrows(IllegalArgumentException.class, () -> SentimentData.split(all, 1.0, 1));
    }
}
