package org.streamlab.kernel.magic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.streamlab.kernel.UserError;

/** The table of magics: every row has a name, a synopsis and full usage text. */
public final class MagicRegistry {
    private final Map<String, MagicSpec> lineMagics = new ConcurrentHashMap<>();
    private final Map<String, MagicSpec> cellMagics = new ConcurrentHashMap<>();

    public void register(MagicSpec spec) {
        (spec.kind() == MagicSpec.Kind.LINE ? lineMagics : cellMagics).put(spec.name(), spec);
    }

    public MagicSpec line(String name) {
        MagicSpec spec = lineMagics.get(name);
        if (spec == null) {
            String hint = cellMagics.containsKey(name)
                    ? "%" + name + " is a cell magic: write %%" + name + " on the first line of the cell"
                    : "see %lsmagic for the list of magics" + suggestion(name);
            throw new UserError("unknown line magic %" + name, hint);
        }
        return spec;
    }

    public MagicSpec cell(String name) {
        MagicSpec spec = cellMagics.get(name);
        if (spec == null) {
            String hint = lineMagics.containsKey(name)
                    ? "%" + name + " is a line magic: write it with a single %"
                    : "see %lsmagic for the list of magics" + suggestion(name);
            throw new UserError("unknown cell magic %%" + name, hint);
        }
        return spec;
    }

    /** Both kinds with this name (a name may be a line and a cell magic). */
    public List<MagicSpec> named(String name) {
        List<MagicSpec> out = new ArrayList<>();
        if (lineMagics.containsKey(name)) {
            out.add(lineMagics.get(name));
        }
        if (cellMagics.containsKey(name)) {
            out.add(cellMagics.get(name));
        }
        return out;
    }

    public List<MagicSpec> all() {
        List<MagicSpec> out = new ArrayList<>(lineMagics.values());
        out.addAll(cellMagics.values());
        out.sort(Comparator.comparing(MagicSpec::name).thenComparing(MagicSpec::kind));
        return out;
    }

    private String suggestion(String name) {
        MagicSpec best = null;
        int bestDistance = 3;
        for (MagicSpec m : all()) {
            int d = distance(name, m.name());
            if (d < bestDistance) {
                bestDistance = d;
                best = m;
            }
        }
        return best == null ? "" : " (did you mean " + best.invocation() + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
