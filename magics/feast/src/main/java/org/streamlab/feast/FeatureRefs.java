package org.streamlab.feast;

import java.util.List;
import org.streamlab.kernel.UserError;

/** Feature references as Feast writes them: {@code view:feature}. */
final class FeatureRefs {
    private FeatureRefs() {}

    /** The references, each checked: a readable error for the first that is not {@code view:feature}. */
    static List<String> checked(List<String> refs) {
        for (String r : refs) {
            if (r == null || !r.matches("[^:\\s]+:[^:\\s]+")) {
                throw new UserError("a feature reference is view:feature, got: " + r, "e.g. driver_stats:conv_rate");
            }
        }
        return List.copyOf(refs);
    }
}
