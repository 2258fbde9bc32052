package org.streamlab.pipelines.sentiment;

import java.io.Serializable;
import java.util.Map;

/** A row of the users table the pipeline enriches reviews from: who wrote the review. */
public record UserProfile(String userId, String segment, String country) implements Serializable {
    /**
     * A row read from the users Delta table (columns {@code user_id}, {@code segment}, {@code country}); a missing
     * column is an error that names the columns the table needs.
     */
    public static UserProfile fromRow(Map<String, Object> row) {
        for (String column : new String[] {"user_id", "segment", "country"}) {
            if (!row.containsKey(column)) {
                throw new IllegalArgumentException("the users table needs the columns user_id, segment, country; a row has only " + row.keySet());
            }
        }
        return new UserProfile(str(row.get("user_id")), str(row.get("segment")), str(row.get("country")));
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
