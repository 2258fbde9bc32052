package org.streamlab.pipelines.sentiment;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.streamlab.pipelines.delta.DeltaTableReader;

/**
 * Enriches scored reviews from the users Delta table: the table's current version is read once per parallel
 * instance when the job starts (a small dimension table; users added later are seen after a restart), then the
 * {@link UserEnricher} joins each review with it. Authors missing from the table are counted ({@link #UNKNOWN_USERS_COUNTER}).
 */
public final class EnrichFromUsersTable extends RichMapFunction<ScoredReview, EnrichedReview> {
    /** Accumulator: reviews whose author is not in the users table. */
    public static final String UNKNOWN_USERS_COUNTER = "users.unknown";

    private final String usersTablePath;
    private final UserEnricher enricher;
    private transient Map<String, UserProfile> users;
    private transient LongCounter unknown;

    public EnrichFromUsersTable(String usersTablePath, UserEnricher enricher) {
        this.usersTablePath = usersTablePath;
        this.enricher = enricher;
    }

    /** The users table by user id. */
    public static Map<String, UserProfile> loadUsers(String usersTablePath) {
        Map<String, UserProfile> byId = new HashMap<>();
        for (Map<String, Object> row : DeltaTableReader.readAll(usersTablePath)) {
            UserProfile p = UserProfile.fromRow(row);
            byId.put(p.userId(), p);
        }
        return byId;
    }

    @Override
    public void open(OpenContext openContext) {
        users = Map.copyOf(loadUsers(usersTablePath));
        unknown = getRuntimeContext().getLongCounter(UNKNOWN_USERS_COUNTER);
    }

    @Override
    public EnrichedReview map(ScoredReview review) {
        if (!users.containsKey(review.userId())) {
            unknown.add(1);
        }
        EnrichedReview enriched = enricher.enrich(review, users);
        if (enriched == null) {
            throw new IllegalStateException("the UserEnricher returned null for review " + review.eventId()
                    + " by user " + review.userId() + ": it must return an enriched review for every review (defaults for unknown users)");
        }
        return enriched;
    }
}
