package org.streamlab.sentiment;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.streamlab.kernel.UserError;

/** Labelled sentences from CSV, and a reproducible train/test split. */
public final class SentimentData {

    private SentimentData() {
    }

    /** A split of a data set: no sentence (by position) is in both. */
    public record Split(List<LabelledSentence> train, List<LabelledSentence> test) {
        public Split {
            train = List.copyOf(train);
            test = List.copyOf(test);
        }
    }

    /**
     * Reads a UTF-8, RFC 4180 CSV with the header {@code text,label,source} (datasets/sentiment/sentences.csv):
     * fields with commas, quotes or line breaks are quoted, a quote inside is doubled. A {@link UserError} names
     * the file and line of anything else.
     */
    public static List<LabelledSentence> load(Path csv) {
        String content;
        try {
            content = Files.readString(csv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UserError("no such file: " + csv.toAbsolutePath(),
                    "the course's data set is datasets/sentiment/sentences.csv (../../datasets/sentiment/sentences.csv from a notebook)");
        } catch (CharacterCodingException e) {
            throw new UserError(csv + " is not UTF-8 text", "save it as UTF-8");
        } catch (IOException e) {
            throw new UserError("cannot read " + csv + ": " + e.getMessage(), null, e);
        }
        List<List<String>> rows = parseCsv(content, csv);
        if (rows.isEmpty() || !rows.get(0).equals(List.of("text", "label", "source"))) {
            throw new UserError(csv + ": the first line must be the header text,label,source",
                    "one sentence per row: text (quoted if it holds a comma), label 0 or 1, source");
        }
        List<LabelledSentence> out = new ArrayList<>(rows.size() - 1);
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            if (row.size() == 1 && row.get(0).isEmpty()) {
                continue; // blank line
            }
            if (row.size() != 3) {
                throw new UserError(csv + ", record " + (r + 1) + ": expected 3 fields (text,label,source), found "
                        + row.size(), "quote a text that contains a comma: \"Good case, excellent value.\"");
            }
            String label = row.get(1).strip();
            if (!label.equals("0") && !label.equals("1")) {
                throw new UserError(csv + ", record " + (r + 1) + ": label is '" + label + "'", "labels are 0 (negative) or 1 (positive)");
            }
            out.add(new LabelledSentence(row.get(0), Integer.parseInt(label), row.get(2)));
        }
        return out;
    }

    /**
     * Splits each label's sentences on its own (stratified: both parts keep the class balance), taking
     * {@code round(testFraction * count)} of each label into the test part by a shuffle seeded with {@code seed}.
     * Both parts keep the input order. Same input and seed, same split.
     */
    public static Split split(List<LabelledSentence> all, double testFraction, long seed) {
        if (all == null) {
            throw new IllegalArgumentException("all must not be null");
        }
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("testFraction must be between 0 and 1 (exclusive), was " + testFraction);
        }
        boolean[] inTest = new boolean[all.size()];
        Random random = new Random(seed);
        for (int label = 0; label <= 1; label++) {
            List<Integer> indices = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).label() == label) {
                    indices.add(i);
                }
            }
            Collections.shuffle(indices, random);
            long take = Math.round(testFraction * indices.size());
            for (int k = 0; k < take; k++) {
                inTest[indices.get(k)] = true;
            }
        }
        List<LabelledSentence> train = new ArrayList<>();
        List<LabelledSentence> test = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            (inTest[i] ? test : train).add(all.get(i));
        }
        return new Split(train, test);
    }

    /** The texts of the sentences, in order. */
    public static List<String> texts(List<LabelledSentence> sentences) {
        return sentences.stream().map(LabelledSentence::text).toList();
    }

    /** The labels of the sentences, in order. */
    public static int[] labels(List<LabelledSentence> sentences) {
        return sentences.stream().mapToInt(LabelledSentence::label).toArray();
    }

    static List<List<String>> parseCsv(String content, Path file) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldWasQuoted = false;
        int line = 1;
        int start = content.startsWith("\uFEFF") ? 1 : 0; // a byte-order mark is not part of the header
        for (int i = start; i < content.length(); i++) {
            char c = content.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < content.length() && content.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"') {
                if (field.length() > 0 || fieldWasQuoted) {
                    throw new UserError(file + ", line " + line + ": a quote inside an unquoted field",
                            "quote the whole field and double the quotes inside: \"He said \"\"great\"\"\"");
                }
                quoted = true;
                fieldWasQuoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                fieldWasQuoted = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < content.length() && content.charAt(i + 1) == '\n') {
                    i++;
                }
                row.add(field.toString());
                rows.add(row);
                row = new ArrayList<>();
                field.setLength(0);
                fieldWasQuoted = false;
                line++;
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new UserError(file + ": a quoted field is not closed (end of file reached)", "close the quote");
        }
        if (field.length() > 0 || !row.isEmpty() || fieldWasQuoted) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
