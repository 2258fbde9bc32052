package org.streamlab.pipelines.sentiment;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.streamlab.sentiment.EncoderModel;
import org.streamlab.sentiment.EncoderOptions;
import org.streamlab.sentiment.SentenceEncoder;
import org.streamlab.sentiment.SentimentHead;

/**
 * Scores reviews in micro-batches: the encoder is several times faster on a batch of similar-length texts than one
 * text at a time (it sorts each batch by length, so little padding is computed). A batch is scored when it holds
 * {@code batchSize} reviews or its first review has waited {@code maxWaitMillis}, whichever comes first.
 *
 * <p>Why an operator and not a function: the buffer is not state. It is emptied <i>before</i> every checkpoint
 * barrier is forwarded ({@link #prepareSnapshotPreBarrier}), before a watermark is forwarded, and at the end of input,
 * so every review that entered before a checkpoint has left it as a scored review: a restore neither loses nor
 * repeats one, and no watermark overtakes a buffered review.
 *
 * <p>The head comes from a {@link HeadSource}: fixed, or a registry alias checked before each batch (at most every
 * refresh interval), so a promoted version scores the next batch; each scored review carries the version.
 */
public final class MicroBatchScorer extends AbstractStreamOperator<ScoredReview>
        implements OneInputStreamOperator<Review, ScoredReview>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    /** Accumulator: reviews scored. */
    public static final String SCORED_COUNTER = "reviews.scored";
    /** Accumulator: batches scored. */
    public static final String BATCHES_COUNTER = "scoring.batches";

    private final HeadSource heads;
    private final EncoderOptions encoder;
    private final int batchSize;
    private final long maxWaitMillis;

    private transient SentenceEncoder sentenceEncoder;
    private transient HeadSource.Handle head;
    private transient List<Review> reviews;
    private transient List<Long> timestamps;
    private transient boolean timerPending;
    private transient LongCounter scored;
    private transient LongCounter batches;

    public MicroBatchScorer(SentimentHead head, EncoderOptions encoder, int batchSize, long maxWaitMillis) {
        this(HeadSource.fixed(head), encoder, batchSize, maxWaitMillis);
    }

    public MicroBatchScorer(HeadSource heads, EncoderOptions encoder, int batchSize, long maxWaitMillis) {
        if (batchSize < 1 || maxWaitMillis < 1) {
            throw new IllegalArgumentException("batchSize and maxWaitMillis must be at least 1, got " + batchSize + " and " + maxWaitMillis);
        }
        this.heads = heads;
        this.encoder = encoder;
        this.batchSize = batchSize;
        this.maxWaitMillis = maxWaitMillis;
    }

    @Override
    public void open() throws Exception {
        super.open();
        head = heads.open();
        head.head().requireCompatibleWith(EncoderModel.ALL_MINILM_L6_V2_Q); // before loading 23 MB of model
        sentenceEncoder = SentenceEncoder.open(encoder);
        reviews = new ArrayList<>(batchSize);
        timestamps = new ArrayList<>(batchSize);
        scored = getRuntimeContext().getLongCounter(SCORED_COUNTER);
        batches = getRuntimeContext().getLongCounter(BATCHES_COUNTER);
    }

    @Override
    public void processElement(StreamRecord<Review> element) {
        reviews.add(element.getValue());
        timestamps.add(element.hasTimestamp() ? element.getTimestamp() : null);
        if (reviews.size() >= batchSize) {
            scoreBatch();
        } else if (!timerPending) {
            timerPending = true;
            getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + maxWaitMillis, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        timerPending = false;
        scoreBatch();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        scoreBatch();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        scoreBatch();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void finish() throws Exception {
        scoreBatch();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (sentenceEncoder != null) {
                sentenceEncoder.close();
            }
            if (head != null) {
                head.close();
            }
        } finally {
            super.close();
        }
    }

    private void scoreBatch() {
        if (reviews == null || reviews.isEmpty()) {
            return;
        }
        List<String> texts = new ArrayList<>(reviews.size());
        for (Review r : reviews) {
            texts.add(r.text());
        }
        float[][] embeddings = sentenceEncoder.embed(texts);
        if (head.refresh()) {
            head.head().requireCompatibleWith(EncoderModel.ALL_MINILM_L6_V2_Q);
        }
        SentimentHead h = head.head();
        String model = head.model();
        long now = System.currentTimeMillis();
        for (int i = 0; i < reviews.size(); i++) {
            ScoredReview s = new ScoredReview(reviews.get(i), 2 * h.positiveProbability(embeddings[i]) - 1, now, model);
            Long ts = timestamps.get(i);
            output.collect(ts == null ? new StreamRecord<>(s) : new StreamRecord<>(s, ts));
        }
        scored.add(reviews.size());
        batches.add(1);
        reviews.clear();
        timestamps.clear();
    }
}
